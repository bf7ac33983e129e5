package io.paretopipe.reports.history;

import com.fasterxml.jackson.databind.JsonNode;
import io.paretopipe.format.Phase;
import io.paretopipe.format.RunFolder;
import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.jmh.JmhResult;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.PointSamples;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.pareto.Convergence;
import io.paretopipe.reports.pareto.Frontier;
import io.paretopipe.reports.pareto.FrontierClass;
import io.paretopipe.reports.pareto.FrontierConfidence;
import io.paretopipe.reports.pareto.LatencyStatistic;
import io.paretopipe.reports.pareto.Objective;
import io.paretopipe.reports.pareto.PointConfidence;
import io.paretopipe.reports.run.MetadataFile;
import io.paretopipe.reports.run.RunLoader;
import io.paretopipe.reports.stats.MeanInterval;
import io.paretopipe.reports.stats.PercentileEstimate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads one run (a run folder, a folder of JMH JSON files, or one JMH JSON file, as for {@code
 * compare}) into a {@link RunRecord}. Everything is read and checked before anything is written, so
 * a corrupt run is refused with a {@link ReportInputException} and no database is touched.
 * Stateless; one instance may read many runs.
 *
 * <p>The digest is the SHA-256 over every file the run consists of, in relative-path order (each
 * file's path, length and bytes): its JMH JSON files, the {@code hlog/*.hlog} and {@code
 * cuts/*.json} of its run folder and {@code run-metadata.json}. The same run added again (from the
 * same folder or a copy of it) has the same digest; a re-written report folder inside it does not
 * count.
 *
 * <p>Figures come from the reports' own pipeline, as {@code pareto} computes them (a run's passes,
 * files and forks pooled by {@link RunLoader}; docs/REPORTS.md, "Statistics"):
 *
 * <ul>
 *   <li>{@code latency_mean_ms} and {@code throughput_img_s}: the pooled mean with its 95% interval
 *       over the replication units ({@code ci_level} 0.95), the requests (latency) or batches
 *       (throughput) as {@code samples} and the units as {@code units}; with one unit the interval
 *       is unknown ({@code NULL}), as in {@code points.csv}.
 *   <li>{@code latency_p50_ms}, {@code latency_p90_ms}, {@code latency_p99_ms}, {@code
 *       latency_p99_9_ms}: the percentile with its distribution-free 95% interval and the requests
 *       it rests on; a percentile the requests cannot support is stored as {@code NULL} with the
 *       reason ({@code null_reason}, e.g. "n=17: a p99 needs at least 555 requests").
 *   <li>{@code latency_max_ms}, the five phase means and {@code bytes}: values only.
 * </ul>
 *
 * NaN values of figures without samples (not measured) are left out. Per point: {@code
 * frontier_class} ({@code frontier}, {@code possible}, {@code dominated}) and {@code
 * frontier_probability} from the bootstrap over mean latency and throughput that {@code pareto}
 * runs by default ({@link Frontier.Method#PROBABILISTIC}, {@value
 * FrontierConfidence#DEFAULT_RESAMPLES} resamples, seed {@value FrontierConfidence#DEFAULT_SEED}:
 * the same run gives the same classes), and {@code converged} by {@link Convergence#DEFAULT}. A
 * group of more than {@value #MAX_BOOTSTRAP_GROUP} points gets no class (with a note).
 */
public final class RunImporter {
  /**
   * Largest group whose frontier bootstrap runs at add: the bootstrap compares every pair of a
   * group's points in each of its 1,000 resamples, which for a group of 6,000 points takes hours (a
   * sweep's group is a model, transport and link: tens of splits).
   */
  static final int MAX_BOOTSTRAP_GROUP = 500;

  /** Latency percentiles stored ({@link PointSamples#REPORTED_PERCENTILES}), with their names. */
  private static final Map<Double, String> PERCENTILES =
      Map.of(
          50.0, "latency_p50_ms",
          90.0, "latency_p90_ms",
          99.0, "latency_p99_ms",
          99.9, "latency_p99_9_ms");

  /**
   * @param input a run folder, a folder of JMH JSON files, or a JMH JSON file
   * @return the run
   * @throws ReportInputException naming the bad file: unreadable, not JMH JSON, no partition
   *     results, a bad {@code run-metadata.json}, or a run that has not finished
   */
  public RunRecord read(Path input) throws ReportInputException {
    Run run = new RunLoader().load(List.of(input));
    if (run.points().isEmpty()) {
      throw new ReportInputException(
          input,
          "no PartitionBenchmark latency or throughput results: the history stores partition points,"
              + " nothing to add");
    }
    TreeSet<Path> jsonFiles = new TreeSet<>();
    for (JmhResult r : run.results()) {
      jsonFiles.add(r.file().toAbsolutePath().normalize());
    }
    Path folder =
        Files.isDirectory(input)
            ? input.toAbsolutePath().normalize()
            : RunLoader.runFolder(input).toAbsolutePath().normalize();
    Path metadataFile = folder.resolve(RunFolder.METADATA_FILE);
    List<String> notes = new ArrayList<>();
    JsonNode metadata = null;
    String metadataJson = null;
    if (Files.isRegularFile(metadataFile)) {
      metadataJson = readString(metadataFile);
      metadata = parseMetadata(metadataFile, metadataJson);
    }
    Instant startedAt;
    HostFingerprint host;
    String commit = null;
    String setting = null;
    if (metadata != null) {
      if (metadata.has("start_time")) {
        startedAt = instant(metadataFile, metadata, "start_time");
      } else {
        startedAt = newestModification(jsonFiles);
        notes.add(metadataFile + " has no start_time: time from the JSON files' modification time");
      }
      host = HostFingerprint.of(metadata);
      String c = metadata.path("git_commit").asText("");
      commit = c.isBlank() || c.equals("unknown") ? null : c;
      String s = metadata.path("sweep").path("setting").asText("");
      setting = s.isBlank() ? null : s;
    } else {
      startedAt = newestModification(jsonFiles);
      host = HostFingerprint.UNKNOWN;
      notes.add(
          "no run-metadata.json beside "
              + input
              + ": host fingerprint \"unknown\", time from the JSON files' modification time, commit"
              + " unknown");
    }
    String digest = digest(folder, jsonFiles);
    List<PointRecord> points = points(run, notes);
    return new RunRecord(
        digest, startedAt, commit, input.toString(), host, setting, metadataJson, points, notes);
  }

  private static List<PointRecord> points(Run run, List<String> notes) {
    Map<io.paretopipe.reports.model.GroupKey, List<Point>> bootstrapped = new TreeMap<>();
    run.pointsByGroup()
        .forEach(
            (group, points) -> {
              if (points.size() <= MAX_BOOTSTRAP_GROUP) {
                bootstrapped.put(group, points);
              } else {
                notes.add(
                    group.label()
                        + ": "
                        + points.size()
                        + " points in one group, more than the "
                        + MAX_BOOTSTRAP_GROUP
                        + " the frontier bootstrap is run on at add: frontier class and"
                        + " probability not stored");
              }
            });
    Frontier frontier =
        Frontier.compute(
            bootstrapped,
            List.of(Objective.latency(LatencyStatistic.MEAN), Objective.throughput()),
            Frontier.Method.PROBABILISTIC,
            false,
            FrontierConfidence.DEFAULT_RESAMPLES,
            FrontierConfidence.DEFAULT_SEED);
    List<PointRecord> records = new ArrayList<>();
    for (Point p : run.points()) {
      SortedMap<String, String> params = new TreeMap<>();
      params.put("model", p.group().model());
      params.put("transport", p.group().transport());
      params.put("link", p.group().link());
      params.put("batch", Integer.toString(p.group().batch()));
      params.put("split", p.split());
      if (!p.depth().isEmpty()) {
        params.put("depth", p.depth());
      }
      params.putAll(p.group().variantParams());
      PointConfidence confidence = frontier.confidenceOf(p);
      FrontierClass frontierClass = confidence.frontierClass();
      records.add(
          new PointRecord(
              RunLoader.PARTITION_BENCHMARK,
              PointRecord.identifying(params),
              frontierClass == null ? null : frontierClass.label(),
              confidence.probability(),
              p.samples() == PointSamples.NONE ? null : Convergence.DEFAULT.converged(p),
              figures(p)));
    }
    return records;
  }

  private static List<FigureValue> figures(Point p) {
    List<FigureValue> figures = new ArrayList<>();
    PointSamples samples = p.samples();
    mean(
        figures,
        "latency_mean_ms",
        "ms/op",
        p.latencyMeanMs(),
        samples.latencyMean(),
        samples.latency().requests());
    for (double percentile : PointSamples.REPORTED_PERCENTILES) {
      String name = PERCENTILES.get(percentile);
      PercentileEstimate e = samples.percentile(percentile);
      double value = p.latencyPercentileMs(percentile);
      if (e == null) {
        add(figures, name, "ms/op", value, samples.latency().units().size());
      } else if (!e.supported()) {
        figures.add(
            new FigureValue(
                name,
                "ms/op",
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                e.count(),
                e.reason(),
                samples.latency().units().size()));
      } else {
        figures.add(
            new FigureValue(
                name,
                "ms/op",
                Double.isNaN(value) ? e.valueMs() : value,
                e.lowMs(),
                e.highMs(),
                PercentileEstimate.LEVEL,
                e.count(),
                null,
                samples.latency().units().size()));
      }
    }
    add(figures, "latency_max_ms", "ms/op", p.latencyMaxMs(), -1);
    mean(
        figures,
        "throughput_img_s",
        "images/s",
        p.throughputImgS(),
        samples.throughputMean(),
        samples.throughput().requests());
    for (Phase phase : Phase.values()) {
      add(figures, phase.tag() + "_ms", "ms/op", p.phaseMs(phase), -1);
    }
    if (p.bytes() >= 0) {
      add(figures, "bytes", "bytes/op", p.bytes(), -1);
    }
    return figures;
  }

  /** A mean with its 95% interval over the units (unknown ends with fewer than two units). */
  private static void mean(
      List<FigureValue> figures,
      String name,
      String unit,
      double value,
      MeanInterval interval,
      long samples) {
    if (Double.isNaN(value)) {
      return;
    }
    boolean known = interval.known();
    figures.add(
        new FigureValue(
            name,
            unit,
            value,
            known ? interval.low() : Double.NaN,
            known ? interval.high() : Double.NaN,
            known ? MeanInterval.LEVEL : Double.NaN,
            samples,
            null,
            interval.units() > 0 ? interval.units() : -1));
  }

  private static void add(
      List<FigureValue> figures, String name, String unit, double value, int units) {
    if (Double.isNaN(value)) {
      return;
    }
    figures.add(
        new FigureValue(
            name,
            unit,
            value,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            -1,
            null,
            units > 0 ? units : -1));
  }

  private static JsonNode parseMetadata(Path file, String text) throws ReportInputException {
    JsonNode node = MetadataFile.parse(file, text);
    if (node.has("start_time") && !node.has("end_time")) {
      throw new ReportInputException(
          file,
          "the run has not finished (no end_time): add it once its sweep is done, or resume it"
              + " with the sweep's --resume");
    }
    return node;
  }

  private static Instant instant(Path file, JsonNode metadata, String field)
      throws ReportInputException {
    String text = metadata.path(field).asText("");
    if (text.isEmpty()) {
      throw new ReportInputException(file, "no \"" + field + "\": cannot place the run in time");
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new ReportInputException(
          file,
          "\""
              + field
              + "\" is \""
              + text
              + "\": expected an ISO-8601 instant such as"
              + " 2026-12-05T01:02:03Z",
          e);
    }
  }

  private static Instant newestModification(TreeSet<Path> files) throws ReportInputException {
    Instant newest = Instant.EPOCH;
    for (Path f : files) {
      try {
        Instant t = Files.getLastModifiedTime(f).toInstant();
        newest = t.isAfter(newest) ? t : newest;
      } catch (IOException e) {
        throw new ReportInputException(f, "cannot read its modification time: " + e, e);
      }
    }
    return newest;
  }

  private static String readString(Path file) throws ReportInputException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ReportInputException(file, "cannot read: " + e, e);
    }
  }

  private static String digest(Path folder, TreeSet<Path> jsonFiles) throws ReportInputException {
    TreeMap<String, Path> files = new TreeMap<>();
    for (Path f : jsonFiles) {
      Path runFolder = RunLoader.runFolder(f);
      files.put(relative(runFolder, f), f);
      for (String sub : List.of(RunFolder.HLOG, RunFolder.CUTS)) {
        Path dir = runFolder.resolve(sub);
        if (Files.isDirectory(dir)) {
          try (Stream<Path> list = Files.list(dir)) {
            list.filter(Files::isRegularFile).forEach(p -> files.put(relative(runFolder, p), p));
          } catch (IOException e) {
            throw new ReportInputException(dir, "cannot list folder: " + e, e);
          }
        }
      }
    }
    Path metadata = folder.resolve(RunFolder.METADATA_FILE);
    if (Files.isRegularFile(metadata)) {
      files.put(RunFolder.METADATA_FILE, metadata);
    }
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    byte[] buffer = new byte[1 << 16];
    for (Map.Entry<String, Path> e : files.entrySet()) {
      sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      try (InputStream in = new DigestInputStream(Files.newInputStream(e.getValue()), sha)) {
        long length = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
          length += n;
        }
        sha.update(Long.toString(length).getBytes(StandardCharsets.UTF_8));
      } catch (IOException ex) {
        throw new ReportInputException(e.getValue(), "cannot read: " + ex, ex);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static String relative(Path folder, Path file) {
    return folder.relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/');
  }
}
