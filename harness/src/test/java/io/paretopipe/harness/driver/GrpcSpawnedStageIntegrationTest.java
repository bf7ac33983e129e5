package io.paretopipe.harness.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.transport.grpc.GrpcStageChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real stage server JVMs spawned with {@code serve --transport grpc}, reached over grpc: for
 * mobilenetv2 at three splits (one remote stage) and one three-stage cut (the middle stage
 * forwards over grpc) the logits equal the unsplit model's within 1e-4, and no stage process
 * outlives its pipeline.
 */
class GrpcSpawnedStageIntegrationTest {

    private static final float TOLERANCE = 1e-4f;

    @Test
    void splitLogitsOverGrpcStageServersEqualTheWholeModel() throws Exception {
        float[] expected = SpawnedStageIntegrationTest.wholeModelLogits("mobilenetv2", 2);
        List<Long> pids = new ArrayList<>();
        for (String split : List.of("0", "7", "19", "3:9")) {
            PipelineSpec spec = PipelineSpec.defaults("mobilenetv2", split)
                    .withTransport("grpc")
                    .withBatch(2)
                    .withTimeout(Duration.ofSeconds(60));
            try (Pipeline pipeline = Pipeline.open(spec);
                    PipelineDriver driver = new PipelineDriver(pipeline, 2, new PhaseRecorder())) {
                assertTrue(pipeline.channel() instanceof GrpcStageChannel, "channel " + pipeline.channel());
                assertEquals(split.contains(":") ? 2 : 1, pipeline.servers().size());
                for (StageServerProcess s : pipeline.servers()) {
                    pids.add(s.pid());
                    assertTrue(s.isAlive());
                }
                driver.runOne();
                driver.submit();
                driver.submit();
                driver.awaitIdle();
                assertEquals(3, driver.completed());
                float[] actual = driver.lastOutput();
                assertEquals(expected.length, actual.length);
                float diff = 0;
                for (int i = 0; i < expected.length; i++) {
                    diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
                }
                System.out.printf("mobilenetv2 split %s over grpc: max |logit difference| %.3g%n", split, diff);
                assertTrue(diff <= TOLERANCE, "split " + split + ": max |difference| " + diff);
                List<String> all = new ArrayList<>(pipeline.head().unitNames());
                all.addAll(pipeline.reply().unitNames());
                assertEquals(20, all.size(), "head + remote pieces: " + all);
            }
        }
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "stage server " + pid + " survived its pipeline");
        }
    }
}
