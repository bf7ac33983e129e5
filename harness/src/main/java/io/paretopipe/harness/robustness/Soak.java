package io.paretopipe.harness.robustness;

import io.paretopipe.harness.cli.PlacementOptions;
import io.paretopipe.harness.driver.Credentials;
import io.paretopipe.harness.driver.PhaseRecorder;
import io.paretopipe.harness.driver.Pipeline;
import io.paretopipe.harness.driver.PipelineDriver;
import io.paretopipe.harness.driver.PipelineFailedException;
import io.paretopipe.harness.driver.PipelineSpec;
import io.paretopipe.harness.placement.Placement;
import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.netem.device.CpuQuota;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The soak run of docs/SOAK.md: pipelined traffic against a spawned stage server for a fixed time,
 * the server killed (SIGKILL) and replaced half-way, memory sampled all along.
 *
 * <p>What it checks and prints: every submitted request either completed exactly once (the driver
 * fails on an unknown or repeated id) or was in flight when the stage died (at most {@code depth},
 * reported as abandoned, never as a success); the resident set of this process (the head) and of
 * each server, from the end of the warm-up to the end of each server's life, must stay within
 * {@code --tolerance} percent, and this JVM's direct-buffer memory must not grow by more than that
 * percentage of the head's resident set. Exit code 0 when all holds, 1 otherwise.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description =
        "Pipelined traffic for a fixed time with a stage restart half-way; checks ids and memory.")
public final class Soak implements Callable<Integer> {

  @Option(names = "--minutes", defaultValue = "30", description = "Default: ${DEFAULT-VALUE}.")
  double minutes;

  @Option(
      names = "--model",
      defaultValue = "mobilenetv2",
      description = "Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--split", defaultValue = "9", description = "Default: ${DEFAULT-VALUE}.")
  String split;

  @Option(names = "--batch", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--depth", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
  int depth;

  @Option(
      names = "--warmup-minutes",
      defaultValue = "2",
      description = "Memory is compared from the end of this (default: ${DEFAULT-VALUE}).")
  double warmupMinutes;

  @Option(
      names = "--sample-seconds",
      defaultValue = "30",
      description = "Default: ${DEFAULT-VALUE}.")
  int sampleSeconds;

  @Option(
      names = "--tolerance",
      defaultValue = "5",
      description = "Percent (default: ${DEFAULT-VALUE}).")
  double tolerancePercent;

  @Mixin PlacementOptions placement = new PlacementOptions("0", "1");

  @Option(names = "--csv", description = "Also write the memory samples here.")
  Path csv;

  private final PrintStream out = System.out;

  /** One memory sample. */
  record Sample(
      double minute,
      long headRssKib,
      long directBytes,
      long serverPid,
      long serverRssKib,
      long completed) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new Soak()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    long end = start + (long) (minutes * 60e9);
    long restartAt = start + (long) (minutes * 30e9);
    long warmupEnd = start + (long) (warmupMinutes * 60e9);
    List<Sample> samples = new ArrayList<>();
    long submitted = 0;
    long completed = 0;
    long abandoned = 0;
    int restarts = 0;
    boolean restarted = false;
    long nextSample = start;
    Placement head = placement.head();
    Placement tail = placement.tail();
    CpuQuota tailQuota =
        tail.cpuQuotaPercent() == null ? null : CpuQuota.create(tail.cpuQuotaPercent());
    StageServerProcess server = null;
    try {
      server = startServer(tail, tailQuota);
      while (System.nanoTime() < end) {
        PhaseRecorder recorder = new PhaseRecorder();
        long submittedHere = 0;
        PipelineSpec spec =
            PipelineSpec.defaults(model, split)
                .withBatch(batch)
                .withTails(List.of(server.address()))
                .withPlacement(head, Placement.of(tail.cpus(), tail.threads()))
                .withTimeout(Duration.ofSeconds(30));
        try (Pipeline pipeline = Pipeline.open(spec);
            PipelineDriver driver = new PipelineDriver(pipeline, depth, recorder)) {
          while (System.nanoTime() < end) {
            long now = System.nanoTime();
            if (now >= nextSample) {
              samples.add(sample(start, now, server, completed + driver.completed()));
              Sample s = samples.get(samples.size() - 1);
              out.printf(
                  Locale.ROOT,
                  "%6.1f min  head RSS %,d KiB  direct %,d B  server %d RSS %,d KiB"
                      + "  completed %,d%n",
                  s.minute(),
                  s.headRssKib(),
                  s.directBytes(),
                  s.serverPid(),
                  s.serverRssKib(),
                  s.completed());
              nextSample = now + TimeUnit.SECONDS.toNanos(sampleSeconds);
            }
            if (!restarted && now >= restartAt) {
              restarted = true;
              out.println("killing stage server pid " + server.pid() + " (SIGKILL) mid-run");
              ProcessHandle.of(server.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
            driver.submit();
            submittedHere++;
          }
          driver.awaitIdle();
          submitted += submittedHere;
          completed += driver.completed();
        } catch (PipelineFailedException e) {
          submitted += submittedHere;
          long done = recorder.count();
          completed += done;
          long lost = submittedHere - done;
          abandoned += lost;
          out.println("pipeline failed as expected after the kill: " + e.getMessage());
          out.println("  " + lost + " request(s) were in flight and are abandoned (not counted)");
          if (lost > depth) {
            out.println(
                "FAIL: more requests abandoned than were in flight ("
                    + lost
                    + " > depth "
                    + depth
                    + ")");
            return 1;
          }
          server.close();
          server = startServer(tail, tailQuota);
          restarts++;
          out.println("restarted: " + server);
        }
      }
    } finally {
      if (server != null) {
        server.close();
      }
      if (tailQuota != null) {
        tailQuota.close();
      }
    }
    return verdict(samples, submitted, completed, abandoned, restarts, warmupEnd - start);
  }

  private int verdict(
      List<Sample> samples,
      long submitted,
      long completed,
      long abandoned,
      int restarts,
      long warmupNanos)
      throws IOException {
    boolean ok = true;
    out.printf(
        Locale.ROOT,
        "requests: submitted %,d, completed %,d, abandoned at the kill %,d, restarts %d%n",
        submitted,
        completed,
        abandoned,
        restarts);
    if (submitted != completed + abandoned) {
      out.println("FAIL: submitted != completed + abandoned");
      ok = false;
    }
    double warmupMinute = warmupNanos / 60e9;
    List<Sample> steady = samples.stream().filter(s -> s.minute() >= warmupMinute).toList();
    if (steady.size() >= 2) {
      ok &=
          flat("head RSS", steady.get(0).headRssKib(), steady.get(steady.size() - 1).headRssKib());
      // direct buffers are part of the resident set; judged against it, since a few hundred KiB of
      // buffers
      // awaiting garbage collection are a large fraction of their own small total but not a leak
      long directGrowth = steady.get(steady.size() - 1).directBytes() - steady.get(0).directBytes();
      double ofRss = 100.0 * directGrowth / (1024.0 * steady.get(0).headRssKib());
      boolean directOk = Math.abs(ofRss) <= tolerancePercent;
      out.printf(
          Locale.ROOT,
          "head direct buffers: %,d -> %,d B (%+.3f%% of the head's RSS) %s%n",
          steady.get(0).directBytes(),
          steady.get(steady.size() - 1).directBytes(),
          ofRss,
          directOk ? "ok" : "FAIL");
      ok &= directOk;
      for (long pid : steady.stream().map(Sample::serverPid).distinct().toList()) {
        List<Sample> life = steady.stream().filter(s -> s.serverPid() == pid).toList();
        // a restarted server gets its own warm-up: compare from its second sample on
        List<Sample> settled =
            life.size() > 2 && pid != steady.get(0).serverPid()
                ? life.subList(2, life.size())
                : life;
        if (settled.size() >= 2) {
          ok &=
              flat(
                  "server " + pid + " RSS",
                  settled.get(0).serverRssKib(),
                  settled.get(settled.size() - 1).serverRssKib());
        }
      }
    } else {
      out.println("too few samples after the warm-up to judge memory");
      ok = false;
    }
    if (csv != null) {
      List<String> lines = new ArrayList<>();
      lines.add("minute,head_rss_kib,direct_bytes,server_pid,server_rss_kib,completed");
      for (Sample s : samples) {
        lines.add(
            String.format(
                Locale.ROOT,
                "%.2f,%d,%d,%d,%d,%d",
                s.minute(),
                s.headRssKib(),
                s.directBytes(),
                s.serverPid(),
                s.serverRssKib(),
                s.completed()));
      }
      Path tmp = csv.resolveSibling(csv.getFileName() + ".tmp");
      Files.write(tmp, lines);
      Files.move(
          tmp,
          csv,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    out.println(ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
  }

  private boolean flat(String what, long first, long last) {
    double change = first == 0 ? 0 : 100.0 * (last - first) / first;
    boolean ok = Math.abs(change) <= tolerancePercent;
    out.printf(
        Locale.ROOT,
        "%s: %,d -> %,d (%+.2f%%) %s%n",
        what,
        first,
        last,
        change,
        ok ? "ok" : "FAIL");
    return ok;
  }

  /** Starts a stage server placed at {@code tail}, in {@code quota}'s cgroup if there is one. */
  private static StageServerProcess startServer(Placement tail, CpuQuota quota) throws IOException {
    // the pipeline's head proves the environment's secret (Pipeline.open), so the server must
    // require it
    StageServerProcess server =
        StageServerProcess.builder()
            .optCpus(tail.cpus())
            .optThreads(tail.threads())
            .optSecret(Credentials.fromEnvironment().secret().orElse(null))
            .start();
    if (quota != null) {
      try {
        quota.addProcess(server.pid());
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    }
    return server;
  }

  private static Sample sample(long start, long now, StageServerProcess server, long completed) {
    long direct = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        direct = pool.getMemoryUsed();
      }
    }
    return new Sample(
        (now - start) / 60e9,
        rssKib(ProcessHandle.current().pid()),
        direct,
        server.pid(),
        rssKib(server.pid()),
        completed);
  }

  /** VmRSS of {@code pid} in KiB from /proc, or -1 when it cannot be read. */
  static long rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
