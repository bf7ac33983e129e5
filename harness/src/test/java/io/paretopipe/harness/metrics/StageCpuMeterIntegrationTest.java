package io.paretopipe.harness.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.driver.PhaseRecorder;
import io.paretopipe.harness.driver.Pipeline;
import io.paretopipe.harness.driver.PipelineDriver;
import io.paretopipe.harness.driver.PipelineSpec;
import io.paretopipe.harness.placement.CpuAffinity;
import io.paretopipe.harness.placement.CpuSet;
import io.paretopipe.harness.placement.Placement;
import io.paretopipe.harness.transport.TransportKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * CPU ms per image per stage of real mobilenetv2 pipelines agrees with an independent reading of
 * {@code /proc/<pid>/stat} taken by this test around the same window, and head plus tail equals the
 * process total. Tolerance: 5 %, or 3 clock ticks (30 ms at USER_HZ 100) per process when that is
 * larger, since both readings are in whole ticks and taken microseconds apart.
 */
class StageCpuMeterIntegrationTest {

  private static final int BATCH = 4;
  private static final int REQUESTS = 24;

  /** utime + stime of a process in ticks, parsed here on purpose without {@link ProcCpu}. */
  private static long independentTicks(long pid) throws Exception {
    String line = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static void assertAgrees(double expectedMs, double actualMs, String what) {
    double tolerance = Math.max(0.05 * expectedMs, 3 * 1000.0 / ProcCpu.ticksPerSecond());
    assertEquals(expectedMs, actualMs, tolerance, what);
  }

  @ParameterizedTest(name = "{0} split {1}")
  @CsvSource({"nio,0", "nio,8", "nio,19", "local,8"})
  void perStageCpuAgreesWithProcStatAndSumsToTheProcessTotal(String transport, String split)
      throws Exception {
    PipelineSpec spec =
        PipelineSpec.defaults("mobilenetv2", split)
            .withTransport(TransportKind.parse(transport))
            .withBatch(BATCH)
            .withPlacement(
                Placement.DEFAULT,
                Placement.of(
                    CpuAffinity.tasksetAvailable() ? CpuSet.parse("1") : CpuSet.UNPINNED, 1))
            .withTimeout(Duration.ofSeconds(120));
    try (Pipeline pipeline = Pipeline.open(spec);
        PipelineDriver driver = new PipelineDriver(pipeline, 1, new PhaseRecorder())) {
      for (int i = 0; i < 3; i++) {
        driver.runOne();
      }
      long self = ProcessHandle.current().pid();
      List<Long> pids =
          transport.equals("local")
              ? List.of(self)
              : List.of(self, pipeline.servers().get(0).pid());
      long[] before = new long[pids.size()];
      for (int i = 0; i < pids.size(); i++) {
        before[i] = independentTicks(pids.get(i));
      }
      StageCpuMeter meter = new StageCpuMeter(ProcCpu.system(), PipelineCpuSubjects.of(pipeline));
      StageCpuMeter.Window window = meter.start();
      for (int i = 0; i < REQUESTS; i++) {
        driver.runOne();
      }
      CpuReport report = window.stop(REQUESTS * BATCH);
      double[] independentMs = new double[pids.size()];
      for (int i = 0; i < pids.size(); i++) {
        independentMs[i] = ProcCpu.millis(independentTicks(pids.get(i)) - before[i]);
      }
      double headPlusTail =
          report.stages().get(0).totalMillis() + report.stages().get(1).totalMillis();
      assertAgrees(report.processTotalMillis(), headPlusTail, "head + tail vs process total");
      if (transport.equals("local")) {
        assertAgrees(independentMs[0], report.processTotalMillis(), "process total vs /proc");
        assertTrue(
            report.stages().get(1).totalMillis() > 0,
            "the in-process stage's compute thread did the tail's work: " + report.stages());
      } else {
        assertAgrees(independentMs[0], report.stages().get(0).totalMillis(), "head vs /proc");
        assertAgrees(independentMs[1], report.stages().get(1).totalMillis(), "stage1 vs /proc");
      }
      assertEquals(
          report.totalMillis() / (REQUESTS * BATCH), report.totalMsPerImage(), 1e-9, "per image");
    }
  }
}
