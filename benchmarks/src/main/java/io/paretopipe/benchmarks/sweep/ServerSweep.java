package io.paretopipe.benchmarks.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.benchmarks.PartitionConfig;
import io.paretopipe.benchmarks.PartitionFixture;
import io.paretopipe.benchmarks.ServerScenario;
import io.paretopipe.harness.driver.ArrivalSchedule;
import io.paretopipe.harness.driver.LatencySlo;
import io.paretopipe.harness.driver.LoadTarget;
import io.paretopipe.harness.driver.OpenLoopDriver;
import io.paretopipe.harness.driver.PhaseRecorder;
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
 * <p>The start rate of each split's search is {@code --rate}, or ({@code auto}) the inverse of the
 * mean of 10 requests sent one at a time (what a closed loop sustains), which also warms the stage;
 * their mean phases ({@code closed_loop_ms}) are what the report predicts the peak from.
 */
final class ServerSweep {

  /** The file in the run folder. */
  static final String FILE = "server-scenario.json";

  private static final int PROBE_LIMIT = 16;

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
    Instant start = Instant.now();
    RunFolder folder = RunFolder.create(o.out, start);
    ObjectNode metadata = RunMetadata.collect(start);
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("format_version", ServerScenario.FORMAT_VERSION);
    root.put("scenario", ServerScenario.SERVER);
    root.put("slo", slo.toString());
    root.put("arrival", "poisson");
    root.put("seed", Long.getLong(ServerScenario.SEED_PROPERTY, 42));
    root.put("max_outstanding", Integer.getInteger(ServerScenario.MAX_OUTSTANDING_PROPERTY, 16));
    root.put("probe_duration_s", probe.toMillis() / 1e3);
    root.put("min_queries", minQueries);
    root.put("peak_precision", o.peakPrecision);
    root.put("max_probes", o.maxProbes);
    root.put("batch", o.batch);
    root.put("head_cpus", o.placement.headCpus());
    root.put("tail_cpus", o.placement.tailCpus());
    ArrayNode points = root.putArray("points");
    console.printf(
        Locale.ROOT,
        "paretopipe sweep, server scenario: %d points (%s), %s, probes >= %s and >= %d queries,"
            + " run folder %s%n",
        plan.size(),
        o.describe(),
        slo,
        o.probeDuration,
        minQueries,
        folder.root().toAbsolutePath());
    List<String> failures = new ArrayList<>();
    for (SweepPlan.Point p : plan.points()) {
      long t0 = System.nanoTime();
      console.println(p + ":");
      try {
        ObjectNode point = measure(p, slo, probe, minQueries, startRate);
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
      SweepPlan.Point p, LatencySlo slo, Duration probe, long minQueries, double startRate)
      throws IOException, io.paretopipe.harness.protocol.StageException {
    PartitionConfig config =
        new PartitionConfig(
            p.model(),
            p.split(),
            p.transport(),
            p.link(),
            o.batch,
            1,
            PartitionConfig.SPAWN,
            o.placement.headThreads(),
            o.placement.tailThreads(),
            o.placement.headCpus(),
            o.placement.tailCpus(),
            o.placement.headDevice(),
            o.placement.tailDevice());
    try (PartitionFixture fixture = PartitionFixture.open(config, 0)) {
      LoadTarget target = LoadTarget.of(fixture.pipeline());
      PhaseRecorder alone = new PhaseRecorder();
      double closedLoopRate = closedLoopRate(target, alone);
      double from = Double.isNaN(startRate) ? closedLoopRate : startRate;
      ObjectNode point = new ObjectMapper().createObjectNode();
      point.put("model", p.model());
      point.put("transport", p.transport());
      point.put("link", p.link());
      point.put("split", p.split());
      point.put("bytes_per_request", fixture.bytesPerRequest());
      point.put("closed_loop_rate_per_s", closedLoopRate);
      point.put("start_rate_per_s", from);
      ObjectNode phases = point.putObject("closed_loop_ms");
      for (io.paretopipe.format.Phase phase : io.paretopipe.format.Phase.values()) {
        phases.put(phase.tag(), alone.total(phase).getMean() / 1e6);
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
              line -> console.println("  " + line)));
      return point;
    }
  }

  /**
   * Requests per second one at a time sustains: the inverse of the mean of 10 (after 3 more), whose
   * phases go to {@code phases} (the report's bottleneck prediction reads them).
   */
  private static double closedLoopRate(LoadTarget target, PhaseRecorder phases) throws IOException {
    ArrivalSchedule once = ArrivalSchedule.of(ArrivalSchedule.Process.CONSTANT, 1e6, 0);
    long total = 0;
    try (OpenLoopDriver d = new OpenLoopDriver(target, once, 1, phases)) {
      for (int i = 0; i < 13; i++) {
        if (i == 3) {
          phases.reset();
        }
        d.start();
        long t = System.nanoTime();
        d.releaseNext();
        d.drain();
        if (i >= 3) {
          total += System.nanoTime() - t;
        }
      }
    }
    return 10 * 1e9 / total;
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
