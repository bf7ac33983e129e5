package io.paretopipe.harness.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * and tail compute take about as long. What the mechanism guarantees is asserted: at depth 1 the
 * head never starts a compute while another request is in flight; at depth 4 it does so for nearly
 * every request (the head starts request k+1 while the tail holds k). The speed-up in images/s is
 * printed, not asserted: it is a ratio of two wall times and falls whenever another process shares
 * a core (1.43x seen under a parallel build, 1.89x idle; the ideal here is about 1.9x). Depth 1 and
 * depth 4 alternate over one pipeline, three rounds of 40 requests each (set {@code
 * -Dpipelining.requests} to change).
 */
class PipeliningTest {

  @Test
  void depthFourOverlapsHeadAndTail() throws Exception {
    assumeTrue(CpuAffinity.tasksetAvailable(), "taskset (util-linux) is needed to pin stages");
    assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two CPUs");
    String split = balancedSplit();
    double sequentialSeconds = 0;
    double pipelinedSeconds = 0;
    long sequentialOverlaps = 0;
    long pipelinedOverlaps = 0;
    int requests = Integer.getInteger("pipelining.requests", 40);
    try (Pipeline pipeline = Pipeline.open(spec(split))) {
      run(pipeline, 1, 4);
      for (int round = 0; round < 3; round++) {
        Round sequentialRound = run(pipeline, 1, requests);
        sequentialSeconds += sequentialRound.seconds();
        sequentialOverlaps += sequentialRound.overlaps();
        Round pipelinedRound = run(pipeline, 4, requests);
        pipelinedSeconds += pipelinedRound.seconds();
        pipelinedOverlaps += pipelinedRound.overlaps();
      }
    }
    double sequential = 3 * requests * BATCH / sequentialSeconds;
    double pipelined = 3 * requests * BATCH / pipelinedSeconds;
    double speedup = pipelined / sequential;
    System.out.printf(
        "resnet18 split %s batch %d, head CPU 0, tail CPU 1: depth 1 %.2f img/s, depth 4 %.2f img/s,"
            + " speed-up %.2fx; head computes overlapping the tail: depth 1 %d, depth 4 %d of %d%n",
        split,
        BATCH,
        sequential,
        pipelined,
        speedup,
        sequentialOverlaps,
        pipelinedOverlaps,
        3 * requests);
    assertEquals(0, sequentialOverlaps, "depth 1 computed the head while a request was in flight");
    long expected = 3L * (requests - 1) * MINIMUM_OVERLAP_PERCENT / 100;
    assertTrue(
        pipelinedOverlaps >= expected,
        "depth 4 started only "
            + pipelinedOverlaps
            + " head computes with work in flight (expected >= "
            + expected
            + " of "
            + 3 * requests
            + ")");
  }

  private record Round(double seconds, long overlaps) {}

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
   * Of the requests after the first of a round, the share whose head compute must start with an
   * earlier request in flight at depth 4. The driver starts request k+1 as soon as k is sent, so
   * only a result that came back before the next head compute began (faster than a tail forward of
   * ~100 ms) can make one miss; under a parallel build 49 of 120 requests still overlapped when
   * "overlap" also required work in flight at the head compute's end, so that stricter reading is
   * not asserted.
   */
  private static final int MINIMUM_OVERLAP_PERCENT = 90;

  private static PipelineSpec spec(String split) {
    return PipelineSpec.defaults("resnet18", split)
        .withBatch(BATCH)
        .withPlacement(Placement.of(CpuSet.parse("0"), 1), Placement.of(CpuSet.parse("1"), 1))
        .withTimeout(Duration.ofSeconds(60));
  }

  /**
   * Seconds and overlapped head computes for {@code requests} requests at {@code depth},
   * interleaved rounds sharing one pipeline.
   */
  private static Round run(Pipeline pipeline, int depth, int requests) throws Exception {
    try (PipelineDriver driver = new PipelineDriver(pipeline, depth, new PhaseRecorder())) {
      long start = System.nanoTime();
      for (int i = 0; i < requests; i++) {
        driver.submit();
      }
      driver.awaitIdle();
      return new Round((System.nanoTime() - start) / 1e9, driver.overlappedHeadComputes());
    }
  }
}
