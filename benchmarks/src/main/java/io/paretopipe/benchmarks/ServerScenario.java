package io.paretopipe.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.harness.driver.ArrivalSchedule;
import io.paretopipe.harness.driver.BracketRecheck;
import io.paretopipe.harness.driver.EarlyStopping;
import io.paretopipe.harness.driver.LatencySlo;
import io.paretopipe.harness.driver.LoadTarget;
import io.paretopipe.harness.driver.OpenLoopDriver;
import io.paretopipe.harness.driver.OpenLoopResult;
import io.paretopipe.harness.driver.PeakSearch;
import io.paretopipe.harness.driver.PhaseRecorder;
import io.paretopipe.harness.driver.ServerVerdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The MLPerf Server scenario for one partition point: the {@link OpenLoopDriver} on a {@link
 * PartitionFixture}'s pipeline, seeded Poisson arrivals at a rate, latency from the intended
 * release time, judged against a {@link LatencySlo} with LoadGen's validity flags. Used by {@link
 * PartitionBenchmark} under {@code -p scenario=server} (one JMH operation = one scheduled arrival)
 * and by the sweep's {@code --scenario server} ({@link #findPeak}: the highest passing rate and the
 * latency-vs-offered-load curve of its probes).
 *
 * <p>Seed and outstanding bound come from {@value #SEED_PROPERTY} (default 42) and {@value
 * #MAX_OUTSTANDING_PROPERTY} (default 16, a stage server's default per-connection in-flight limit).
 */
public final class ServerScenario implements AutoCloseable {

  /** {@code scenario} param value of today's closed loops (the default). */
  public static final String CLOSED = "closed";

  /** {@code scenario} param value of the open-loop Server scenario. */
  public static final String SERVER = "server";

  /** {@code rate} and {@code slo} param value when not given. */
  public static final String NONE = "none";

  /** System property: the Poisson arrivals' seed. */
  public static final String SEED_PROPERTY = "paretopipe.arrivalSeed";

  /** System property: requests released and unanswered at most; beyond, arrivals are dropped. */
  public static final String MAX_OUTSTANDING_PROPERTY = "paretopipe.maxOutstanding";

  /** Version of the JSON written by {@link #writeJson} and {@link #findPeak}. */
  public static final int FORMAT_VERSION = 1;

  private final OpenLoopDriver driver;
  private final LatencySlo slo;
  private final double capacityPerSecond;

  /**
   * @param slo what the run is judged against, null for none
   * @param capacityPerSecond what the pipeline carries at most ({@code
   *     NetworkCondition.requestsPerSecond}, {@code Double.POSITIVE_INFINITY} when unknown); the
   *     verdict of a rate above it fails
   */
  public ServerScenario(
      LoadTarget target, ArrivalSchedule schedule, LatencySlo slo, double capacityPerSecond) {
    this.driver = new OpenLoopDriver(target, schedule, maxOutstanding(), new PhaseRecorder());
    this.slo = slo;
    this.capacityPerSecond = capacityPerSecond;
  }

  /**
   * Checks the three params together.
   *
   * @return whether {@code scenario} is {@link #SERVER}
   * @throws IllegalArgumentException naming the param, the value and the valid ones
   */
  public static boolean validate(String scenario, String rate, String slo) {
    String s = scenario == null ? "" : scenario.trim();
    if (s.equals(CLOSED)) {
      return false;
    }
    if (!s.equals(SERVER)) {
      throw new IllegalArgumentException(
          "scenario '" + scenario + "' is unknown: valid scenarios are closed, server");
    }
    if (rate == null || rate.trim().equals(NONE)) {
      throw new IllegalArgumentException(
          "scenario=server needs -p rate=R (arrivals per second, e.g. 12/s)");
    }
    ArrivalSchedule.parseRate(rate);
    parseSlo(slo);
    return true;
  }

  /** {@code slo} param: null for {@link #NONE}, else {@code p99:500ms} or {@code p99=500ms}. */
  public static LatencySlo parseSlo(String slo) {
    return slo == null || slo.trim().equals(NONE) ? null : LatencySlo.parse(slo);
  }

  /** The Poisson schedule at {@code rate} with {@value #SEED_PROPERTY}'s seed. */
  public static ArrivalSchedule schedule(double rate) {
    return ArrivalSchedule.of(
        ArrivalSchedule.Process.POISSON, rate, Long.getLong(SEED_PROPERTY, 42));
  }

  static int maxOutstanding() {
    int n = Integer.getInteger(MAX_OUTSTANDING_PROPERTY, 16);
    if (n < 1) {
      throw new IllegalArgumentException(
          "-D" + MAX_OUTSTANDING_PROPERTY + "=" + n + " (expected: >= 1)");
    }
    return n;
  }

  /** Restarts the schedule (the first measured iteration): earlier releases are forgotten. */
  public void start() throws IOException {
    driver.start();
  }

  /** Shifts the schedule over a pause between iterations, which no request is charged for. */
  public void resume() {
    driver.resume();
  }

  /** Waits for the next arrival and releases it (or drops it beyond the outstanding bound). */
  public void release() throws IOException {
    driver.releaseNext();
  }

  /** Waits for every answer and returns what was measured since {@link #start()}. */
  public OpenLoopResult finish() throws IOException {
    driver.drain();
    return driver.result();
  }

  /**
   * Writes {@code result} (and its verdict, with the minimums of {@code minDuration} and the SLO's
   * early-stopping floor) as JSON to {@code file}, and its raw log beside it ({@code .raw.csv}).
   */
  public void writeJson(OpenLoopResult result, Duration minDuration, Path file) throws IOException {
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    root.set("run", result.toJson());
    if (slo != null) {
      root.set(
          "verdict",
          ServerVerdict.of(result, slo, minDuration, minQueries(slo))
              .withCapacity(capacityPerSecond)
              .toJson());
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    String name = file.getFileName().toString().replaceFirst("\\.json$", "");
    result.writeRawLog(file.resolveSibling(name + ".raw.csv"));
  }

  /**
   * LoadGen's minimum query count for a claim on {@code slo}'s percentile: the early-stopping
   * queries with one request over the bound (662 for p99, 64 for p90 as LoadGen's floor is for
   * one).
   */
  public static long minQueries(LatencySlo slo) {
    return EarlyStopping.minQueries(1, slo.fraction());
  }

  /**
   * LoadGen's {@code FindPeakPerformance} on {@code target}: probes of at least {@code probe} and
   * {@code minQueries} arrivals on the same seeded Poisson schedule ({@code seed}), from {@code
   * startRate}, until the bracket is within {@code precision}; then the bracket is re-probed on a
   * second schedule ({@code seed + 1}, {@link BracketRecheck}) and widened where it disagrees.
   *
   * @param maxOutstanding requests unanswered at most; beyond, arrivals are dropped
   * @param capacityPerSecond what the pipeline carries at most (an emulated link's rate over one
   *     request's bytes, {@code NetworkCondition.requestsPerSecond}); a probe above it fails
   *     however it fared ({@link ServerVerdict#withinCapacity()}); {@code Double.POSITIVE_INFINITY}
   *     when unknown
   * @param failFast stop a probe as soon as it can no longer pass ({@code FailFast}; its verdict is
   *     the full probe's, its JSON says {@code stopped_early}); false runs every probe to its end
   * @return {@code slo}, the rechecked interval {@code [peak_rate_per_s,
   *     lowest_failing_rate_per_s)}, the search's own ({@code search_peak_rate_per_s}, {@code
   *     search_lowest_failing_rate_per_s}), {@code recheck_seed}, {@code bracket_confirmed}, the
   *     verdict at the peak, and every probe with its {@code seed} (its rate, the latency
   *     percentiles from the intended time, completed rate, drops and flags): the
   *     latency-vs-offered-load curve
   */
  public static ObjectNode findPeak(
      LoadTarget target,
      LatencySlo slo,
      double startRate,
      Duration probe,
      long minQueries,
      double precision,
      int maxProbes,
      int maxOutstanding,
      long seed,
      double capacityPerSecond,
      boolean failFast,
      Consumer<String> progress)
      throws IOException {
    PhaseRecorder recorder = new PhaseRecorder();
    BracketRecheck.SeededProbe run =
        (rate, s) -> {
          recorder.reset();
          ArrivalSchedule schedule = ArrivalSchedule.of(ArrivalSchedule.Process.POISSON, rate, s);
          try (OpenLoopDriver d = new OpenLoopDriver(target, schedule, maxOutstanding, recorder)) {
            ServerVerdict v =
                ServerVerdict.of(
                        d.run(probe, minQueries, failFast ? slo : null), slo, probe, minQueries)
                    .withCapacity(capacityPerSecond);
            progress.accept("seed " + s + ": " + v.toText());
            return v;
          }
        };
    PeakSearch.Peak peak =
        PeakSearch.find(
            rate -> run.at(rate, seed), startRate, startRate / 64, precision, maxProbes);
    long recheckSeed = seed + 1;
    BracketRecheck.Result checked =
        BracketRecheck.recheck(peak, run, recheckSeed, RECHECKS_PER_END);
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("slo", slo.toString());
    putRate(root, "peak_rate_per_s", checked.passingRate());
    putRate(root, "lowest_failing_rate_per_s", checked.failingRate());
    root.put("bracketed", checked.bracketed());
    root.put("valid", checked.atPeak() != null && checked.atPeak().valid());
    if (checked.atPeak() != null) {
      root.set("at_peak", probeJson(checked.atPeak(), seed));
    }
    putRate(root, "search_peak_rate_per_s", peak.passingRate());
    putRate(root, "search_lowest_failing_rate_per_s", peak.failingRate());
    root.put("recheck_seed", recheckSeed);
    root.put("bracket_confirmed", checked.confirmed());
    ArrayNode probes = root.putArray("probes");
    peak.steps().forEach(s -> probes.add(probeJson(s.verdict(), seed)));
    checked.checks().forEach(c -> probes.add(probeJson(c.verdict(), c.seed())));
    return root;
  }

  /** Re-probes per end of a search's bracket at most (each one probe of the search's length). */
  static final int RECHECKS_PER_END = 3;

  /** One probe: the verdict's flags with the run's latencies from the intended time. */
  static ObjectNode probeJson(ServerVerdict v, long seed) {
    ObjectNode n = v.toJson();
    n.put("seed", seed);
    ObjectNode run = v.result().toJson();
    n.put("completed_per_s", run.path("completed_per_s").asDouble());
    n.set("latency_from_intended_ms", run.get("latency_from_intended_ms"));
    n.put("max_release_lag_ms", run.path("max_release_lag_ms").asDouble());
    return n;
  }

  private static void putRate(ObjectNode n, String key, double v) {
    if (Double.isNaN(v)) {
      n.putNull(key);
    } else {
      n.put(key, v);
    }
  }

  /** The bracket as text, e.g. {@code [24.0, 26.3)/s}. */
  public static String bracket(ObjectNode peak) {
    return String.format(
        Locale.ROOT,
        "[%s, %s)/s",
        peak.path("peak_rate_per_s").isNull()
            ? "none"
            : String.format(Locale.ROOT, "%.2f", peak.path("peak_rate_per_s").asDouble()),
        peak.path("lowest_failing_rate_per_s").isNull()
            ? "none"
            : String.format(
                Locale.ROOT, "%.2f", peak.path("lowest_failing_rate_per_s").asDouble()));
  }

  @Override
  public void close() {
    driver.close();
  }
}
