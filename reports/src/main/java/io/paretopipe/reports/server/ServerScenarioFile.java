package io.paretopipe.reports.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.reports.ReportInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The sweep's {@code server-scenario.json} (format version 1, docs/OPEN-LOOP.md): the SLO and, per
 * point, the peak search's bracket, its probes (the latency-vs-offered-load curve) and the phases
 * of requests sent one at a time. Rates in requests per second, times in milliseconds; a missing
 * rate or a percentile that fell among drops is NaN.
 *
 * @param slo e.g. {@code p99=500ms}
 * @param percentile the SLO's percentile, e.g. 99
 * @param boundMs the SLO's bound
 */
public record ServerScenarioFile(
    String slo, double percentile, double boundMs, int batch, List<Point> points) {

  /** File name in a run folder. */
  public static final String FILE = "server-scenario.json";

  /** The only format version read. */
  public static final int FORMAT_VERSION = 1;

  /**
   * One probe of a peak search.
   *
   * @param sloPercentileMs the SLO's percentile counting drops as infinite (NaN: among drops)
   */
  public record Probe(
      double offeredPerS,
      double completedPerS,
      double p50Ms,
      double p90Ms,
      double p99Ms,
      double sloPercentileMs,
      long scheduled,
      long dropped,
      boolean passes,
      boolean valid) {}

  /**
   * One split's search.
   *
   * @param closedLoopMs mean phases of requests sent one at a time, by tag ({@code e2e}, {@code
   *     head_compute}, ...)
   * @param peakPerS highest passing rate (NaN: none passed)
   * @param failingPerS lowest failing rate (NaN: none failed)
   */
  public record Point(
      String model,
      String transport,
      String link,
      String split,
      long bytesPerRequest,
      double closedLoopPerS,
      java.util.Map<String, Double> closedLoopMs,
      double peakPerS,
      double failingPerS,
      boolean valid,
      Probe atPeak,
      List<Probe> probes) {

    /** {@code model split=K transport link=L}. */
    public String label() {
      return model + " split=" + split + " " + transport + " link=" + link;
    }
  }

  /**
   * @throws ReportInputException naming the file and what is wrong with it
   */
  public static ServerScenarioFile read(Path file) throws ReportInputException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ReportInputException(file, "cannot read: " + e.getMessage());
    }
    int version = root.path("format_version").asInt(-1);
    if (version != FORMAT_VERSION) {
      throw new ReportInputException(
          file,
          "format_version "
              + root.path("format_version")
              + " is not supported: this report reads version "
              + FORMAT_VERSION);
    }
    String slo = root.path("slo").asText("");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("p([0-9.]+)[=:]([0-9.]+)(ms|us|s)").matcher(slo);
    if (!m.matches()) {
      throw new ReportInputException(file, "slo '" + slo + "' is not like p99=500ms");
    }
    double bound =
        Double.parseDouble(m.group(2))
            * switch (m.group(3)) {
              case "us" -> 1e-3;
              case "s" -> 1e3;
              default -> 1;
            };
    List<Point> points = new ArrayList<>();
    for (JsonNode p : root.path("points")) {
      java.util.Map<String, Double> phases = new java.util.LinkedHashMap<>();
      p.path("closed_loop_ms")
          .fields()
          .forEachRemaining(e -> phases.put(e.getKey(), e.getValue().asDouble()));
      List<Probe> probes = new ArrayList<>();
      p.path("probes").forEach(q -> probes.add(probe(q)));
      points.add(
          new Point(
              p.path("model").asText(),
              p.path("transport").asText(),
              p.path("link").asText(),
              p.path("split").asText(),
              p.path("bytes_per_request").asLong(),
              number(p.path("closed_loop_rate_per_s")),
              phases,
              number(p.path("peak_rate_per_s")),
              number(p.path("lowest_failing_rate_per_s")),
              p.path("valid").asBoolean(),
              p.has("at_peak") ? probe(p.get("at_peak")) : null,
              probes));
    }
    return new ServerScenarioFile(
        slo, Double.parseDouble(m.group(1)), bound, root.path("batch").asInt(1), points);
  }

  private static Probe probe(JsonNode q) {
    JsonNode lat = q.path("latency_from_intended_ms");
    return new Probe(
        number(q.path("rate_per_s")),
        number(q.path("completed_per_s")),
        number(lat.path("p50")),
        number(lat.path("p90")),
        number(lat.path("p99")),
        number(q.path("percentile_ms")),
        q.path("scheduled").asLong(),
        q.path("dropped").asLong(),
        q.path("passes").asBoolean(),
        q.path("valid").asBoolean());
  }

  private static double number(JsonNode n) {
    return n.isNumber() ? n.asDouble() : Double.NaN;
  }
}
