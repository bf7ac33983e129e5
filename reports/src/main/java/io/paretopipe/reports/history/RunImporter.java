package io.paretopipe.reports.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.format.Phase;
import io.paretopipe.format.RunFolder;
import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.jmh.JmhResult;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.pareto.Frontier;
import io.paretopipe.reports.pareto.LatencyStatistic;
import io.paretopipe.reports.pareto.Objective;
import io.paretopipe.reports.run.RunLoader;
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
 * <p>Figures today come from the reports point model ({@link Point}): {@code latency_mean_ms} and
 * {@code throughput_img_s} with JMH's 99.9% interval, the latency percentiles, the per-phase means
 * and the bytes at the cut; NaN values (not measured) are left out. The frontier class is {@code
 * frontier} or {@code dominated} by exact dominance over mean latency and throughput within the
 * point's group (null when either is unknown).
 */
public final class RunImporter {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Latency percentiles stored, with their figure names. */
  private static final Map<Double, String> PERCENTILES =
      Map.of(
          50.0, "latency_p50_ms",
          90.0, "latency_p90_ms",
          99.0, "latency_p99_ms",
          99.9, "latency_p99_9_ms",
          100.0, "latency_max_ms");

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
    List<PointRecord> points = points(run);
    return new RunRecord(
        digest, startedAt, commit, input.toString(), host, setting, metadataJson, points, notes);
  }

  private static List<PointRecord> points(Run run) {
    Frontier frontier =
        Frontier.compute(
            run.pointsByGroup(),
            List.of(Objective.latency(LatencyStatistic.MEAN), Objective.throughput()),
            false);
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
      if (!p.group().variant().isEmpty()) {
        for (String kv : p.group().variant().split(";")) {
          int eq = kv.indexOf('=');
          if (eq > 0) {
            params.put(kv.substring(0, eq), kv.substring(eq + 1));
          }
        }
      }
      String frontierClass =
          Double.isNaN(p.latencyMeanMs()) || Double.isNaN(p.throughputImgS())
              ? null
              : frontier.contains(p) ? "frontier" : "dominated";
      records.add(
          new PointRecord(
              RunLoader.PARTITION_BENCHMARK,
              PointRecord.identifying(params),
              frontierClass,
              Double.NaN,
              null,
              figures(p)));
    }
    return records;
  }

  private static List<FigureValue> figures(Point p) {
    List<FigureValue> figures = new ArrayList<>();
    add(
        figures,
        "latency_mean_ms",
        "ms/op",
        p.latencyMeanMs(),
        p.latencyMeanLowMs(),
        p.latencyMeanHighMs(),
        0.999);
    new TreeMap<>(PERCENTILES)
        .forEach(
            (percentile, name) ->
                add(
                    figures,
                    name,
                    "ms/op",
                    p.latencyPercentileMs(percentile),
                    Double.NaN,
                    Double.NaN,
                    Double.NaN));
    add(
        figures,
        "throughput_img_s",
        "images/s",
        p.throughputImgS(),
        p.throughputLowImgS(),
        p.throughputHighImgS(),
        0.999);
    for (Phase phase : Phase.values()) {
      add(
          figures,
          phase.tag() + "_ms",
          "ms/op",
          p.phaseMs(phase),
          Double.NaN,
          Double.NaN,
          Double.NaN);
    }
    if (p.bytes() >= 0) {
      add(figures, "bytes", "bytes/op", p.bytes(), Double.NaN, Double.NaN, Double.NaN);
    }
    return figures;
  }

  private static void add(
      List<FigureValue> figures,
      String name,
      String unit,
      double value,
      double low,
      double high,
      double level) {
    if (Double.isNaN(value)) {
      return;
    }
    boolean interval = Double.isFinite(low) && Double.isFinite(high);
    figures.add(
        new FigureValue(
            name,
            unit,
            value,
            interval ? low : Double.NaN,
            interval ? high : Double.NaN,
            interval ? level : Double.NaN,
            -1,
            null));
  }

  private static JsonNode parseMetadata(Path file, String text) throws ReportInputException {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ReportInputException(file, "not JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new ReportInputException(file, "expected a JSON object (paretopipe-run-metadata)");
    }
    String format = node.path("format").asText("paretopipe-run-metadata");
    if (!format.equals("paretopipe-run-metadata")) {
      throw new ReportInputException(
          file, "format \"" + format + "\" (expected: paretopipe-run-metadata)");
    }
    int version = node.path("version").asInt(1);
    if (version > 1) {
      throw new ReportInputException(
          file, "version " + version + " is newer than this reader knows (1): update ParetoPipe");
    }
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
