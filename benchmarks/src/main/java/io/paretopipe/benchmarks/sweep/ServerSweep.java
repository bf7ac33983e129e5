package io.paretopipe.benchmarks.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.benchmarks.PartitionConfig;
import io.paretopipe.benchmarks.PartitionFixture;
import io.paretopipe.benchmarks.ServerScenario;
import io.paretopipe.benchmarks.SharedTail;
import io.paretopipe.harness.driver.ArrivalSchedule;
import io.paretopipe.harness.driver.EarlyStopping;
import io.paretopipe.harness.driver.LatencySlo;
import io.paretopipe.harness.driver.LoadTarget;
import io.paretopipe.harness.driver.OpenLoopDriver;
import io.paretopipe.harness.driver.PhaseRecorder;
import io.paretopipe.models.Engines;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sweep under {@code --scenario server} ({@code -Dbench.scenario=server
 * -Dbench.slo=p99:500ms}): for every point of the plan, in order, its own stage server is spawned
 * ({@code tail=spawn}, the placement options apply), and LoadGen's peak search ({@link
 * ServerScenario#findPeak}) finds the highest Poisson arrival rate that meets the SLO. Every probe
 * is a point of the split's latency-vs-offered-load curve. Everything goes to {@value #FILE} in the
 * run folder, rewritten after every point (format in docs/OPEN-LOOP.md); JMH is not involved (a
 * probe is one open-loop run, not an iteration), and no closed-loop points are measured.
 *
 * <p>Before a point's search, {@value #FIRST_WARMUP} (plus {@code --warmup-requests}) requests go
 * one at a time, then {@code --warmup-load} (10 s by default) of Poisson arrivals at the rate of
 * one more block of {@value #BLOCK} sent one at a time (seed {@value #WARMUP_LOAD_SEED}) warm the
 * pipeline up under load, as the probes will run it ({@code warmup_load_s}, {@code
 * warmup_load_rate_per_s}, {@code warmup_load_completed}): without it the one-at-a-time rate rose
 * 16-47% during 12 of 14 searches. Then requests are sent one at a time in blocks of {@value
 * #BLOCK} until two consecutive blocks' rates agree within 10% ({@link ClosedLoopWarmup}, at most
 * {@value #MAX_BLOCKS} blocks): {@code warmup_requests}, {@code warmed_up}. The last block's rate
 * ({@code closed_loop_rate_per_s}, what a closed loop sustains) is the search's start rate under
 * {@code --rate auto}, and its mean phases ({@code closed_loop_ms}) are what the report predicts
 * the peak from. After the search one more block gives {@code closed_loop_rate_after_per_s}: a
 * pipeline whose speed drifted during the search shows there.
 *
 * <p>The sweep refuses to start unless its own JVM runs with {@link
 * Engines#RECOMMENDED_ALLOCATOR_ENV} ({@link #checkAllocator}): the head computes in this JVM, and
 * glibc's default malloc made its forward 2-6x slower, by a different factor in each JVM, so two
 * searches of one split gave disjoint peaks ([44.32, 49.86) and [10.30, 11.03)/s).
 */
final class ServerSweep {

  /** The file in the run folder. */
  static final String FILE = "server-scenario.json";

  private static final int PROBE_LIMIT = 16;

  /** Requests sent one at a time before the first block, not timed. */
  static final int FIRST_WARMUP = 3;

  /** The arrival seed of the warm-up under load: not the search's (42) nor the recheck's (43). */
  static final long WARMUP_LOAD_SEED = 41;

  /** Requests per block of the closed-loop warm-up. */
  static final int BLOCK = 10;

  /** Blocks of the warm-up at most. */
  static final int MAX_BLOCKS = 8;

  /** Two consecutive blocks agree when their rates differ by at most this fraction. */
  static final double WARMUP_TOLERANCE = 0.1;

  private final SweepOptions o;
  private final SweepPlan plan;
  private final PrintStream console;

  ServerSweep(SweepOptions options, SweepPlan plan, PrintStream console) {
    this.o = options;
    this.plan = plan;
    this.console = console;
  }

  /**
   * @return 0 if every point's search ran, 1 if some failed (the rest still ran)
   */
  int run() throws IOException {
    checkAllocator(System.getenv());
    LatencySlo slo = o.serverSlo();
    Duration probe = o.probeDuration();
    long minQueries = o.minQueries(slo);
    double startRate = o.startRate();
    if (!(o.peakPrecision > 0) || o.maxProbes < 1 || o.maxProbes > PROBE_LIMIT) {
      throw new IllegalArgumentException(
          "--peak-precision "
              + o.peakPrecision
              + " (expected: > 0) and --max-probes "
              + o.maxProbes
              + " (expected: 1.."
              + PROBE_LIMIT
              + ")");
    }
    if (o.warmupRequests < 0) {
      throw new IllegalArgumentException(
          "--warmup-requests " + o.warmupRequests + " (expected: >= 0)");
    }
    Duration warmupLoad = o.warmupLoad();
    if (o.maxOutstanding < 1) {
      throw new IllegalArgumentException(
          "--max-outstanding " + o.maxOutstanding + " (expected: >= 1)");
    }
    Instant start = Instant.now();
    RunFolder folder = RunFolder.create(o.out, start);
    ObjectNode metadata = RunMetadata.collect(start);
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("format_version", ServerScenario.FORMAT_VERSION);
    root.put("scenario", ServerScenario.SERVER);
    root.put("slo", slo.toString());
    root.put("arrival", "poisson");
    root.put("seed", seed());
    root.put("max_outstanding", o.maxOutstanding);
    root.put("probe_duration_s", probe.toMillis() / 1e3);
    root.put("min_queries", minQueries);
    root.put("peak_precision", o.peakPrecision);
    root.put("max_probes", o.maxProbes);
    root.put("batch", o.batch);
    root.put("head_cpus", o.placement.headCpus());
    root.put("tail_cpus", o.placement.tailCpus());
    root.put("allocator_tuned", Engines.allocatorTuned());
    root.put("stage_max_in_flight", o.maxOutstanding);
    root.put("fail_fast", o.failFast());
    ArrayNode points = root.putArray("points");
    console.printf(
        Locale.ROOT,
        "paretopipe sweep, server scenario: %d points (%s), %s, probes >= %s and >= %d queries%s,"
            + " run folder %s%n",
        plan.size(),
        o.describe(),
        slo,
        o.probeDuration,
        minQueries,
        o.failFast() ? "" : " (no fail fast: every probe runs to its end)",
        folder.root().toAbsolutePath());
    List<String> failures = new ArrayList<>();
    for (SweepPlan.Point p : plan.points()) {
      long t0 = System.nanoTime();
      console.println(p + ":");
      try {
        ObjectNode point = measure(p, slo, probe, minQueries, startRate, warmupLoad);
        point.put("seconds", (System.nanoTime() - t0) / 1e9);
        points.add(point);
        console.printf(
            Locale.ROOT,
            "%s: peak %s meeting %s%s (%.0f s)%n",
            p,
            ServerScenario.bracket(point),
            slo,
            point.path("valid").asBoolean() ? ", VALID" : "",
            (System.nanoTime() - t0) / 1e9);
      } catch (IOException | io.paretopipe.harness.protocol.StageException | RuntimeException e) {
        failures.add(p + ": " + PassRunner.rootMessage(e));
        console.println(p + " FAILED: " + PassRunner.rootMessage(e));
      }
      write(folder.root().resolve(FILE), root);
    }
    metadata.set("server_scenario", root.deepCopy().without("points"));
    metadata.put("end_time", Instant.now().toString());
    ArrayNode failed = metadata.putArray("failed_points");
    failures.forEach(failed::add);
    RunMetadata.write(folder.metadataFile(), metadata);
    console.println("run folder: " + folder.root().toAbsolutePath());
    return failures.isEmpty() ? 0 : 1;
  }

  private ObjectNode measure(
      SweepPlan.Point p,
      LatencySlo slo,
      Duration probe,
      long minQueries,
      double startRate,
      Duration warmupLoad)
      throws IOException, io.paretopipe.harness.protocol.StageException {
    PartitionConfig config =
        PartitionConfig.builder(p.model(), p.split(), SharedTail.transportOf(p.transport()))
            .link(p.link())
            .batch(o.batch)
            .depth(1)
            .threads(o.placement.headThreads(), o.placement.tailThreads())
            .cpus(o.placement.headCpus(), o.placement.tailCpus())
            .devices(o.placement.headDevice(), o.placement.tailDevice())
            .grpcTuning(SharedTail.grpcTuningOf(p.transport()))
            .build();
    try (PartitionFixture fixture = PartitionFixture.open(config, 0, o.maxOutstanding)) {
      LoadTarget target = LoadTarget.of(fixture.pipeline());
      PhaseRecorder alone = new PhaseRecorder();
      sendAlone(target, alone, FIRST_WARMUP + o.warmupRequests);
      double loadRate = Double.NaN;
      long loadCompleted = 0;
      if (!warmupLoad.isZero()) {
        loadRate = BLOCK * 1e9 / sendAlone(target, new PhaseRecorder(), BLOCK);
        try (OpenLoopDriver d =
            new OpenLoopDriver(
                target,
                ArrivalSchedule.of(ArrivalSchedule.Process.POISSON, loadRate, WARMUP_LOAD_SEED),
                o.maxOutstanding,
                new PhaseRecorder())) {
          loadCompleted = d.run(warmupLoad).completed();
        }
        console.printf(
            Locale.ROOT,
            "  warm-up under load: %.2f/s Poisson for %s, %d requests completed%n",
            loadRate,
            warmupLoad,
            loadCompleted);
      }
      ClosedLoopWarmup.Result warmup =
          ClosedLoopWarmup.settle(
              () -> {
                alone.reset();
                return BLOCK * 1e9 / sendAlone(target, alone, BLOCK);
              },
              WARMUP_TOLERANCE,
              MAX_BLOCKS);
      double closedLoopRate = warmup.ratePerSecond();
      if (!warmup.settled()) {
        console.printf(
            Locale.ROOT,
            "  warning: one-at-a-time rate did not settle within %d blocks of %d: %s/s%n",
            MAX_BLOCKS,
            BLOCK,
            warmup.readings());
      }
      double from = Double.isNaN(startRate) ? closedLoopRate : startRate;
      ObjectNode point = new ObjectMapper().createObjectNode();
      point.put("model", p.model());
      point.put("transport", SharedTail.transportOf(p.transport()));
      if (!SharedTail.grpcTuningOf(p.transport()).equals(PartitionConfig.DEFAULT_GRPC_TUNING)) {
        point.put("grpc_tuning", SharedTail.grpcTuningOf(p.transport()));
      }
      point.put("link", p.link());
      point.put("split", p.split());
      point.put("bytes_per_request", fixture.bytesPerRequest());
      double capacity =
          io.paretopipe.format.NetworkCondition.parse(p.link())
              .requestsPerSecond(fixture.bytesPerRequest());
      if (Double.isInfinite(capacity)) {
        point.putNull("link_capacity_per_s");
      } else {
        point.put("link_capacity_per_s", capacity);
        console.printf(
            Locale.ROOT,
            "  the link carries at most %.2f requests/s of %d bytes: a probe above it fails%n",
            capacity,
            fixture.bytesPerRequest());
      }
      point.put("closed_loop_rate_per_s", closedLoopRate);
      int warmupRequests = FIRST_WARMUP + o.warmupRequests + BLOCK * warmup.readings().size();
      point.put("warmup_requests", warmupRequests);
      point.put("warmed_up", warmup.settled());
      point.put("warmup_load_s", warmupLoad.toMillis() / 1e3);
      if (Double.isNaN(loadRate)) {
        point.putNull("warmup_load_rate_per_s");
      } else {
        point.put("warmup_load_rate_per_s", loadRate);
      }
      point.put("warmup_load_completed", loadCompleted);
      ArrayNode readings = point.putArray("warmup_rates_per_s");
      warmup.readings().forEach(readings::add);
      point.put("start_rate_per_s", from);
      ObjectNode phases = point.putObject("closed_loop_ms");
      for (io.paretopipe.format.Phase phase : io.paretopipe.format.Phase.values()) {
        phases.put(phase.tag(), alone.total(phase).getMean() / 1e6);
      }
      org.HdrHistogram.Histogram aloneE2e = alone.total(io.paretopipe.format.Phase.E2E);
      long aloneOver =
          aloneE2e.getTotalCount()
              - aloneE2e.getCountBetweenValues(
                  0, aloneE2e.highestEquivalentValue(slo.boundNanos()));
      if (EarlyStopping.refuted(aloneE2e.getTotalCount(), aloneOver, slo.fraction())) {
        putRuledOut(point, slo, aloneE2e.getTotalCount(), aloneOver);
        console.printf(
            Locale.ROOT,
            "  %d of the last %d requests sent one at a time missed the bound (median %.1f ms):"
                + " no arrival rate meets %s, no probe run%n",
            aloneOver,
            aloneE2e.getTotalCount(),
            aloneE2e.getValueAtPercentile(50) / 1e6,
            slo);
        return point;
      }
      point.setAll(
          ServerScenario.findPeak(
              target,
              slo,
              from,
              probe,
              minQueries,
              o.peakPrecision,
              o.maxProbes,
              o.maxOutstanding,
              seed(),
              capacity,
              o.failFast(),
              line -> console.println("  " + line)));
      double after = BLOCK * 1e9 / sendAlone(target, new PhaseRecorder(), BLOCK);
      point.put("closed_loop_rate_after_per_s", after);
      putStatedInterval(point, closedLoopRate, after);
      console.printf(
          Locale.ROOT,
          "  one at a time: %.2f/s before the search (%d warm-up requests%s), %.2f/s after%n",
          closedLoopRate,
          warmupRequests,
          warmup.settled() ? "" : ", NOT settled",
          after);
      console.printf(
          Locale.ROOT,
          "  speed drift x%.3f: stated interval %s%n",
          point.path("speed_drift").asDouble(),
          statedBracket(point));
      return point;
    }
  }

  /**
   * Records a split that no arrival rate can serve within {@code slo}: requests sent one at a time
   * (no queueing, the best case) already refute the percentile ({@link EarlyStopping#refuted}), so
   * no probe is run. The peak and both ends of every interval are {@code null} (never a rate that
   * looks measured), {@code valid} is false, {@code probes} empty, and {@code ruled_out_alone}
   * holds {@code requests} and {@code over_bound}.
   */
  static void putRuledOut(ObjectNode point, LatencySlo slo, long requests, long overBound) {
    point.put("slo", slo.toString());
    for (String key :
        List.of(
            "peak_rate_per_s",
            "lowest_failing_rate_per_s",
            "search_peak_rate_per_s",
            "search_lowest_failing_rate_per_s",
            "speed_drift",
            "stated_peak_rate_per_s",
            "stated_lowest_failing_rate_per_s",
            "closed_loop_rate_after_per_s")) {
      point.putNull(key);
    }
    point.put("bracketed", false);
    point.put("valid", false);
    point.put("bracket_confirmed", false);
    point.putArray("probes");
    ObjectNode why = point.putObject("ruled_out_alone");
    why.put("requests", requests);
    why.put("over_bound", overBound);
  }

  /**
   * Adds the interval this search states for its split: the rechecked bracket {@code
   * [peak_rate_per_s, lowest_failing_rate_per_s)} widened by the pipeline's own speed drift during
   * the search. The bracket holds for the speed the pipeline had while its probes ran; the
   * one-at-a-time rate before ({@code before}) and after ({@code after}) the search shows how far
   * that speed moved (15-47% on this shared 2-core VM within two minutes), so a peak stated for the
   * split, not for that minute, is {@code [peak / drift, lowest_failing * drift)} with {@code drift
   * = max(before, after) / min(before, after)}: {@code speed_drift}, {@code
   * stated_peak_rate_per_s}, {@code stated_lowest_failing_rate_per_s}. A missing end stays {@code
   * null}; rates that are not positive and finite give a {@code null} drift and no stated interval
   * (never one that looks known).
   *
   * @param point the split's result, holding the rechecked bracket; modified
   * @param before one-at-a-time requests per second before the search
   * @param after the same after it
   */
  static void putStatedInterval(ObjectNode point, double before, double after) {
    if (!(before > 0 && after > 0 && Double.isFinite(before) && Double.isFinite(after))) {
      point.putNull("speed_drift");
      point.putNull("stated_peak_rate_per_s");
      point.putNull("stated_lowest_failing_rate_per_s");
      return;
    }
    double drift = Math.max(before, after) / Math.min(before, after);
    point.put("speed_drift", drift);
    putScaled(point, "stated_peak_rate_per_s", point.path("peak_rate_per_s"), 1 / drift);
    putScaled(
        point, "stated_lowest_failing_rate_per_s", point.path("lowest_failing_rate_per_s"), drift);
  }

  private static void putScaled(
      ObjectNode point, String key, com.fasterxml.jackson.databind.JsonNode rate, double factor) {
    if (rate.isNumber()) {
      point.put(key, rate.asDouble() * factor);
    } else {
      point.putNull(key);
    }
  }

  /**
   * @return the stated interval as {@code [low, high)/s}, an end that is not known as {@code ?}
   */
  static String statedBracket(ObjectNode point) {
    return String.format(
        Locale.ROOT,
        "[%s, %s)/s",
        rateOrUnknown(point.path("stated_peak_rate_per_s")),
        rateOrUnknown(point.path("stated_lowest_failing_rate_per_s")));
  }

  private static String rateOrUnknown(com.fasterxml.jackson.databind.JsonNode rate) {
    return rate.isNumber() ? String.format(Locale.ROOT, "%.2f", rate.asDouble()) : "?";
  }

  /**
   * Sends {@code n} requests one at a time, each after the previous result, into {@code phases}.
   *
   * @return the nanoseconds they took together
   */
  private static long sendAlone(LoadTarget target, PhaseRecorder phases, int n) throws IOException {
    ArrivalSchedule once = ArrivalSchedule.of(ArrivalSchedule.Process.CONSTANT, 1e6, 0);
    long total = 0;
    try (OpenLoopDriver d = new OpenLoopDriver(target, once, 1, phases)) {
      for (int i = 0; i < n; i++) {
        d.start();
        long t = System.nanoTime();
        d.releaseNext();
        d.drain();
        total += System.nanoTime() - t;
      }
    }
    return total;
  }

  private static long seed() {
    return Long.getLong(ServerScenario.SEED_PROPERTY, 42);
  }

  /**
   * Refuses a head JVM without the tuned malloc environment.
   *
   * @param env this process's environment
   * @throws IllegalStateException naming the variables, what they are and how to set them
   */
  static void checkAllocator(java.util.Map<String, String> env) {
    StringBuilder wrong = new StringBuilder();
    StringBuilder assignments = new StringBuilder();
    new java.util.TreeMap<>(Engines.RECOMMENDED_ALLOCATOR_ENV)
        .forEach(
            (name, value) -> {
              assignments.append(name).append('=').append(value).append(' ');
              if (!value.equals(env.get(name))) {
                wrong
                    .append(wrong.length() == 0 ? "" : ", ")
                    .append(name)
                    .append(env.containsKey(name) ? " is " + env.get(name) : " is unset");
              }
            });
    if (wrong.length() > 0) {
      throw new IllegalStateException(
          "the server scenario refuses to run: this JVM computes the head, and its malloc"
              + " environment is not tuned ("
              + wrong
              + "). glibc's default malloc makes PyTorch's forward 2-6x slower, by a different"
              + " factor in each JVM, so peak rates would not reproduce. Start the sweep with"
              + " them set: 'env "
              + assignments
              + "java ... io.paretopipe.benchmarks.sweep.Sweep --scenario server ...', or run"
              + " 'mvn -Pbench verify -Dbench.scenario=server ...', which sets them"
              + " (docs/PERFORMANCE.md).");
    }
  }

  private static void write(Path file, ObjectNode root) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
    java.nio.file.Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
