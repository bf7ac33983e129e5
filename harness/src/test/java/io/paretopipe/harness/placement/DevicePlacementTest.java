package io.paretopipe.harness.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.paretopipe.harness.driver.Phase;
import io.paretopipe.harness.driver.PhaseRecorder;
import io.paretopipe.harness.driver.Pipeline;
import io.paretopipe.harness.driver.PipelineDriver;
import io.paretopipe.harness.driver.PipelineSpec;
import io.paretopipe.netem.NetworkCondition;
import io.paretopipe.netem.device.CpuQuota;
import io.paretopipe.netem.ns.NamespacePair;
import io.paretopipe.netem.tc.TcShaper;
import java.net.InetAddress;
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
  void aStageUnderATwentyFivePercentQuotaComputesAboutFourTimesSlower() throws Exception {
    Optional<String> why = CpuQuota.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "CPU quotas unavailable: " + why.orElse(""));
    assumeTrue(CpuAffinity.tasksetAvailable(), "taskset (util-linux) is needed to pin the stage");
    PipelineSpec spec =
        PipelineSpec.defaults("resnet18", "4")
            .withBatch(4)
            .withPlacement(1, "", 1, "1")
            .withTimeout(Duration.ofSeconds(120));
    try (Pipeline pipeline = Pipeline.open(spec)) {
      double free = tailComputeMillis(pipeline);
      double limited;
      try (CpuQuota quota = CpuQuota.create(25)) {
        quota.addProcess(pipeline.servers().get(0).pid());
        limited = tailComputeMillis(pipeline);
      }
      double slowdown = limited / free;
      System.out.printf(
          "resnet18 units [4, 8) + suffix, batch 4, CPU 1: %.1f ms free, %.1f ms under a 25%%"
              + " quota: %.2fx slower%n",
          free, limited, slowdown);
      // CFS enforces the quota per 100 ms period: a ~120 ms compute spans 5-6 periods depending on
      // where it
      // starts, so single runs measured 3.1-5.0x; the bound is wide on purpose, a missing cap gives
      // ~1x
      assertTrue(
          slowdown >= 3.0 && slowdown <= 6.0, "expected about 4x (3x..6x), got " + slowdown + "x");
    }
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
