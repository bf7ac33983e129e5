package io.paretopipe.harness.driver;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.paretopipe.harness.placement.CpuAffinity;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Pipelining is real: head on CPU 0, a spawned tail on CPU 1, resnet18 cut where head and tail
 * compute take about as long; depth 4 must give at least 1.6x the images/s of depth 1 (a
 * conservative bound: the ideal is close to 2x). The measured figures are printed.
 */
class PipeliningTest {

    @Test
    void depthFourOverlapsHeadAndTail() throws Exception {
        assumeTrue(CpuAffinity.tasksetAvailable(), "taskset (util-linux) is needed to pin stages");
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two CPUs");
        String split = balancedSplit();
        double sequential = imagesPerSecond(split, 1);
        double pipelined = imagesPerSecond(split, 4);
        double speedup = pipelined / sequential;
        System.out.printf("resnet18 split %s batch 4, head CPU 0, tail CPU 1: depth 1 %.2f img/s, depth 4 %.2f img/s,"
                + " speed-up %.2fx%n", split, sequential, pipelined, speedup);
        assertTrue(speedup >= 1.6, "depth 4 gave only " + speedup + "x the images/s of depth 1");
    }

    /** The split of resnet18 among 3..6 whose head and tail compute means are closest. */
    private static String balancedSplit() throws Exception {
        String best = "4";
        double bestGap = Double.MAX_VALUE;
        for (String split : new String[] {"3", "4", "5"}) {
            PhaseRecorder recorder = new PhaseRecorder();
            try (Pipeline pipeline = Pipeline.open(spec(split));
                    PipelineDriver driver = new PipelineDriver(pipeline, 1, recorder)) {
                for (int i = 0; i < 4; i++) {
                    driver.runOne();
                }
            }
            double head = recorder.total(Phase.HEAD_COMPUTE).getMean();
            double tail = recorder.total(Phase.TAIL_COMPUTE).getMean();
            double gap = Math.abs(head - tail) / Math.max(head, tail);
            System.out.printf("resnet18 split %s: head %.1f ms, tail %.1f ms%n", split, head / 1e6, tail / 1e6);
            if (gap < bestGap) {
                bestGap = gap;
                best = split;
            }
        }
        return best;
    }

    private static PipelineSpec spec(String split) {
        return PipelineSpec.defaults("resnet18", split)
                .withBatch(4)
                .withPlacement(1, "0", 1, "1")
                .withTimeout(Duration.ofSeconds(60));
    }

    private static double imagesPerSecond(String split, int depth) throws Exception {
        try (Pipeline pipeline = Pipeline.open(spec(split));
                PipelineDriver driver = new PipelineDriver(pipeline, depth, new PhaseRecorder())) {
            for (int i = 0; i < 4; i++) {
                driver.submit();
            }
            driver.awaitIdle();
            int requests = 16;
            long start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                driver.submit();
            }
            driver.awaitIdle();
            return requests * 4 / ((System.nanoTime() - start) / 1e9);
        }
    }
}
