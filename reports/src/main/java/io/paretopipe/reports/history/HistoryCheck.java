package io.paretopipe.reports.history;

import io.paretopipe.reports.stats.VarianceModeration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code history check}: every series of the history (one figure of one point on one host
 * fingerprint, one value per run, oldest first) through the {@link ChangePointDetector}, each
 * change classified ({@link Change}), plus the drift of every point's frontier class. Where a run
 * stored a 95% interval over two or more units for a mean figure, its standard error is the
 * detector's noise floor for that value. Each series is tested with the prior for its run-to-run
 * noise that the other series of its family give (the same benchmark and figure on the same host
 * fingerprint, {@link FamilyNoise}). Stateless.
 *
 * <p>Frontier drift, per point and host: the newest transition {@code t} (at least {@link
 * ChangePointDetector.Settings#buffer()} runs in) such that the {@code buffer} runs before it all
 * hold a class at least {@code c} and every run from {@code t} on (at least the persistence) holds
 * a class below {@code c}: the point dropped (frontier -> possible -> dominated), a regression; the
 * mirror image (every run from {@code t} on above every one of the {@code buffer} before) is a
 * join, reported. Runs whose class is unknown are left out.
 */
public final class HistoryCheck {

  /**
   * What to check and how.
   *
   * @param settings the change-point settings
   * @param persistence how many runs a new level must last to count as a regression, at least 1
   * @param figures the figures to check, e.g. {@code latency_mean_ms}; empty checks every figure
   */
  public record Options(
      ChangePointDetector.Settings settings, int persistence, List<String> figures) {
    /** The figures checked by default. */
    public static final List<String> DEFAULT_FIGURES =
        List.of("latency_mean_ms", "throughput_img_s");

    /** Default settings, persistence 2, the default figures. */
    public static final Options DEFAULT =
        new Options(ChangePointDetector.Settings.DEFAULT, 2, DEFAULT_FIGURES);

    public Options {
      Objects.requireNonNull(settings, "settings");
      if (persistence < 1) {
        throw new IllegalArgumentException("persistence: " + persistence + " (expected: >= 1)");
      }
      figures = List.copyOf(figures);
    }
  }

  /**
   * One value of a series.
   *
   * @param run the run it is from
   * @param value the figure
   * @param ciLow lower end of its interval, NaN when none
   * @param ciHigh upper end, NaN when none
   * @param samples its sample count, -1 when unknown
   * @param ciLevel the interval's level, NaN when none
   * @param units the replication units its interval rests on, -1 when unknown
   * @param relativeStandardError the run's own relative standard error of the value ({@link
   *     FigureValue#relativeStandardError}), NaN when the run does not give one
   */
  public record Observation(
      StoredRun run,
      double value,
      double ciLow,
      double ciHigh,
      long samples,
      double ciLevel,
      int units,
      double relativeStandardError) {}

  /**
   * One checked series.
   *
   * @param key the series
   * @param unit the figure's unit
   * @param observations its values with a number, oldest first (the change points index these)
   * @param unsupported how many of its runs stored the figure as unknown ({@code null} with a
   *     reason): left out of the detection
   * @param changes its change points, classified
   */
  public record SeriesResult(
      SeriesKey key,
      String unit,
      List<Observation> observations,
      int unsupported,
      List<Change> changes) {

    /**
     * @return the run before the change and the first run of the new level, the commit range it
     *     falls in
     */
    public StoredRun[] runsAround(Change change) {
      return new StoredRun[] {
        observations.get(change.point().index() - 1).run(),
        observations.get(change.point().index()).run()
      };
    }
  }

  /**
   * A point's frontier class over the runs of one host, and its newest drift.
   *
   * @param benchmark the benchmark
   * @param identity the point's identity
   * @param hostId the host fingerprint
   * @param runs the runs with a known class, oldest first
   * @param classes the class in each of those runs
   * @param drift the newest drift, or null when the class held
   */
  public record FrontierSeries(
      String benchmark,
      String identity,
      String hostId,
      List<StoredRun> runs,
      List<String> classes,
      FrontierDrift drift) {}

  /**
   * A lasting change of a point's frontier class.
   *
   * @param index the first run (in {@link FrontierSeries#runs()}) of the new class
   * @param from the lowest class of the runs before it
   * @param to the highest class from it on
   * @param regression true when it dropped (a regression), false when it joined
   */
  public record FrontierDrift(int index, String from, String to, boolean regression) {}

  /**
   * The whole check.
   *
   * @param runs every run of the history, oldest first
   * @param hosts host fingerprint to description
   * @param series every checked series
   * @param frontier every point's frontier class series
   * @param options what was checked
   */
  public record Result(
      List<StoredRun> runs,
      Map<String, String> hosts,
      List<SeriesResult> series,
      List<FrontierSeries> frontier,
      Options options) {

    /**
     * @return every open regression with its series, newest first by run then by series
     */
    public List<Map.Entry<SeriesResult, Change>> openRegressions() {
      return changes(Change.Kind.REGRESSION, true);
    }

    /**
     * @return every change of that kind (for regressions: open or not) with its series
     */
    public List<Map.Entry<SeriesResult, Change>> changes(Change.Kind kind, boolean onlyOpen) {
      List<Map.Entry<SeriesResult, Change>> found = new ArrayList<>();
      for (SeriesResult s : series) {
        for (Change c : s.changes()) {
          if (c.kind() == kind && (!onlyOpen || c.open())) {
            found.add(Map.entry(s, c));
          }
        }
      }
      return found;
    }

    /**
     * @return the points whose frontier class dropped (regressions)
     */
    public List<FrontierSeries> frontierDrops() {
      return frontier.stream().filter(f -> f.drift() != null && f.drift().regression()).toList();
    }

    /**
     * @return the points that joined a better class
     */
    public List<FrontierSeries> frontierJoins() {
      return frontier.stream().filter(f -> f.drift() != null && !f.drift().regression()).toList();
    }

    /**
     * @return true when there is an open regression or a frontier drop
     */
    public boolean regressed() {
      return !openRegressions().isEmpty() || !frontierDrops().isEmpty();
    }
  }

  private HistoryCheck() {}

  /**
   * Each series' prior for its run-to-run noise from the other series of its family: the same
   * benchmark and figure on the same host fingerprint ({@link FamilyNoise}).
   */
  private static Map<SeriesKey, VarianceModeration.Prior> familyPriors(
      TreeMap<SeriesKey, List<Observation>> values) {
    Map<List<String>, List<SeriesKey>> families = new LinkedHashMap<>();
    values.forEach(
        (key, observations) ->
            families
                .computeIfAbsent(
                    List.of(key.benchmark(), key.figure(), key.hostId()), f -> new ArrayList<>())
                .add(key));
    Map<SeriesKey, VarianceModeration.Prior> priors = new LinkedHashMap<>();
    for (List<SeriesKey> family : families.values()) {
      List<double[]> series = new ArrayList<>();
      for (SeriesKey key : family) {
        series.add(values.get(key).stream().mapToDouble(Observation::value).toArray());
      }
      List<VarianceModeration.Prior> estimated = FamilyNoise.priors(series);
      for (int i = 0; i < family.size(); i++) {
        if (estimated.get(i) != null) {
          priors.put(family.get(i), estimated.get(i));
        }
      }
    }
    return priors;
  }

  /**
   * Checks a whole history database.
   *
   * @param db the database
   * @param options what to check
   * @return the result
   */
  public static Result run(HistoryDatabase db, Options options)
      throws io.paretopipe.reports.ReportInputException {
    return analyze(db.runs(), db.hosts(), db.figures(options.figures()), options);
  }

  /**
   * @param runs every run, oldest first
   * @param hosts host fingerprint to description
   * @param rows the figure rows, in run order
   * @param options what to check
   * @return the result
   */
  public static Result analyze(
      List<StoredRun> runs,
      Map<String, String> hosts,
      List<HistoryDatabase.FigureRow> rows,
      Options options) {
    Map<Long, StoredRun> byId = new LinkedHashMap<>();
    Map<Long, Integer> order = new LinkedHashMap<>();
    for (StoredRun r : runs) {
      order.put(r.id(), byId.size());
      byId.put(r.id(), r);
    }
    List<HistoryDatabase.FigureRow> sorted = new ArrayList<>(rows);
    sorted.sort(java.util.Comparator.comparingInt(r -> order.getOrDefault(r.runId(), -1)));
    TreeMap<SeriesKey, List<Observation>> values = new TreeMap<>();
    TreeMap<SeriesKey, int[]> unsupported = new TreeMap<>();
    Map<SeriesKey, String> units = new LinkedHashMap<>();
    TreeMap<SeriesKey, LinkedHashMap<Long, String>> classes = new TreeMap<>();
    for (HistoryDatabase.FigureRow row : sorted) {
      StoredRun run = byId.get(row.runId());
      if (run == null) {
        continue;
      }
      SeriesKey key = new SeriesKey(row.benchmark(), row.identity(), row.name(), run.hostId());
      units.putIfAbsent(key, row.unit());
      if (Double.isFinite(row.value())) {
        values
            .computeIfAbsent(key, k -> new ArrayList<>())
            .add(
                new Observation(
                    run,
                    row.value(),
                    row.ciLow(),
                    row.ciHigh(),
                    row.samples(),
                    row.ciLevel(),
                    row.units(),
                    row.relativeStandardError()));
      } else {
        values.computeIfAbsent(key, k -> new ArrayList<>());
        unsupported.computeIfAbsent(key, k -> new int[1])[0]++;
      }
      if (row.frontierClass() != null) {
        SeriesKey point = new SeriesKey(row.benchmark(), row.identity(), "", run.hostId());
        classes
            .computeIfAbsent(point, k -> new LinkedHashMap<>())
            .put(run.id(), row.frontierClass());
      }
    }
    ChangePointDetector detector = new ChangePointDetector(options.settings());
    Map<SeriesKey, VarianceModeration.Prior> priors = familyPriors(values);
    List<SeriesResult> series = new ArrayList<>();
    values.forEach(
        (key, observations) -> {
          double[] x = observations.stream().mapToDouble(Observation::value).toArray();
          double[] se =
              observations.stream().mapToDouble(Observation::relativeStandardError).toArray();
          String unit = units.get(key);
          List<Change> changes =
              Change.analyze(
                  x,
                  se,
                  priors.get(key),
                  FigureValue.better(unit),
                  detector,
                  options.persistence());
          series.add(
              new SeriesResult(
                  key,
                  unit,
                  List.copyOf(observations),
                  unsupported.getOrDefault(key, new int[1])[0],
                  changes));
        });
    List<FrontierSeries> frontier = new ArrayList<>();
    classes.forEach(
        (key, byRun) -> {
          List<StoredRun> classRuns = new ArrayList<>();
          List<String> classList = new ArrayList<>();
          byRun.forEach(
              (runId, c) -> {
                classRuns.add(byId.get(runId));
                classList.add(c);
              });
          frontier.add(
              new FrontierSeries(
                  key.benchmark(),
                  key.identity(),
                  key.hostId(),
                  List.copyOf(classRuns),
                  List.copyOf(classList),
                  drift(classList, options.settings().buffer(), options.persistence())));
        });
    return new Result(List.copyOf(runs), Map.copyOf(hosts), series, frontier, options);
  }

  /**
   * @param classes a point's frontier class per run, oldest first
   * @param buffer how many runs before a transition must agree
   * @param persistence how many runs from the transition on must agree
   * @return the newest lasting transition, or null
   */
  static FrontierDrift drift(List<String> classes, int buffer, int persistence) {
    int n = classes.size();
    int[] rank = classes.stream().mapToInt(PointRecord::frontierRank).toArray();
    for (int t = n - persistence; t >= buffer; t--) {
      int minBefore = Integer.MAX_VALUE;
      int maxBefore = Integer.MIN_VALUE;
      for (int i = t - buffer; i < t; i++) {
        minBefore = Math.min(minBefore, rank[i]);
        maxBefore = Math.max(maxBefore, rank[i]);
      }
      int minAfter = Integer.MAX_VALUE;
      int maxAfter = Integer.MIN_VALUE;
      for (int i = t; i < n; i++) {
        minAfter = Math.min(minAfter, rank[i]);
        maxAfter = Math.max(maxAfter, rank[i]);
      }
      if (maxAfter < minBefore) {
        return new FrontierDrift(t, name(minBefore), name(maxAfter), true);
      }
      if (minAfter > maxBefore) {
        return new FrontierDrift(t, name(maxBefore), name(minAfter), false);
      }
    }
    return null;
  }

  private static String name(int rank) {
    return PointRecord.FRONTIER_CLASSES.get(2 - rank);
  }
}
