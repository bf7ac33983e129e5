package io.paretopipe.reports.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Runs for the history tests: synthetic records and a large JMH JSON run folder. */
final class HistoryFixtures {
  static final HostFingerprint HOST =
      new HostFingerprint("0123456789ab", new TreeMap<>(Map.of("cpu_model", "test CPU")));

  private HistoryFixtures() {}

  /**
   * A run of 4 splits of one nio group: split k has latency 100 + 10 k ms and throughput 80 - 5 k
   * images/s, each times {@code exp(noise)} with 1% noise, and latency times {@code slowdown} for
   * split 2 (so split 0 is on the frontier unless it is slowed).
   */
  static RunRecord run(int night, Random random, double split2Slowdown, double split0Slowdown) {
    List<PointRecord> points = new ArrayList<>();
    for (int split = 0; split < 4; split++) {
      double slow = split == 2 ? split2Slowdown : split == 0 ? split0Slowdown : 1;
      double latency = (100 + 10 * split) * slow * Math.exp(0.01 * random.nextGaussian());
      double throughput = (80 - 5 * split) / slow * Math.exp(0.01 * random.nextGaussian());
      TreeMap<String, String> params = new TreeMap<>();
      params.put("model", "mobilenetv2");
      params.put("transport", "nio");
      params.put("link", "none");
      params.put("batch", "8");
      params.put("depth", "4");
      params.put("split", Integer.toString(split));
      points.add(
          new PointRecord(
              "PartitionBenchmark",
              params,
              split == 0 && split0Slowdown == 1 ? "frontier" : "dominated",
              Double.NaN,
              null,
              List.of(
                  new FigureValue(
                      "latency_mean_ms",
                      "ms/op",
                      latency,
                      latency * 0.98,
                      latency * 1.02,
                      0.999,
                      120,
                      null),
                  new FigureValue(
                      "throughput_img_s",
                      "images/s",
                      throughput,
                      throughput * 0.98,
                      throughput * 1.02,
                      0.999,
                      30,
                      null),
                  new FigureValue(
                      "latency_p99_ms",
                      "ms/op",
                      Double.NaN,
                      Double.NaN,
                      Double.NaN,
                      Double.NaN,
                      17,
                      "17 samples cannot support a p99"))));
    }
    return new RunRecord(
        "digest-" + night + "-" + random.nextLong(),
        Instant.parse("2026-12-01T02:00:00Z").plusSeconds(86400L * night),
        String.format("%07x", night + 1) + "0".repeat(33),
        "night-" + night,
        HOST,
        "quick",
        null,
        points,
        List.of());
  }

  /** Writes a run folder with {@code points} partition points (latency and throughput each). */
  static Path largeRun(Path dir, int points) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ArrayNode results = json.createArrayNode();
    Random random = new Random(7);
    for (int i = 0; i < points; i++) {
      for (String method : List.of("latency", "throughput")) {
        ObjectNode r = results.addObject();
        r.put("benchmark", "io.paretopipe.benchmarks.PartitionBenchmark." + method);
        r.put("mode", method.equals("latency") ? "avgt" : "thrpt");
        ObjectNode params = r.putObject("params");
        params.put("model", "bignet");
        params.put("split", Integer.toString(i));
        params.put("transport", "nio");
        params.put("link", "none");
        params.put("batch", "8");
        params.put("depth", "4");
        params.put("tail", "127.0.0.1:" + (30000 + i % 1000));
        ObjectNode m = r.putObject("primaryMetric");
        double score =
            method.equals("latency") ? 100 + random.nextDouble() : 5 + random.nextDouble();
        m.put("score", score);
        m.put("scoreError", score * 0.02);
        m.putArray("scoreConfidence").add(score * 0.98).add(score * 1.02);
        ObjectNode percentiles = m.putObject("scorePercentiles");
        for (String p : List.of("50.0", "90.0", "99.0", "99.9", "100.0")) {
          percentiles.put(p, score * (1 + Double.parseDouble(p) / 1000));
        }
        m.put("scoreUnit", method.equals("latency") ? "ms/op" : "ops/s");
        m.putArray("rawData").addArray().add(score);
      }
    }
    Files.createDirectories(dir.resolve("jmh"));
    json.writeValue(dir.resolve("jmh").resolve("results.json").toFile(), results);
    return dir;
  }
}
