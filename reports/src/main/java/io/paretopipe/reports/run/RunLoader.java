package io.paretopipe.reports.run;

import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.hdr.HlogData;
import io.paretopipe.reports.hdr.HlogFileName;
import io.paretopipe.reports.hdr.HlogReader;
import io.paretopipe.reports.jmh.JmhJsonReader;
import io.paretopipe.reports.jmh.JmhMetric;
import io.paretopipe.reports.jmh.JmhResult;
import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Phase;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Reads run folders and JMH JSON files into a {@link Run}. Not thread-safe (it caches hlogs and cut
 * tables while loading); use one instance per load.
 *
 * <p>An input is either a JMH JSON file ({@code hlog/} and {@code cuts/} beside it are used when
 * they exist) or a folder: a run folder with {@code jmh/*.json}, or a folder of {@code *.json}
 * files. Results of {@code PartitionBenchmark.latency} and {@code PartitionBenchmark.throughput}
 * become points; they must have the params {@code model}, {@code split}, {@code transport}, {@code
 * link} and a positive integer {@code batch}. Other benchmarks are kept for {@code compare} and
 * otherwise ignored.
 */
public final class RunLoader {
  /** Simple class name of the partition benchmark. */
  public static final String PARTITION_BENCHMARK = "PartitionBenchmark";

  /** Percentiles recorded for each point (0..100). */
  public static final double[] PERCENTILES = {
    0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100
  };

  private static final Set<String> KEY_PARAMS =
      Set.of("model", "split", "transport", "link", "batch", "depth", "tail");

  private final JmhJsonReader jmhReader = new JmhJsonReader();
  private final HlogReader hlogReader = new HlogReader();
  private final Map<Path, Map<String, Path>> hlogIndex = new HashMap<>();
  private final Set<Path> usedHlogs = new TreeSet<>();
  private final Map<Path, Optional<CutsTable>> cutsCache = new HashMap<>();

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
    List<JmhResult> results = new ArrayList<>();
    for (Path input : inputs) {
      for (Path json : jsonFiles(input)) {
        results.addAll(jmhReader.read(json));
      }
    }
    List<String> warnings = new ArrayList<>();
    Map<String, JmhResult> latencies = new LinkedHashMap<>();
    Map<String, List<JmhResult>> throughputs = new LinkedHashMap<>();
    Map<String, JmhResult> seen = new HashMap<>();
    for (JmhResult r : results) {
      if (!PARTITION_BENCHMARK.equals(r.className())) {
        continue;
      }
      if (!r.method().equals("latency") && !r.method().equals("throughput")) {
        warnings.add(r.file() + ": ignored " + r.label() + ": not a latency or throughput method");
        continue;
      }
      GroupKey group = group(r);
      String split = r.params().get("split");
      String pointKey = group + "|" + split;
      String depth = r.method().equals("throughput") ? r.params().getOrDefault("depth", "") : "";
      JmhResult previous = seen.put(r.method() + "|" + pointKey + "|" + depth, r);
      if (previous != null) {
        throw new ReportInputException(
            r.file(),
            "duplicate result for "
                + r.label()
                + " (also result #"
                + previous.index()
                + " of "
                + previous.file()
                + "): pass each run once");
      }
      if (r.method().equals("latency")) {
        latencies.put(pointKey, r);
      } else {
        throughputs.computeIfAbsent(pointKey, k -> new ArrayList<>()).add(r);
      }
    }
    List<Point> points = new ArrayList<>();
    Set<String> keys = new java.util.LinkedHashSet<>(latencies.keySet());
    keys.addAll(throughputs.keySet());
    for (String key : keys) {
      JmhResult latency = latencies.get(key);
      List<JmhResult> ts = throughputs.getOrDefault(key, List.of());
      if (ts.isEmpty()) {
        points.add(point(latency, null));
      } else {
        for (JmhResult t : ts) {
          points.add(point(latency, t));
        }
      }
    }
    for (Map.Entry<Path, Map<String, Path>> dir : hlogIndex.entrySet()) {
      for (Path hlog : dir.getValue().values()) {
        if (!usedHlogs.contains(hlog)) {
          warnings.add(hlog + ": ignored: no JMH result with these params");
        }
      }
    }
    return new Run(inputs, results, points, warnings);
  }

  private static List<Path> jsonFiles(Path input) throws ReportInputException {
    if (!Files.exists(input)) {
      throw new ReportInputException(input, "no such file or folder");
    }
    if (!Files.isDirectory(input)) {
      return List.of(input);
    }
    Path jmhDir = Files.isDirectory(input.resolve("jmh")) ? input.resolve("jmh") : input;
    List<Path> files;
    try (Stream<Path> list = Files.list(jmhDir)) {
      files =
          list.filter(p -> p.getFileName().toString().endsWith(".json"))
              .filter(p -> !p.getFileName().toString().equals("run-metadata.json"))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new ReportInputException(input, "cannot list folder: " + e, e);
    }
    if (files.isEmpty()) {
      throw new ReportInputException(
          input,
          "no JMH JSON files: expected a run folder with jmh/*.json, a folder of "
              + "*.json files, or a JMH JSON file");
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
    r.params()
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

  private Point point(JmhResult latency, JmhResult throughput) throws ReportInputException {
    JmhResult any = latency != null ? latency : throughput;
    GroupKey group = group(any);
    String split = any.params().get("split");
    HlogData latencyLog = latency == null ? null : hlog(latency);
    HlogData throughputLog = throughput == null ? null : hlog(throughput);

    double meanMs = Double.NaN;
    double lowMs = Double.NaN;
    double highMs = Double.NaN;
    SortedMap<Double, Double> percentiles = new TreeMap<>();
    if (latency != null) {
      JmhMetric m = latency.primary();
      double toMs =
          Units.toMillisFactor(m.unit())
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
      meanMs = m.score() * toMs;
      lowMs = m.confidenceLow() * toMs;
      highMs = m.confidenceHigh() * toMs;
      Histogram e2e =
          latencyLog == null ? null : latencyLog.histogramsByTag().get(HlogData.TAG_E2E);
      if (e2e != null && e2e.getTotalCount() > 0) {
        for (double p : PERCENTILES) {
          long nanos =
              p == 0
                  ? e2e.getMinValue()
                  : p == 100 ? e2e.getMaxValue() : e2e.getValueAtPercentile(p);
          percentiles.put(p, nanos / 1e6);
        }
      } else {
        m.percentiles().forEach((p, v) -> percentiles.put(p, v * toMs));
      }
    }

    double imgS = Double.NaN;
    double imgLow = Double.NaN;
    double imgHigh = Double.NaN;
    String depth = "";
    if (throughput != null) {
      depth = throughput.params().getOrDefault("depth", "");
      JmhMetric images = throughput.secondary().get("images");
      JmhMetric m = images != null ? images : throughput.primary();
      double scale =
          Units.toPerSecondFactor(m.unit())
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
      if (images == null) {
        scale *= group.batch();
      }
      imgS = m.score() * scale;
      imgLow = m.confidenceLow() * scale;
      imgHigh = m.confidenceHigh() * scale;
    }

    Map<Phase, Double> phases = new EnumMap<>(Phase.class);
    for (HlogData log : new HlogData[] {latencyLog, throughputLog}) {
      if (log != null && phases.isEmpty()) {
        for (Phase phase : Phase.values()) {
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
        phases);
  }

  /**
   * @param jsonFile a JMH JSON file
   * @return the folder it belongs to: the run folder for {@code RUN/jmh/x.json}, else the file's
   *     folder
   */
  public static Path runFolder(Path jsonFile) {
    Path parent = jsonFile.toAbsolutePath().getParent();
    if (parent.getFileName() != null
        && parent.getFileName().toString().equals("jmh")
        && parent.getParent() != null) {
      return parent.getParent();
    }
    return parent;
  }

  private HlogData hlog(JmhResult r) throws ReportInputException {
    Path dir = runFolder(r.file()).resolve("hlog");
    Map<String, Path> index = hlogIndex.get(dir);
    if (index == null) {
      index = new TreeMap<>();
      if (Files.isDirectory(dir)) {
        try (Stream<Path> list = Files.list(dir)) {
          for (Path p :
              list.filter(p -> p.getFileName().toString().endsWith(HlogFileName.EXTENSION))
                  .toList()) {
            index.put(p.getFileName().toString(), p);
          }
        } catch (IOException e) {
          throw new ReportInputException(dir, "cannot list folder: " + e, e);
        }
      }
      hlogIndex.put(dir, index);
    }
    Path file = index.get(HlogFileName.of(r.simpleName(), r.params()));
    if (file == null) {
      return null;
    }
    usedHlogs.add(file);
    return hlogReader.read(file);
  }

  private Optional<CutsTable> cuts(Path jsonFile, String model) throws ReportInputException {
    Path file = runFolder(jsonFile).resolve("cuts").resolve(CutsTable.fileName(model));
    Optional<CutsTable> table = cutsCache.get(file);
    if (table == null) {
      table = Files.isRegularFile(file) ? Optional.of(CutsTable.read(file)) : Optional.empty();
      cutsCache.put(file, table);
    }
    return table;
  }
}
