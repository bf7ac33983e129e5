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
 * Pipelining is real: head on CPU 0, a spawned tail on CPU 1, resnet18 at batch 2 cut where head
 * and tail compute take about as long. What depth 4 guarantees, whatever else runs on the machine:
 * head and tail compute at the same time, so the compute time both stages report (each on its own
 * clock, durations only) adds up to more than the wall time of the run; at depth 1 it never can
 * (one request at a time, computed by one stage at a time). Depth 1 and depth 4 alternate over one
 * pipeline, three rounds of 40 requests each (set {@code -Dpipelining.requests} to change); the
 * throughput of both is printed, not asserted (a ratio of two wall times depends on the load of the
 * machine: docs/PERFORMANCE.md has measured figures).
 */
class PipeliningTest {

  /** Compute seconds of both stages per wall second that depth 4 must at least reach. */
  private static final double MINIMUM_OVERLAP = 1.2;

  @Test
  void depthFourOverlapsHeadAndTail() throws Exception {
    assumeTrue(CpuAffinity.tasksetAvailable(), "taskset (util-linux) is needed to pin stages");
    assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two CPUs");
    String split = balancedSplit();
    Round sequential = new Round(0, 0);
    Round pipelined = new Round(0, 0);
    int requests = Integer.getInteger("pipelining.requests", 40);
    try (Pipeline pipeline = Pipeline.open(spec(split))) {
      run(pipeline, 1, 4);
      for (int round = 0; round < 3; round++) {
        sequential = sequential.plus(run(pipeline, 1, requests));
        pipelined = pipelined.plus(run(pipeline, 4, requests));
      }
    }
    System.out.printf(
        "resnet18 split %s batch %d, head CPU 0, tail CPU 1: depth 1 %.2f img/s (compute/wall"
            + " %.2f), depth 4 %.2f img/s (compute/wall %.2f)%n",
        split,
        BATCH,
        3 * requests * BATCH / sequential.wallSeconds(),
        sequential.overlap(),
        3 * requests * BATCH / pipelined.wallSeconds(),
        pipelined.overlap());
    assertTrue(
        sequential.overlap() < 1.0,
        "depth 1 reported more compute than wall time: " + sequential.overlap());
    assertTrue(
        pipelined.overlap() >= MINIMUM_OVERLAP,
        "depth 4 computed only "
            + pipelined.overlap()
            + " s of head and tail compute per wall second: the stages did not overlap");
  }

  /** Wall time of a run and the compute time its head and tail reported. */
  private record Round(double wallSeconds, double computeSeconds) {
    Round plus(Round other) {
      return new Round(wallSeconds + other.wallSeconds, computeSeconds + other.computeSeconds);
    }

    double overlap() {
      return computeSeconds / wallSeconds;
    }
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

  private static PipelineSpec spec(String split) {
    return PipelineSpec.defaults("resnet18", split)
        .withBatch(BATCH)
        .withPlacement(Placement.of(CpuSet.parse("0"), 1), Placement.of(CpuSet.parse("1"), 1))
        .withTimeout(Duration.ofSeconds(60));
  }

  /** {@code requests} requests at {@code depth}, interleaved rounds sharing one pipeline. */
  private static Round run(Pipeline pipeline, int depth, int requests) throws Exception {
    PhaseRecorder recorder = new PhaseRecorder();
    try (PipelineDriver driver = new PipelineDriver(pipeline, depth, recorder)) {
      long start = System.nanoTime();
      for (int i = 0; i < requests; i++) {
        driver.submit();
      }
      driver.awaitIdle();
      double wall = (System.nanoTime() - start) / 1e9;
      double compute = 0;
      for (Phase phase : new Phase[] {Phase.HEAD_COMPUTE, Phase.TAIL_COMPUTE}) {
        org.HdrHistogram.Histogram h = recorder.total(phase);
        compute += h.getMean() * h.getTotalCount() / 1e9;
      }
      return new Round(wall, compute);
    }
  }
}
