package io.paretopipe.reports.run;

import io.paretopipe.format.HlogFileName;
import io.paretopipe.format.Phase;
import io.paretopipe.format.RunFolder;
import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.hdr.HlogData;
import io.paretopipe.reports.hdr.HlogReader;
import io.paretopipe.reports.jmh.JmhJsonReader;
import io.paretopipe.reports.jmh.JmhMetric;
import io.paretopipe.reports.jmh.JmhResult;
import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.MetricSamples;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.PointSamples;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.model.SampleUnit;
import io.paretopipe.reports.stats.IntervalMethod;
import io.paretopipe.reports.stats.MeanInterval;
import io.paretopipe.reports.stats.PercentileEstimate;
import io.paretopipe.reports.stats.ValueCounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Reads run folders and JMH JSON files into a {@link Run}. Not thread-safe (it caches hlogs and cut
 * tables while loading); use one instance per load.
 *
 * <p>An input is either a JMH JSON file ({@code hlog/} and {@code cuts/} of its run folder are used
 * when they exist) or a folder: a run folder with {@code jmh/} (every {@code *.json} below it, in
 * any sub-folder), or a folder of {@code *.json} files. Results of {@code
 * PartitionBenchmark.latency} and {@code PartitionBenchmark.throughput} become points; they must
 * have the params {@code model}, {@code split}, {@code transport}, {@code link} and a positive
 * integer {@code batch}. Other benchmarks are kept for {@code compare} and otherwise ignored.
 *
 * <p><b>Pooling.</b> Every result with the same {@link ResultIdentity identity} (benchmark, mode,
 * params except {@code tail}) is one measurement, whatever file it is in: a sweep writes one file
 * per pass. Each file's forks become further forks; per-fork, per-iteration samples are kept. Every
 * hlog under {@code hlog/} or one folder below it ({@code hlog/pass-001/}) whose file name decodes
 * to the same identity is merged into it, interval by interval. A pass is a JSON file directly in
 * {@code jmh/}, or a sub-folder of {@code jmh/} with the pass's files.
 */
public final class RunLoader {
  /** Simple class name of the partition benchmark. */
  public static final String PARTITION_BENCHMARK = "PartitionBenchmark";

  /** Percentiles recorded for each point (0..100) when the samples support them. */
  public static final double[] PERCENTILES = {
    0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100
  };

  private static final Set<String> KEY_PARAMS =
      Set.of("model", "split", "transport", "link", "batch", "depth", ResultIdentity.TAIL);

  private static final String SEPARATOR = "__";

  private final IntervalMethod intervals;
  private final JmhJsonReader jmhReader = new JmhJsonReader();
  private final HlogReader hlogReader = new HlogReader();
  private final Map<Path, Map<String, List<Path>>> hlogIndex = new HashMap<>();
  private final Set<Path> usedHlogs = new TreeSet<>();
  private final Map<Path, Optional<CutsTable>> cutsCache = new HashMap<>();
  private final Map<Path, Path> runFolderOfFile = new HashMap<>();
  private final List<String> warnings = new ArrayList<>();

  /** A loader whose points carry {@linkplain IntervalMethod#MODERATED moderated} intervals. */
  public RunLoader() {
    this(IntervalMethod.MODERATED);
  }

  /**
   * @param intervals where the points' mean intervals take their variance from
   */
  public RunLoader(IntervalMethod intervals) {
    this.intervals = java.util.Objects.requireNonNull(intervals, "intervals");
  }

  /**
   * @param inputs files or folders, at least one
   * @return the run; its points may be empty when the inputs hold no partition results
   * @throws ReportInputException naming the first bad file
   */
  public Run load(List<Path> inputs) throws ReportInputException {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException(
          "inputs: empty (expected: at least one JMH JSON file or run folder)");
    }
    Set<Path> seenFiles = new LinkedHashSet<>();
    List<JmhResult> results = new ArrayList<>();
    for (Path input : inputs) {
      for (Path json : jsonFiles(input)) {
        Path real = realPath(json);
        if (!seenFiles.add(real)) {
          warnings.add(json + ": ignored: given twice");
          continue;
        }
        results.addAll(jmhReader.read(json));
      }
    }
    Map<String, List<JmhResult>> latencies = new LinkedHashMap<>();
    Map<String, Map<String, List<JmhResult>>> throughputs = new LinkedHashMap<>();
    Map<String, String> modeOfMeasurement = new HashMap<>();
    for (JmhResult r : results) {
      if (!PARTITION_BENCHMARK.equals(r.className())) {
        continue;
      }
      if (ResultIdentity.openLoop(r.params())) {
        warnings.add(
            r.file()
                + ": ignored "
                + r.label()
                + ": an open-loop scenario=server trial (its latencies are in its .server.json)");
        continue;
      }
      if (!r.method().equals("latency") && !r.method().equals("throughput")) {
        warnings.add(r.file() + ": ignored " + r.label() + ": not a latency or throughput method");
        continue;
      }
      GroupKey group = group(r);
      String pointKey = group + "|" + r.params().get("split");
      String depth = r.method().equals("throughput") ? r.params().getOrDefault("depth", "") : "";
      String measurement = r.method() + "|" + pointKey + "|" + depth;
      String previousMode = modeOfMeasurement.putIfAbsent(measurement, r.mode());
      if (previousMode != null && !previousMode.equals(r.mode())) {
        throw new ReportInputException(
            r.file(),
            "result #"
                + r.index()
                + " ("
                + r.label()
                + ") is in mode "
                + r.mode()
                + " but the same point was also measured in mode "
                + previousMode
                + ": pool results of one mode only");
      }
      if (r.method().equals("latency")) {
        latencies.computeIfAbsent(pointKey, k -> new ArrayList<>()).add(r);
      } else {
        throughputs
            .computeIfAbsent(pointKey, k -> new LinkedHashMap<>())
            .computeIfAbsent(depth, d -> new ArrayList<>())
            .add(r);
      }
    }
    List<Point> points = new ArrayList<>();
    Set<String> keys = new LinkedHashSet<>(latencies.keySet());
    keys.addAll(throughputs.keySet());
    for (String key : keys) {
      List<JmhResult> latency = latencies.getOrDefault(key, List.of());
      Map<String, List<JmhResult>> byDepth = throughputs.getOrDefault(key, Map.of());
      if (byDepth.isEmpty()) {
        points.add(point(latency, List.of()));
      } else {
        for (List<JmhResult> t : byDepth.values()) {
          points.add(point(latency, t));
        }
      }
    }
    for (Map<String, List<Path>> dir : hlogIndex.values()) {
      for (List<Path> hlogs : dir.values()) {
        for (Path hlog : hlogs) {
          if (!usedHlogs.contains(hlog)) {
            warnings.add(hlog + ": ignored: no JMH result with these params");
          }
        }
      }
    }
    return intervals == IntervalMethod.MODERATED
        ? new Run(inputs, results, IntervalModeration.apply(points), warnings, intervals)
        : new Run(inputs, results, points, warnings, intervals);
  }

  private static Path realPath(Path file) throws ReportInputException {
    try {
      return file.toRealPath();
    } catch (IOException e) {
      throw new ReportInputException(file, "cannot read: " + e, e);
    }
  }

  private List<Path> jsonFiles(Path input) throws ReportInputException {
    if (!Files.exists(input)) {
      throw new ReportInputException(input, "no such file or folder");
    }
    if (!Files.isDirectory(input)) {
      runFolderOfFile.put(input, runFolder(input));
      return List.of(input);
    }
    boolean isRunFolder = Files.isDirectory(input.resolve(RunFolder.JMH));
    Path jmhDir = isRunFolder ? input.resolve(RunFolder.JMH) : input;
    List<Path> files;
    try (Stream<Path> list = isRunFolder ? Files.walk(jmhDir) : Files.list(jmhDir)) {
      files =
          list.filter(p -> p.getFileName().toString().endsWith(".json"))
              .filter(p -> !p.getFileName().toString().equals(RunFolder.METADATA_FILE))
              .filter(p -> !jmhDir.relativize(p).toString().startsWith("."))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new ReportInputException(input, "cannot list folder: " + e, e);
    }
    if (files.isEmpty()) {
      throw new ReportInputException(
          input,
          "no JMH JSON files: expected a run folder with jmh/*.json, a folder of "
              + "*.json files, or a JMH JSON file");
    }
    for (Path f : files) {
      runFolderOfFile.put(f, input.toAbsolutePath());
    }
    return files;
  }

  private static GroupKey group(JmhResult r) throws ReportInputException {
    for (String required : List.of("model", "split", "transport", "link", "batch")) {
      if (!r.params().containsKey(required)) {
        throw new ReportInputException(
            r.file(),
            "result #"
                + r.index()
                + " ("
                + r.benchmark()
                + ") has no param \""
                + required
                + "\": "
                + PARTITION_BENCHMARK
                + " results need params model, split, transport, link, batch"
                + " (found "
                + (r.params().isEmpty() ? "no params" : String.join(", ", r.params().keySet()))
                + ")");
      }
    }
    int batch;
    try {
      batch = Integer.parseInt(r.params().get("batch").trim());
    } catch (NumberFormatException e) {
      batch = -1;
    }
    if (batch <= 0) {
      throw new ReportInputException(
          r.file(),
          "result #"
              + r.index()
              + " ("
              + r.benchmark()
              + ") has batch \""
              + r.params().get("batch")
              + "\": expected a positive integer");
    }
    StringBuilder variant = new StringBuilder();
    ResultIdentity.params(r.params())
        .forEach(
            (k, v) -> {
              if (!KEY_PARAMS.contains(k)) {
                variant.append(variant.length() == 0 ? "" : ";").append(k).append('=').append(v);
              }
            });
    return new GroupKey(
        r.params().get("model"),
        r.params().get("transport"),
        r.params().get("link"),
        batch,
        variant.toString());
  }

  /** One measured iteration of a latency. */
  private record LatencyIteration(
      String source, long requests, double meanMs, ValueCounts values) {}

  private Point point(List<JmhResult> latency, List<JmhResult> throughput)
      throws ReportInputException {
    JmhResult any = !latency.isEmpty() ? latency.get(0) : throughput.get(0);
    GroupKey group = group(any);
    String split = any.params().get("split");
    List<HlogData> latencyFiles = hlogFiles(latency);
    List<HlogData> throughputFiles = hlogFiles(throughput);
    HlogData latencyLog = latencyFiles.isEmpty() ? null : HlogData.merge(latencyFiles);
    HlogData throughputLog = throughputFiles.isEmpty() ? null : HlogData.merge(throughputFiles);

    double meanMs = Double.NaN;
    double lowMs = Double.NaN;
    double highMs = Double.NaN;
    SortedMap<Double, Double> percentiles = new TreeMap<>();
    List<PercentileEstimate> reported = new ArrayList<>();
    MetricSamples latencySamples = MetricSamples.NONE;
    if (!latency.isEmpty()) {
      List<LatencyIteration> iterations = new ArrayList<>();
      int forks = 0;
      boolean histograms = true;
      List<Double> scoresMs = new ArrayList<>();
      for (JmhResult r : latency) {
        JmhMetric m = r.primary();
        double toMs = millisFactor(r);
        String source = passOf(r.file());
        if (!m.rawDataHistogram().isEmpty()) {
          forks += m.rawDataHistogram().size();
          for (List<List<double[]>> fork : m.rawDataHistogram()) {
            for (List<double[]> iteration : fork) {
              ValueCounts values = ValueCounts.ofPairs(iteration, toMs);
              if (values.total() > 0) {
                iterations.add(new LatencyIteration(source, values.total(), values.mean(), values));
                scoresMs.add(values.mean());
              }
            }
          }
        } else {
          histograms = false;
          forks += Math.max(1, m.rawData().size());
          double[] scores = m.iterationScores();
          if (scores.length == 0) {
            scores = new double[] {m.score()};
          }
          for (double s : scores) {
            if (Double.isFinite(s)) {
              iterations.add(new LatencyIteration(source, 0, s * toMs, ValueCounts.EMPTY));
              scoresMs.add(s * toMs);
            }
          }
        }
      }
      if (latency.size() == 1) {
        JmhMetric m = latency.get(0).primary();
        double toMs = millisFactor(latency.get(0));
        meanMs = m.score() * toMs;
        lowMs = m.confidenceLow() * toMs;
        highMs = m.confidenceHigh() * toMs;
      } else if (histograms) {
        ValueCounts all =
            ValueCounts.pool(iterations.stream().map(LatencyIteration::values).toList());
        meanMs = all.mean();
        double[] jmh = jmhStyleInterval(meanMs, all.variance(), all.total());
        lowMs = jmh[0];
        highMs = jmh[1];
      } else {
        double[] values = scoresMs.stream().mapToDouble(Double::doubleValue).toArray();
        meanMs = mean(values);
        double[] jmh = jmhStyleInterval(meanMs, variance(values), values.length);
        lowMs = jmh[0];
        highMs = jmh[1];
      }
      Histogram e2e =
          latencyLog == null ? null : latencyLog.histogramsByTag().get(HlogData.TAG_E2E);
      boolean hlogCovers =
          e2e != null && e2e.getTotalCount() > 0 && latencyLog.e2eIntervals() >= iterations.size();
      if (e2e != null && !hlogCovers) {
        warnings.add(
            latency.get(0).label()
                + ": its hlogs hold "
                + latencyLog.e2eIntervals()
                + " intervals for "
                + iterations.size()
                + " iterations (JMH forks write one file each and overwrite it): percentiles from "
                + "JMH's histograms");
      }
      String source;
      ValueCounts values;
      if (hlogCovers) {
        source = "hlog";
        values = ValueCounts.ofNanosHistogram(e2e);
      } else if (histograms) {
        source = "jmh_histogram";
        values = ValueCounts.pool(iterations.stream().map(LatencyIteration::values).toList());
      } else {
        source = "jmh_iterations";
        values = ValueCounts.EMPTY;
      }
      for (double p : PERCENTILES) {
        if (values.total() == 0) {
          break;
        }
        if (p == 0 || p == 100) {
          percentiles.put(
              p,
              hlogCovers
                  ? (p == 0 ? e2e.getMinValue() : e2e.getMaxValue()) / 1e6
                  : values.valueAtRank(p == 0 ? 1 : values.total()));
          continue;
        }
        PercentileEstimate estimate =
            PercentileEstimate.of(
                p, values, hlogCovers ? e2e.getValueAtPercentile(p) / 1e6 : Double.NaN);
        if (estimate.supported()) {
          percentiles.put(p, estimate.valueMs());
        }
      }
      for (double p : PointSamples.REPORTED_PERCENTILES) {
        reported.add(
            values.total() == 0
                ? PercentileEstimate.unsupported(
                    p, 0, "no per-request samples (only JMH's per-iteration scores)")
                : PercentileEstimate.of(
                    p, values, hlogCovers ? e2e.getValueAtPercentile(p) / 1e6 : Double.NaN));
      }
      long requests =
          histograms
              ? iterations.stream().mapToLong(LatencyIteration::requests).sum()
              : hlogCovers ? e2e.getTotalCount() : -1;
      latencySamples =
          new MetricSamples(
              latencyUnits(iterations, histograms), requests, iterations.size(), forks, source);
    }

    double imgS = Double.NaN;
    double imgLow = Double.NaN;
    double imgHigh = Double.NaN;
    String depth = "";
    MetricSamples throughputSamples = MetricSamples.NONE;
    if (!throughput.isEmpty()) {
      depth = throughput.get(0).params().getOrDefault("depth", "");
      List<String> sources = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      int forks = 0;
      double batches = 0;
      for (JmhResult t : throughput) {
        JmhMetric images = t.secondary().get("images");
        JmhMetric m = images != null ? images : t.primary();
        double scale = perSecondFactor(t, m);
        if (images == null) {
          scale *= group.batch();
        }
        double[] scores = m.iterationScores();
        forks += Math.max(1, m.rawData().size());
        if (scores.length == 0) {
          scores = new double[] {m.score()};
        }
        for (double s : scores) {
          if (Double.isFinite(s)) {
            sources.add(passOf(t.file()));
            values.add(s * scale);
            batches += s * scale / group.batch() * t.measurementSeconds();
          }
        }
      }
      if (throughput.size() == 1) {
        JmhResult t = throughput.get(0);
        JmhMetric images = t.secondary().get("images");
        JmhMetric m = images != null ? images : t.primary();
        double scale = perSecondFactor(t, m) * (images == null ? group.batch() : 1);
        imgS = m.score() * scale;
        imgLow = m.confidenceLow() * scale;
        imgHigh = m.confidenceHigh() * scale;
      } else {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        imgS = mean(v);
        double[] jmh = jmhStyleInterval(imgS, variance(v), v.length);
        imgLow = jmh[0];
        imgHigh = jmh[1];
      }
      Histogram e2e =
          throughputLog == null ? null : throughputLog.histogramsByTag().get(HlogData.TAG_E2E);
      long batchCount;
      if (e2e != null && throughputLog.e2eIntervals() >= values.size()) {
        batchCount = e2e.getTotalCount();
      } else {
        batchCount = Double.isFinite(batches) ? Math.round(batches) : -1;
      }
      throughputSamples =
          new MetricSamples(
              throughputUnits(sources, values), batchCount, values.size(), forks, "jmh_iterations");
    }

    Map<Phase, Double> phases = new EnumMap<>(Phase.class);
    for (HlogData log : new HlogData[] {latencyLog, throughputLog}) {
      if (log != null && phases.isEmpty()) {
        for (Phase phase : Phase.parts()) {
          Histogram h = log.histogramsByTag().get(phase.tag());
          if (h != null && h.getTotalCount() > 0) {
            phases.put(phase, h.getMean() / 1e6);
          }
        }
      }
    }

    long bytes = -1;
    for (HlogData log : new HlogData[] {latencyLog, throughputLog}) {
      if (bytes < 0 && log != null && log.bytesPerRequest().isPresent()) {
        bytes = log.bytesPerRequest().getAsLong();
      }
    }
    if (bytes < 0) {
      Optional<CutsTable> cuts = cuts(any.file(), group.model());
      if (cuts.isPresent()) {
        bytes = cuts.get().bytes(split, group.batch());
      }
    }
    PointSamples samples =
        new PointSamples(
            latencySamples,
            throughputSamples,
            latencySamples.interval(meanMs),
            throughputSamples.interval(imgS),
            reported);
    return new Point(
        group,
        split,
        depth,
        meanMs,
        lowMs,
        highMs,
        percentiles,
        imgS,
        imgLow,
        imgHigh,
        bytes,
        phases,
        samples,
        CostReader.read(
            throughputFiles, latencyFiles, hlog -> unitOfHlog(hlog, latency, throughput)));
  }

  /**
   * The replication unit an hlog belongs to, named as its JMH result's units are ({@link #passOf}):
   * an hlog in {@code hlog/pass-003/} belongs to the pooled result file or folder of {@code jmh/}
   * whose name is {@code pass-003} or starts with {@code pass-003-} or {@code pass-003.}; otherwise
   * it is its own unit.
   */
  private String unitOfHlog(Path hlog, List<JmhResult> latency, List<JmhResult> throughput) {
    Path parent = hlog.toAbsolutePath().getParent();
    String pass = parent == null ? "" : parent.getFileName().toString();
    if (!pass.equals(RunFolder.HLOG)) {
      for (List<JmhResult> results : List.of(throughput, latency)) {
        for (JmhResult r : results) {
          String source = passOf(r.file());
          String name = Path.of(source).getFileName().toString();
          if (name.equals(pass) || name.startsWith(pass + "-") || name.startsWith(pass + ".")) {
            return source;
          }
        }
      }
    }
    return hlog.toString();
  }

  /**
   * The pass a JMH JSON file belongs to: its folder when it sits in a sub-folder of a run's {@code
   * jmh/} (one folder per pass, e.g. {@code jmh/pass-003/split=5.json}), else the file itself (one
   * file per pass). Points measured in the same passes are paired by the bootstrap.
   */
  private String passOf(Path file) {
    Path folder = runFolderOfFile.get(file);
    Path parent = file.toAbsolutePath().getParent();
    if (folder != null && parent != null) {
      Path jmh = folder.resolve(RunFolder.JMH);
      if (!parent.equals(jmh) && parent.startsWith(jmh)) {
        return parent.toString();
      }
    }
    return file.toString();
  }

  /**
   * The replication units of a latency: one per file when the point was measured in two or more
   * files (passes), else one per iteration.
   */
  private static List<SampleUnit> latencyUnits(
      List<LatencyIteration> iterations, boolean histograms) {
    Map<String, List<LatencyIteration>> bySource = new LinkedHashMap<>();
    iterations.forEach(i -> bySource.computeIfAbsent(i.source(), s -> new ArrayList<>()).add(i));
    List<SampleUnit> units = new ArrayList<>();
    if (bySource.size() >= 2) {
      for (Map.Entry<String, List<LatencyIteration>> e : bySource.entrySet()) {
        List<LatencyIteration> its = e.getValue();
        double[] weights = its.stream().mapToDouble(i -> histograms ? i.requests() : 1).toArray();
        double[] means = its.stream().mapToDouble(LatencyIteration::meanMs).toArray();
        double total = 0;
        double sum = 0;
        for (int i = 0; i < means.length; i++) {
          total += weights[i];
          sum += weights[i] * means[i];
        }
        double mean = sum / total;
        double inner;
        ValueCounts values = ValueCounts.pool(its.stream().map(LatencyIteration::values).toList());
        if (its.size() >= 2) {
          inner = MeanInterval.of(mean, weights, means).standardError();
        } else {
          inner = histograms ? requestStandardError(values) : 0;
        }
        units.add(new SampleUnit(e.getKey(), total, mean, inner, values));
      }
    } else {
      for (LatencyIteration i : iterations) {
        units.add(
            new SampleUnit(
                i.source(),
                histograms ? i.requests() : 1,
                i.meanMs(),
                histograms ? requestStandardError(i.values()) : 0,
                i.values()));
      }
    }
    return units;
  }

  private static double requestStandardError(ValueCounts values) {
    double variance = values.variance();
    return Double.isFinite(variance) ? Math.sqrt(variance / values.total()) : 0;
  }

  /** Like {@link #latencyUnits}, for per-iteration throughputs (every iteration weighs 1). */
  private static List<SampleUnit> throughputUnits(List<String> sources, List<Double> values) {
    Map<String, List<Double>> bySource = new LinkedHashMap<>();
    for (int i = 0; i < values.size(); i++) {
      bySource.computeIfAbsent(sources.get(i), s -> new ArrayList<>()).add(values.get(i));
    }
    List<SampleUnit> units = new ArrayList<>();
    if (bySource.size() >= 2) {
      bySource.forEach(
          (source, list) -> {
            double[] v = list.stream().mapToDouble(Double::doubleValue).toArray();
            double inner = v.length >= 2 ? Math.sqrt(variance(v) / v.length) : 0;
            units.add(new SampleUnit(source, v.length, mean(v), inner, ValueCounts.EMPTY));
          });
    } else {
      for (int i = 0; i < values.size(); i++) {
        units.add(new SampleUnit(sources.get(i), 1, values.get(i), 0, ValueCounts.EMPTY));
      }
    }
    return units;
  }

  /** JMH's own interval: Student t at 99.9% over every sample, as if they were independent. */
  private static double[] jmhStyleInterval(double mean, double variance, long n) {
    if (n < 2 || !Double.isFinite(variance)) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double half =
        new TDistribution(null, n - 1).inverseCumulativeProbability(0.9995)
            * Math.sqrt(variance / n);
    return new double[] {mean - half, mean + half};
  }

  private static double mean(double[] v) {
    double sum = 0;
    for (double x : v) {
      sum += x;
    }
    return v.length == 0 ? Double.NaN : sum / v.length;
  }

  private static double variance(double[] v) {
    if (v.length < 2) {
      return Double.NaN;
    }
    double m = mean(v);
    double sum = 0;
    for (double x : v) {
      sum += (x - m) * (x - m);
    }
    return sum / (v.length - 1);
  }

  private static double millisFactor(JmhResult latency) throws ReportInputException {
    JmhMetric m = latency.primary();
    return Units.toMillisFactor(m.unit())
        .orElseThrow(
            () ->
                new ReportInputException(
                    latency.file(),
                    "result #"
                        + latency.index()
                        + " ("
                        + latency.benchmark()
                        + ") has scoreUnit \""
                        + m.unit()
                        + "\": a latency needs a time per operation such as ms/op"));
  }

  private static double perSecondFactor(JmhResult throughput, JmhMetric m)
      throws ReportInputException {
    return Units.toPerSecondFactor(m.unit())
        .orElseThrow(
            () ->
                new ReportInputException(
                    throughput.file(),
                    "result #"
                        + throughput.index()
                        + " ("
                        + throughput.benchmark()
                        + ") has unit \""
                        + m.unit()
                        + "\": a throughput needs operations per time such as ops/s"));
  }

  /**
   * @param jsonFile a JMH JSON file
   * @return the folder it belongs to: the run folder for {@code RUN/jmh/x.json} (or {@code
   *     RUN/jmh/any/x.json}), else the file's folder
   */
  public static Path runFolder(Path jsonFile) {
    Path parent = jsonFile.toAbsolutePath().getParent();
    Path grandparent = parent.getParent();
    for (Path p : new Path[] {parent, grandparent}) {
      if (p != null
          && p.getFileName() != null
          && p.getFileName().toString().equals(RunFolder.JMH)
          && p.getParent() != null) {
        return p.getParent();
      }
    }
    return parent;
  }

  /**
   * The hlogs of every result of one pooled measurement, one per file, empty when there are none.
   */
  private List<HlogData> hlogFiles(List<JmhResult> pooled) throws ReportInputException {
    Set<Path> files = new TreeSet<>();
    for (JmhResult r : pooled) {
      Path folder = runFolderOfFile.getOrDefault(r.file(), runFolder(r.file()));
      Map<String, List<Path>> index = hlogIndex(folder.resolve(RunFolder.HLOG));
      files.addAll(
          index.getOrDefault(ResultIdentity.hlogKey(r.simpleName(), r.params()), List.of()));
    }
    if (files.isEmpty()) {
      return List.of();
    }
    usedHlogs.addAll(files);
    List<HlogData> parts;
    try {
      parts =
          files.parallelStream()
              .map(
                  file -> {
                    try {
                      return hlogReader.read(file);
                    } catch (ReportInputException e) {
                      throw new java.io.UncheckedIOException(new java.io.IOException(e));
                    }
                  })
              .toList();
    } catch (java.io.UncheckedIOException e) {
      throw (ReportInputException) e.getCause().getCause();
    }
    return parts;
  }

  /** hlogs in {@code dir} and one level below, by {@link ResultIdentity#hlogKey}. */
  private Map<String, List<Path>> hlogIndex(Path dir) throws ReportInputException {
    Map<String, List<Path>> index = hlogIndex.get(dir);
    if (index != null) {
      return index;
    }
    index = new TreeMap<>();
    if (Files.isDirectory(dir)) {
      for (Path p : HlogReader.list(dir)) {
        String name = p.getFileName().toString();
        int cut = name.indexOf(SEPARATOR);
        String simpleName =
            cut < 0
                ? name.substring(0, name.length() - HlogFileName.EXTENSION.length())
                : name.substring(0, cut);
        try {
          SortedMap<String, String> params = HlogFileName.params(name);
          index
              .computeIfAbsent(ResultIdentity.hlogKey(simpleName, params), k -> new ArrayList<>())
              .add(p);
        } catch (IllegalArgumentException e) {
          warnings.add(p + ": ignored: " + e.getMessage());
        }
      }
    }
    hlogIndex.put(dir, index);
    return index;
  }

  private Optional<CutsTable> cuts(Path jsonFile, String model) throws ReportInputException {
    Path folder = runFolderOfFile.getOrDefault(jsonFile, runFolder(jsonFile));
    Path file = folder.resolve(RunFolder.CUTS).resolve(CutsTable.fileName(model));
    Optional<CutsTable> table = cutsCache.get(file);
    if (table == null) {
      table = Files.isRegularFile(file) ? Optional.of(CutsTable.read(file)) : Optional.empty();
      cutsCache.put(file, table);
    }
    return table;
  }
}
