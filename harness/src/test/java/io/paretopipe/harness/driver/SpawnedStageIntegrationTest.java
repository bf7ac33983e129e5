package io.paretopipe.harness.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.paretopipe.harness.placement.CpuAffinity;
import io.paretopipe.harness.placement.CpuSet;
import io.paretopipe.harness.placement.Placement;
import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.harness.transport.grpc.GrpcStageChannel;
import io.paretopipe.harness.transport.nio.NioStageChannel;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.models.StageModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real stage server JVMs, spawned and pinned, over nio and over grpc: for mobilenetv2 at three
 * splits and one three-stage cut the logits equal the unsplit model's within 1e-4, and no stage
 * process outlives its pipeline.
 */
class SpawnedStageIntegrationTest {

  private static final float TOLERANCE = 1e-4f;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"nio", "grpc"})
  void splitLogitsOverRealStageServersEqualTheWholeModel(String transport) throws Exception {
    float[] expected = wholeModelLogits("mobilenetv2", 2);
    List<Long> pids = new ArrayList<>();
    for (String split : List.of("0", "7", "19", "3:9")) {
      PipelineSpec spec =
          PipelineSpec.defaults("mobilenetv2", split)
              .withTransport(TransportKind.parse(transport))
              .withBatch(2)
              .withPlacement(
                  Placement.DEFAULT,
                  Placement.of(
                      CpuAffinity.tasksetAvailable() ? CpuSet.parse("1") : CpuSet.UNPINNED, 1))
              .withTimeout(Duration.ofSeconds(60));
      try (Pipeline pipeline = Pipeline.open(spec);
          PipelineDriver driver = new PipelineDriver(pipeline, 2, new PhaseRecorder())) {
        assertEquals(
            transport.equals("grpc") ? GrpcStageChannel.class : NioStageChannel.class,
            pipeline.channel().getClass());
        assertEquals(split.contains(":") ? 2 : 1, pipeline.servers().size());
        for (StageServerProcess s : pipeline.servers()) {
          pids.add(s.pid());
          assertTrue(s.isAlive());
          if (CpuAffinity.tasksetAvailable()) {
            assertEquals("1", CpuAffinity.allowedCpus(s.pid()), "spawned stage pinned to CPU 1");
          }
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
        System.out.printf(
            "mobilenetv2 split %s over %s: max |logit difference| %.3g%n", split, transport, diff);
        assertTrue(diff <= TOLERANCE, "split " + split + ": max |difference| " + diff);
        List<String> all = new ArrayList<>(pipeline.head().unitNames());
        all.addAll(pipeline.reply().unitNames());
        assertEquals(20, all.size(), "head + remote pieces: " + all);
        assertEquals("features.0", all.get(0));
        assertEquals("suffix", all.get(19));
      }
    }
    for (long pid : pids) {
      assertFalse(
          ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
          "stage server " + pid + " survived its pipeline");
    }
  }

  @Test
  void headAndSpawnedTailRunOnDifferentCpus() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        CpuAffinity.tasksetAvailable(),
        "taskset (util-linux) is needed to pin stages: apt-get install util-linux");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Runtime.getRuntime().availableProcessors() >= 2,
        "needs two CPUs to place head and tail apart");
    PipelineSpec spec =
        PipelineSpec.defaults("mobilenetv2", "10")
            .withBatch(1)
            .withPlacement(Placement.DEFAULT, Placement.of(CpuSet.parse("1"), 1));
    try (Pipeline pipeline = Pipeline.open(spec)) {
      String tail = CpuAffinity.allowedCpus(pipeline.servers().get(0).pid());
      assertEquals("1", tail);
      assertEquals("1", pipeline.reply().cpusAllowed());
      assertNotEquals(tail, CpuAffinity.allowedCpus(ProcessHandle.current().pid()));
    }
  }

  static float[] wholeModelLogits(String model, int batch) {
    try (StageModel whole = StageModel.whole(ModelCatalog.define(model));
        ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
      NDArray input = Pipeline.seededInput(manager, batch, 42, whole.inputShapePerImage());
      return whole.forward(input).toFloatArray();
    }
  }
}
