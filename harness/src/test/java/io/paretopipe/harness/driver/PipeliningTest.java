package io.paretopipe.harness.driver;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.paretopipe.format.Phase;
import io.paretopipe.harness.placement.CpuAffinity;
import io.paretopipe.harness.placement.CpuSet;
import io.paretopipe.harness.placement.Placement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Pipelining is real: head on CPU 0, a spawned tail on CPU 1, resnet18 at batch 2 (activations
 * small enough that the two cores do not fight over memory bandwidth) cut where head and tail
 * compute take about as long; depth 4 must give at least {@link #MINIMUM_SPEEDUP} times the
 * images/s of depth 1 (the ideal is close to 2x). Depth 1 and depth 4 alternate over one pipeline,
 * three rounds of 40 requests each (set {@code -Dpipelining.requests} to change), so load drifts
 * and JIT warm-up fall on both alike. The figures are printed.
 */
class PipeliningTest {

  @Test
  void depthFourOverlapsHeadAndTail() throws Exception {
    assumeTrue(CpuAffinity.tasksetAvailable(), "taskset (util-linux) is needed to pin stages");
    assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two CPUs");
    String split = balancedSplit();
    double sequentialSeconds = 0;
    double pipelinedSeconds = 0;
    int requests = Integer.getInteger("pipelining.requests", 40);
    try (Pipeline pipeline = Pipeline.open(spec(split))) {
      run(pipeline, 1, 4);
      for (int round = 0; round < 3; round++) {
        sequentialSeconds += run(pipeline, 1, requests);
        pipelinedSeconds += run(pipeline, 4, requests);
      }
    }
    double sequential = 3 * requests * BATCH / sequentialSeconds;
    double pipelined = 3 * requests * BATCH / pipelinedSeconds;
    double speedup = pipelined / sequential;
    System.out.printf(
        "resnet18 split %s batch %d, head CPU 0, tail CPU 1: depth 1 %.2f img/s, depth 4 %.2f img/s,"
            + " speed-up %.2fx%n",
        split, BATCH, sequential, pipelined, speedup);
    assertTrue(
        speedup >= MINIMUM_SPEEDUP, "depth 4 gave only " + speedup + "x the images/s of depth 1");
  }

  /** The split of resnet18 among 3..6 whose head and tail compute means are closest. */
  private static String balancedSplit() throws Exception {
    String best = "4";
    double bestGap = Double.MAX_VALUE;
    for (String split : new String[] {"3", "4", "5"}) {
      PhaseRecorder recorder = new PhaseRecorder();
      try (Pipeline pipeline = Pipeline.open(spec(split));
          PipelineDriver driver = new PipelineDriver(pipeline, 1, recorder)) {
        for (int i = 0; i < 8; i++) {
          driver.runOne();
        }
      }
      double head = recorder.total(Phase.HEAD_COMPUTE).getMean();
      double tail = recorder.total(Phase.TAIL_COMPUTE).getMean();
      double gap = Math.abs(head - tail) / Math.max(head, tail);
      System.out.printf(
          "resnet18 split %s: head %.1f ms, tail %.1f ms%n", split, head / 1e6, tail / 1e6);
      if (gap < bestGap) {
        bestGap = gap;
        best = split;
      }
    }
    return best;
  }

  private static final int BATCH = 2;

  /**
   * The conservative bound: a two-stage pipeline of N requests takes about N x max(h, t) + min(h,
   * t) against N x (h + t) sequentially, so the ideal with N = 40 and the balanced split here is
   * about 1.9x. With 12 requests per round, as before, filling and draining the pipeline alone
   * capped it near 1.8x and measured runs fell to 1.54x; with 40 they measured 1.89x.
   */
  private static final double MINIMUM_SPEEDUP = 1.6;

  private static PipelineSpec spec(String split) {
    return PipelineSpec.defaults("resnet18", split)
        .withBatch(BATCH)
        .withPlacement(Placement.of(CpuSet.parse("0"), 1), Placement.of(CpuSet.parse("1"), 1))
        .withTimeout(Duration.ofSeconds(60));
  }

  /**
   * Seconds for {@code requests} requests at {@code depth}, interleaved rounds sharing one
   * pipeline.
   */
  private static double run(Pipeline pipeline, int depth, int requests) throws Exception {
    try (PipelineDriver driver = new PipelineDriver(pipeline, depth, new PhaseRecorder())) {
      long start = System.nanoTime();
      for (int i = 0; i < requests; i++) {
        driver.submit();
      }
      driver.awaitIdle();
      return (System.nanoTime() - start) / 1e9;
    }
  }
}
