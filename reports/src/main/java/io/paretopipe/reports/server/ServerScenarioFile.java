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
 * rate or a percentile that fell among drops is NaN. Keys that sweeps before the second-seed
 * recheck did not write ({@code recheck_seed}, {@code warmed_up}, a probe's {@code seed}, ...) are
 * read as {@code null} (or NaN for a rate): "not recorded", never false or 0.
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
   * @param seed the Poisson schedule's seed ({@code null}: not recorded)
   * @param decidedByDrops it failed and would have passed had its drops been answered within the
   *     bound ({@code null}: not recorded)
   * @param stoppedEarly it stopped as soon as it could no longer pass (fail fast): its flags are
   *     the full probe's, its latencies and completed rate are over what it measured until then
   *     (absent in older runs: false)
   * @param stoppedAtS seconds into the probe when it stopped (NaN: it ran to its end)
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
      boolean valid,
      Long seed,
      Boolean decidedByDrops,
      boolean stoppedEarly,
      double stoppedAtS) {}

  /**
   * The second-seed recheck of a search's bracket ({@code BracketRecheck}).
   *
   * @param searchPeakPerS the search's own highest passing rate (NaN: none passed)
   * @param searchFailingPerS the search's own lowest failing rate (NaN: none failed)
   * @param searchSeed the search's seed ({@code null}: not recorded)
   * @param seed the recheck's seed
   * @param confirmed both ends agreed on {@code seed}, so the point's interval is the search's;
   *     else it was widened
   */
  public record Recheck(
      double searchPeakPerS,
      double searchFailingPerS,
      Long searchSeed,
      long seed,
      boolean confirmed) {}

  /**
   * One split's search.
   *
   * @param closedLoopMs mean phases of requests sent one at a time, by tag ({@code e2e}, {@code
   *     head_compute}, ...)
   * @param peakPerS highest passing rate (NaN: none passed)
   * @param failingPerS lowest failing rate (NaN: none failed); after a recheck the widened interval
   * @param recheck the search's bracket and its recheck ({@code null}: not recorded)
   * @param warmedUp two consecutive warm-up blocks agreed ({@code null}: not recorded)
   * @param warmupRatesPerS each warm-up block's one-at-a-time rate ({@code null}: not recorded)
   * @param closedLoopAfterPerS one block's one-at-a-time rate after the search (NaN: not recorded)
   * @param allocatorTuned the head ran with the tuned malloc environment ({@code null}: not
   *     recorded); a property of the run file, kept per point so that runs reported together keep
   *     theirs
   * @param stated the interval the sweep states for the split, the claimed one widened by the speed
   *     drift ({@code null}: not recorded, a run from before 2026-12-06 21:10 UTC)
   * @param run which file the point came from: its run folder's name, or the file's name without
   *     {@code .json} when it is not called {@value #FILE}; tells apart the points of runs reported
   *     together
   */
  /**
   * The interval a sweep states for a split: {@code [peak / drift, lowest failing x drift)}, the
   * claimed interval widened by how far the pipeline's one-at-a-time speed moved during the search
   * ({@code speed_drift}, {@code stated_peak_rate_per_s}, {@code stated_lowest_failing_rate_per_s};
   * docs/OPEN-LOOP.md "Stated intervals").
   *
   * @param drift {@code max(before, after) / min(before, after)}, >= 1 (NaN: the sweep could not
   *     tell)
   * @param peakPerS lower end (NaN: none)
   * @param failingPerS upper end (NaN: none)
   */
  public record Stated(double drift, double peakPerS, double failingPerS) {}

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
      List<Probe> probes,
      Recheck recheck,
      Boolean warmedUp,
      List<Double> warmupRatesPerS,
      double closedLoopAfterPerS,
      Boolean allocatorTuned,
      String run,
      Stated stated,
      String ruledOut,
      double linkCapacityPerS) {

    /** Whether the claimed peak is above what the link's rate carries of one request's bytes. */
    public boolean aboveLinkCapacity() {
      return peakPerS > linkCapacityPerS;
    }

    /** {@code model split=K transport link=L}. */
    public String label() {
      return model + " split=" + split + " " + transport + " link=" + link;
    }

    /**
     * {@code recheck} for a probe on the recheck's seed, {@code search} for one on another recorded
     * seed, {@code null} when the probe's seed is not recorded.
     */
    public String probeKind(Probe q) {
      if (q.seed() == null) {
        return null;
      }
      return recheck != null && q.seed() == recheck.seed() ? "recheck" : "search";
    }

    /**
     * The one-at-a-time rate after the search against the one before, in percent ({@code +46.7}:
     * 46.7% faster after); NaN when either is not recorded.
     */
    public double driftPercent() {
      return (closedLoopAfterPerS / closedLoopPerS - 1) * 100;
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
    Slo parsed;
    try {
      parsed = Slo.parse(slo);
    } catch (IllegalArgumentException e) {
      throw new ReportInputException(file, "slo '" + slo + "' is not like p99=500ms");
    }
    Boolean allocatorTuned = flag(root.path("allocator_tuned"));
    String run = runName(file);
    Long searchSeed = root.path("seed").isIntegralNumber() ? root.path("seed").asLong() : null;
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
              probes,
              recheck(p, searchSeed),
              flag(p.path("warmed_up")),
              rates(p.path("warmup_rates_per_s")),
              number(p.path("closed_loop_rate_after_per_s")),
              allocatorTuned,
              run,
              p.has("speed_drift")
                  ? new Stated(
                      number(p.path("speed_drift")),
                      number(p.path("stated_peak_rate_per_s")),
                      number(p.path("stated_lowest_failing_rate_per_s")))
                  : null,
              ruledOut(p.path("ruled_out_alone")),
              linkCapacity(p)));
    }
    return new ServerScenarioFile(
        slo, parsed.percentile(), parsed.boundMs(), root.path("batch").asInt(1), points);
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
        q.path("valid").asBoolean(),
        q.path("seed").isIntegralNumber() ? q.path("seed").asLong() : null,
        flag(q.path("decided_by_drops")),
        q.path("stopped_early").asBoolean(false),
        number(q.path("stopped_at_s")));
  }

  /** {@code null} when the point has no {@code recheck_seed} (written before the recheck). */
  /** {@code 10 of 10 requests sent one at a time over the bound}, or null when not ruled out. */
  private static String ruledOut(JsonNode r) {
    if (!r.isObject()) {
      return null;
    }
    return r.path("over_bound").asLong()
        + " of "
        + r.path("requests").asLong()
        + " requests sent one at a time over the bound";
  }

  /**
   * {@code link_capacity_per_s}, or for a run written before the sweep recorded it the same rule
   * ({@code NetworkCondition.requestsPerSecond}) from its link and bytes; NaN for a link with no
   * rate or an unknown spec.
   */
  private static double linkCapacity(JsonNode p) {
    if (p.has("link_capacity_per_s")) {
      return number(p.path("link_capacity_per_s"));
    }
    long bytes = p.path("bytes_per_request").asLong();
    try {
      io.paretopipe.format.NetworkCondition c =
          io.paretopipe.format.NetworkCondition.parse(p.path("link").asText());
      double perSecond = c.requestsPerSecond(bytes);
      return Double.isInfinite(perSecond) ? Double.NaN : perSecond;
    } catch (IllegalArgumentException e) {
      return Double.NaN;
    }
  }

  private static Recheck recheck(JsonNode p, Long searchSeed) {
    if (!p.path("recheck_seed").isIntegralNumber()) {
      return null;
    }
    return new Recheck(
        number(p.path("search_peak_rate_per_s")),
        number(p.path("search_lowest_failing_rate_per_s")),
        searchSeed,
        p.path("recheck_seed").asLong(),
        p.path("bracket_confirmed").asBoolean());
  }

  private static String runName(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    String name = abs.getFileName().toString();
    if (name.equals(FILE) && abs.getParent() != null && abs.getParent().getFileName() != null) {
      return abs.getParent().getFileName().toString();
    }
    return name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
  }

  /** {@code null} for an absent or non-boolean value. */
  private static Boolean flag(JsonNode n) {
    return n.isBoolean() ? n.asBoolean() : null;
  }

  private static List<Double> rates(JsonNode n) {
    if (!n.isArray()) {
      return null;
    }
    List<Double> rates = new ArrayList<>();
    n.forEach(r -> rates.add(number(r)));
    return List.copyOf(rates);
  }

  private static double number(JsonNode n) {
    return n.isNumber() ? n.asDouble() : Double.NaN;
  }
}
