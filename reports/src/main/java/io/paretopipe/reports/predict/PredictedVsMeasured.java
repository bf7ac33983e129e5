package io.paretopipe.reports.predict;

import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.run.RunLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The prediction of every measured point of a run whose folder also holds unit profiles ({@code
 * UnitProfileBenchmark} results, e.g. {@code RUN/jmh/unit-profile.json}), for the {@code pareto}
 * report: predicted latency and throughput next to the measured ones, with the error. Immutable.
 *
 * <p>Per group, the head uses the profile with {@code threads} = the group's {@code headThreads}
 * param, the tail (and any middle stage) the one with its {@code tailThreads} (or the only threads
 * value profiled when the param is absent); the link is the group's {@code link} param; the depth
 * is the point's {@code depth}. Over the {@code local} transport the stages run one after the other
 * on the head's thread ({@link PipelineModel#sequential}).
 *
 * <p><b>Calibration is out of sample.</b> The per-hop overhead of a point is fitted ({@link
 * Overhead#fit}) on the other splits of its calibration set {@code (model, transport, batch,
 * variant)}, over every link, leaving out every point with the same split (leave-one-split-out). A
 * point's own measurement never informs its prediction, so the errors are those of predicting a
 * split that was not measured.
 */
public final class PredictedVsMeasured {

  /**
   * The prediction of one measured point.
   *
   * @param latencyMs predicted latency in ms
   * @param throughputImgS predicted throughput in images/s at the point's depth, NaN without a
   *     depth
   * @param overheadMs the overhead the prediction includes (summed over the hops), in ms
   */
  public record PointPrediction(double latencyMs, double throughputImgS, double overheadMs) {
    /**
     * @return {@code (predicted - measured) / measured * 100} for the latency, NaN when either is
     *     unknown
     */
    public double latencyErrorPct(Point measured) {
      return errorPct(latencyMs, measured.latencyMeanMs());
    }

    /**
     * @return {@code (predicted - measured) / measured * 100} for the throughput, NaN when either
     *     is unknown
     */
    public double throughputErrorPct(Point measured) {
      return errorPct(throughputImgS, measured.throughputImgS());
    }
  }

  /**
   * The agreement in one group.
   *
   * @param latencyPoints points with both a measured and a predicted latency
   * @param medianAbsLatencyErrorPct median of {@code |latency error %|}, NaN when there are none
   * @param throughputPoints points with both a measured and a predicted throughput
   * @param medianAbsThroughputErrorPct median of {@code |throughput error %|}, NaN when there are
   *     none
   * @param profiles the profiles used, e.g. {@code head threads 1, tail threads 1}
   */
  public record Agreement(
      int latencyPoints,
      double medianAbsLatencyErrorPct,
      int throughputPoints,
      double medianAbsThroughputErrorPct,
      String profiles) {}

  /** The transport whose stages run one after the other on the head's thread. */
  public static final String SEQUENTIAL_TRANSPORT = "local";

  private static final PredictedVsMeasured NONE =
      new PredictedVsMeasured(new IdentityHashMap<>(), new TreeMap<>(), List.of(), List.of(), null);

  private final Map<Point, PointPrediction> byPoint;
  private final Map<Point, Prediction> terms = new IdentityHashMap<>();
  private CostPrediction costs = CostPrediction.NONE;
  private final SortedMap<GroupKey, Agreement> byGroup;
  private final List<String> profileSources;
  private final List<String> notes;
  private final Agreement overall;

  private PredictedVsMeasured(
      Map<Point, PointPrediction> byPoint,
      SortedMap<GroupKey, Agreement> byGroup,
      List<String> profileSources,
      List<String> notes,
      Agreement overall) {
    this.byPoint = byPoint;
    this.byGroup = Collections.unmodifiableSortedMap(byGroup);
    this.profileSources = List.copyOf(profileSources);
    this.notes = List.copyOf(notes);
    this.overall = overall;
  }

  /**
   * @return no predictions (a run without unit profiles)
   */
  public static PredictedVsMeasured none() {
    return NONE;
  }

  /**
   * @param run a measured run
   * @return the predictions of its points; {@link #none()}-like (no predictions, maybe notes) when
   *     it has no usable unit profiles
   */
  public static PredictedVsMeasured of(Run run) {
    List<UnitProfile> profiles;
    List<String> notes = new ArrayList<>();
    try {
      profiles = UnitProfiles.fromResults(run.results());
    } catch (ReportInputException e) {
      return new PredictedVsMeasured(
          new IdentityHashMap<>(),
          new TreeMap<>(),
          List.of(),
          List.of("unit profiles not used: " + relative(e.file()) + ": " + e.problem()),
          null);
    }
    if (profiles.isEmpty()) {
      return NONE;
    }
    Path source = Path.of(profiles.get(0).source());
    List<String> sources =
        new ArrayList<>(
            new LinkedHashSet<>(
                profiles.stream().map(p -> relative(Path.of(p.source()))).toList()));
    Map<Point, PointPrediction> byPoint = new IdentityHashMap<>();
    Map<Point, Prediction> terms = new IdentityHashMap<>();
    SortedMap<GroupKey, Agreement> byGroup = new TreeMap<>();
    Map<String, List<Point>> calibrationSets = new HashMap<>();
    for (Point p : run.points()) {
      calibrationSets.computeIfAbsent(calibrationKey(p.group()), k -> new ArrayList<>()).add(p);
    }
    Map<String, List<Overhead.Sample>> samplesBySet = new HashMap<>();
    List<Double> allLatencyErrors = new ArrayList<>();
    List<Double> allThroughputErrors = new ArrayList<>();
    for (Map.Entry<GroupKey, List<Point>> e : run.pointsByGroup().entrySet()) {
      GroupKey g = e.getKey();
      Map<String, String> variant = g.variantParams();
      DeviceProfiles devices;
      LinkSpec link;
      try {
        UnitProfile head =
            UnitProfiles.select(
                profiles,
                source,
                "head",
                g.model(),
                g.batch(),
                integer(variant.get("headThreads")));
        UnitProfile tail =
            UnitProfiles.select(
                profiles,
                source,
                "tail",
                g.model(),
                g.batch(),
                integer(variant.get("tailThreads")));
        devices = new DeviceProfiles(head, tail, tail);
        link = LinkSpec.parse(g.link());
      } catch (ReportInputException | IllegalArgumentException ex) {
        notes.add(
            g.label()
                + ": no prediction: "
                + (ex instanceof ReportInputException r
                    ? r.problem()
                        + " (in a run, the group's headThreads and tailThreads params choose the profiles)"
                    : ex.getMessage()));
        continue;
      }
      String setKey = calibrationKey(g);
      List<Overhead.Sample> samples = samplesBySet.get(setKey);
      if (samples == null) {
        samples = new ArrayList<>();
        for (Point q : calibrationSets.get(setKey)) {
          if (Double.isFinite(q.latencyMeanMs())) {
            try {
              samples.add(Calibration.sample(q, devices, q.split()));
            } catch (IllegalArgumentException ex) {
              notes.add(
                  q.group().label()
                      + " "
                      + q.label()
                      + ": not used for calibration: "
                      + ex.getMessage());
            }
          }
        }
        samplesBySet.put(setKey, samples);
      }
      List<Double> latencyErrors = new ArrayList<>();
      List<Double> throughputErrors = new ArrayList<>();
      for (Point p : e.getValue()) {
        int[] cuts;
        try {
          cuts = Calibration.parseSplit(p.split());
          String split = p.split();
          Overhead overhead =
              Overhead.fit(
                  samples.stream().filter(s -> !s.label().equals(split)).toList(),
                  "leave-one-split-out");
          Integer depth = integer(p.depth());
          PipelineModel model =
              new PipelineModel(
                  devices.forStages(cuts.length + 1), link, overhead, depth == null ? 1 : depth);
          if (SEQUENTIAL_TRANSPORT.equals(g.transport())) {
            model = model.sequential();
          }
          Prediction prediction = model.predict(cuts);
          PointPrediction pp =
              new PointPrediction(
                  prediction.latencyMs(),
                  depth == null ? Double.NaN : prediction.throughputImgS(),
                  Arrays.stream(prediction.hopOverheadMs()).sum());
          byPoint.put(p, pp);
          terms.put(p, prediction);
          add(latencyErrors, pp.latencyErrorPct(p));
          add(throughputErrors, pp.throughputErrorPct(p));
        } catch (IllegalArgumentException ex) {
          notes.add(g.label() + " " + p.label() + ": no prediction: " + ex.getMessage());
        }
      }
      allLatencyErrors.addAll(latencyErrors);
      allThroughputErrors.addAll(throughputErrors);
      byGroup.put(
          g,
          new Agreement(
              latencyErrors.size(),
              medianAbs(latencyErrors),
              throughputErrors.size(),
              medianAbs(throughputErrors),
              "head threads "
                  + devices.head().threads()
                  + ", tail threads "
                  + devices.tail().threads()));
    }
    Agreement overall =
        new Agreement(
            allLatencyErrors.size(),
            medianAbs(allLatencyErrors),
            allThroughputErrors.size(),
            medianAbs(allThroughputErrors),
            "");
    PredictedVsMeasured result =
        new PredictedVsMeasured(
            byPoint, byGroup, sources, notes, byGroup.isEmpty() ? null : overall);
    result.terms.putAll(terms);
    result.costs = CostPrediction.of(run, result);
    return result;
  }

  /**
   * @return {@code file} relative to its run folder, e.g. {@code jmh/unit-profile.json} (no
   *     absolute paths in reports)
   */
  private static String relative(Path file) {
    Path absolute = file.toAbsolutePath();
    return RunLoader.runFolder(absolute).relativize(absolute).toString().replace('\\', '/');
  }

  static String calibrationKey(GroupKey g) {
    return g.model() + "\u0000" + g.transport() + "\u0000" + g.batch() + "\u0000" + g.variant();
  }

  private static Integer integer(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Integer.valueOf(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not an integer");
    }
  }

  static void add(List<Double> errors, double error) {
    if (Double.isFinite(error)) {
      errors.add(error);
    }
  }

  static double errorPct(double predicted, double measured) {
    if (!Double.isFinite(predicted) || !Double.isFinite(measured) || measured == 0) {
      return Double.NaN;
    }
    return (predicted - measured) / measured * 100;
  }

  /**
   * @param errors signed errors
   * @return the median of their absolute values (the mean of the two middle ones for an even
   *     count), NaN when empty
   */
  public static double medianAbs(List<Double> errors) {
    if (errors.isEmpty()) {
      return Double.NaN;
    }
    double[] abs = errors.stream().mapToDouble(Math::abs).sorted().toArray();
    int mid = abs.length / 2;
    return abs.length % 2 == 1 ? abs[mid] : (abs[mid - 1] + abs[mid]) / 2;
  }

  /**
   * @return the terms of {@code point}'s prediction (compute per stage, bytes per hop), empty when
   *     it has none
   */
  public Optional<Prediction> terms(Point point) {
    return Optional.ofNullable(terms.get(point));
  }

  /**
   * @return the CPU time and energy predictions of the points that recorded them
   */
  public CostPrediction costs() {
    return costs;
  }

  /**
   * @return true when no point has a prediction
   */
  public boolean isEmpty() {
    return byPoint.isEmpty();
  }

  /**
   * @return the prediction of {@code point} (the same instance as in the run), empty when it has
   *     none
   */
  public Optional<PointPrediction> of(Point point) {
    return Optional.ofNullable(byPoint.get(point));
  }

  /**
   * @return the agreement per group that has predictions
   */
  public SortedMap<GroupKey, Agreement> byGroup() {
    return byGroup;
  }

  /**
   * @return the agreement over every point of every group, empty when nothing was predicted
   */
  public Optional<Agreement> overall() {
    return Optional.ofNullable(overall);
  }

  /**
   * @return the files the unit profiles were read from, relative to their run folder
   */
  public List<String> profileSources() {
    return profileSources;
  }

  /**
   * @return why groups or points have no prediction, one line each
   */
  public List<String> notes() {
    return notes;
  }
}
