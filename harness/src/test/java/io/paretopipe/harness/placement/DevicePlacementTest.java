package io.paretopipe.harness.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.paretopipe.format.NetworkCondition;
import io.paretopipe.format.Phase;
import io.paretopipe.harness.driver.PhaseRecorder;
import io.paretopipe.harness.driver.Pipeline;
import io.paretopipe.harness.driver.PipelineDriver;
import io.paretopipe.harness.driver.PipelineSpec;
import io.paretopipe.netem.device.CpuQuota;
import io.paretopipe.netem.ns.NamespacePair;
import io.paretopipe.netem.tc.TcShaper;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Heterogeneous devices on one machine: a stage server inside its own network namespace across a
 * shaped veth, and a stage under a CPU quota playing a weaker device.
 */
class DevicePlacementTest {

  @Test
  void stageServerInASecondNamespaceCompletesASplitInferenceAcrossTheVeth() throws Exception {
    Optional<String> why = NamespacePair.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "network namespaces unavailable: " + why.orElse(""));
    try (NamespacePair pair = NamespacePair.create()) {
      InetAddress tailAddress = pair.address(NamespacePair.Side.TAIL);
      String ns = pair.namespace(NamespacePair.Side.TAIL);
      try (StageServerProcess server =
          StageServerProcess.builder()
              .optCommandPrefix(List.of("ip", "netns", "exec", ns), tailAddress.getHostAddress())
              .start()) {
        int port =
            Integer.parseInt(server.address().substring(server.address().lastIndexOf(':') + 1));
        assertEquals(tailAddress.getHostAddress() + ":" + port, server.address());
        try (TcShaper shaper =
            pair.shape(NamespacePair.Side.HEAD, NetworkCondition.parse("rate:200mbit"), port)) {
          PipelineSpec spec =
              PipelineSpec.defaults("mobilenetv2", "9")
                  .withBatch(2)
                  .withTails(List.of(server.address()))
                  .withTimeout(Duration.ofSeconds(60));
          PhaseRecorder recorder = new PhaseRecorder();
          try (Pipeline pipeline = Pipeline.open(spec);
              PipelineDriver driver = new PipelineDriver(pipeline, 1, recorder)) {
            driver.runOne();
            driver.runOne();
            assertEquals(2, driver.completed());
            assertEquals(2 * 10, driver.lastOutput().length);
            assertEquals(
                server.pid(),
                pipeline.reply().pid() == server.pid() ? server.pid() : -1,
                "the stage that answered is the one in the namespace");
          }
          System.out.printf(
              "split inference across %s (%s, shaped by %s): e2e mean %.1f ms%n",
              pair, server.address(), shaper.rule(), recorder.total(Phase.E2E).getMean() / 1e6);
        }
      }
    }
  }

  @Test
  void aStageUnderATwentyFivePercentQuotaGetsAtMostAQuarterOfACpuAndIsThrottled() throws Exception {
    Optional<String> why = CpuQuota.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "CPU quotas unavailable: " + why.orElse(""));
    assumeTrue(CpuAffinity.tasksetAvailable(), "taskset (util-linux) is needed to pin the stage");
    PipelineSpec spec =
        PipelineSpec.defaults("resnet18", "4")
            .withBatch(4)
            .withPlacement(Placement.DEFAULT, Placement.of(CpuSet.parse("1"), 1))
            .withTimeout(Duration.ofSeconds(120));
    try (Pipeline pipeline = Pipeline.open(spec)) {
      long pid = pipeline.servers().get(0).pid();
      double free = tailComputeMillis(pipeline);
      double limited;
      double cpuPerWall;
      long throttled;
      try (CpuQuota quota = CpuQuota.create(25)) {
        quota.addProcess(pid);
        assertTrue(quota.processes().contains(pid), "the stage is in " + quota.directory());
        long throttledBefore = throttledPeriods(quota);
        long cpuBefore = cpuTicks(pid);
        long wallBefore = System.nanoTime();
        limited = tailComputeMillis(pipeline);
        double wallSeconds = (System.nanoTime() - wallBefore) / 1e9;
        cpuPerWall = (cpuTicks(pid) - cpuBefore) / (double) CLOCK_TICKS_PER_SECOND / wallSeconds;
        throttled = throttledPeriods(quota) - throttledBefore;
      }
      System.out.printf(
          "resnet18 units [4, 8) + suffix, batch 4, CPU 1: %.1f ms free, %.1f ms under a 25%%"
              + " quota (%.2fx); CPU time per wall time under the quota %.3f, throttled in %d periods%n",
          free, limited, limited / free, cpuPerWall, throttled);
      // What CFS guarantees: at most 25 ms of CPU per 100 ms period, whatever else the machine runs
      // (other load can only lower it). The bound leaves room for the period the window starts in
      // and for the 10 ms tick of /proc's accounting over a window of several seconds.
      assertTrue(cpuPerWall <= 0.30, "CPU time per wall time under a 25% quota: " + cpuPerWall);
      assertTrue(cpuPerWall > 0, "the stage computed under the quota");
      // A forward needs ~0.1 s of CPU, several periods' worth of quota: it must have been
      // throttled.
      assertTrue(throttled > 0, "throttled periods under the quota: " + throttled);
    }
  }

  /** Clock ticks per second of {@code /proc/PID/stat} (USER_HZ, 100 on Linux x86_64). */
  private static final long CLOCK_TICKS_PER_SECOND = 100;

  /** utime + stime of {@code pid}, every thread, in clock ticks. */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** {@code nr_throttled} of the quota's {@code cpu.stat} (cgroup v1 and v2 both have it). */
  private static long throttledPeriods(CpuQuota quota) throws IOException {
    for (String line : Files.readAllLines(quota.directory().resolve("cpu.stat"))) {
      if (line.startsWith("nr_throttled ")) {
        return Long.parseLong(line.substring("nr_throttled ".length()).trim());
      }
    }
    throw new IOException("no nr_throttled in " + quota.directory().resolve("cpu.stat"));
  }

  /** Median stage-reported compute over 8 requests, after 2 unrecorded ones. */
  private static double tailComputeMillis(Pipeline pipeline) throws Exception {
    PhaseRecorder recorder = new PhaseRecorder();
    try (PipelineDriver driver = new PipelineDriver(pipeline, 1, recorder)) {
      driver.runOne();
      driver.runOne();
      recorder.reset();
      for (int i = 0; i < 8; i++) {
        driver.runOne();
      }
    }
    return recorder.total(Phase.TAIL_COMPUTE).getValueAtPercentile(50) / 1e6;
  }
}
