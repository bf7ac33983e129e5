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
import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.models.ModelCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CPU ms per image per stage of real mobilenetv2 pipelines, at every split 0..19 over {@code nio}
 * and at split 8 over {@code local}, agrees with an independent reading of {@code /proc/<pid>/stat}
 * taken by this test around the same window, and head plus tail equals the process total.
 *
 * <p>The nio splits share one stage server process (as a sweep's {@code tail=shared} does), so the
 * stage's readings are deltas of that one pid around each split's window, never its lifetime total.
 * Both readings are of process CPU time, not wall time, so other load on the machine makes the
 * windows longer but does not move the comparison.
 *
 * <p>Tolerance: 5 %, strictly. Both readings are in whole clock ticks (10 ms at USER_HZ 100), so
 * each window runs requests until every process read holds at least {@value #MIN_TICKS} ticks: the
 * two readings' quantization (at most a tick each) is then under 3.4 %, inside the 5 %. A split
 * whose process cannot reach that within {@value #MAX_REQUESTS} requests fails, it is not waved
 * through. Each split prints one row (requests, stage ms/image by the meter and by {@code /proc},
 * head, total, process total); the table is printed again once every split ran (docs/ENERGY.md,
 * "Checks").
 */
class StageCpuMeterIntegrationTest {

  private static final String MODEL = "mobilenetv2";
  private static final int BATCH = 2;
  private static final int WARMUP = 2;
  private static final int MIN_REQUESTS = 12;
  private static final int MAX_REQUESTS = 1_000;
  private static final long MIN_TICKS = 60;
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private static StageServerProcess sharedServer;
  private static final List<String> ROWS = new ArrayList<>();

  @BeforeAll
  static void startSharedStageServer() throws Exception {
    sharedServer =
        StageServerProcess.builder()
            .optCpus(tailCpus())
            .optThreads(1)
            .optTransport(TransportKind.NIO)
            .start();
  }

  @AfterAll
  static void stopSharedStageServerAndPrintTheTable() {
    if (sharedServer != null) {
      sharedServer.close();
    }
    StringBuilder table =
        new StringBuilder(
            "| transport | split | requests | stage1 ms/img meter | stage1 ms/img /proc | ticks apart"
                + " | head ms/img meter | head ms/img /proc | ticks apart | head + stage1"
                + " | process total |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    synchronized (ROWS) {
      ROWS.forEach(r -> table.append(r).append('\n'));
    }
    System.out.print(
        "StageCpuMeterIntegrationTest: batch "
            + BATCH
            + ", at least "
            + MIN_REQUESTS
            + " measured requests per split and until every process read holds "
            + MIN_TICKS
            + " ticks, USER_HZ "
            + ProcCpu.ticksPerSecond()
            + "\n"
            + table);
  }

  private static CpuSet tailCpus() {
    return CpuAffinity.tasksetAvailable() ? CpuSet.parse("1") : CpuSet.UNPINNED;
  }

  static IntStream everySplit() {
    return IntStream.rangeClosed(0, ModelCatalog.blueprint(MODEL).unitCount());
  }

  /** utime + stime of a process in ticks, parsed here on purpose without {@link ProcCpu}. */
  private static long independentTicks(long pid) throws Exception {
    String line = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static void assertAgrees(double expectedMs, double actualMs, String what) {
    assertEquals(expectedMs, actualMs, 0.05 * expectedMs, what);
  }

  @Test
  void everySplitOfMobilenetv2IsCovered() {
    assertEquals(19, ModelCatalog.blueprint(MODEL).unitCount(), "mobilenetv2 splits 0..19");
  }

  @ParameterizedTest(name = "nio split {0}, shared stage server")
  @MethodSource("everySplit")
  void perStageCpuAgreesWithProcStatAndSumsToTheProcessTotalAtEverySplit(int split)
      throws Exception {
    PipelineSpec spec =
        PipelineSpec.defaults(MODEL, Integer.toString(split))
            .withTransport(TransportKind.NIO)
            .withTails(List.of(sharedServer.address()))
            .withBatch(BATCH)
            .withTimeout(TIMEOUT);
    try (Pipeline pipeline = Pipeline.open(spec)) {
      long self = ProcessHandle.current().pid();
      long server = sharedServer.pid();
      Measured m =
          measure(
              pipeline, PipelineCpuSubjects.of(pipeline, List.of(server)), List.of(self, server));
      CpuReport report = m.report();
      assertAgrees(m.independentMs()[0], report.stages().get(0).totalMillis(), "head vs /proc");
      assertAgrees(m.independentMs()[1], report.stages().get(1).totalMillis(), "stage1 vs /proc");
      record("nio", split, m, m.independentMs()[1], m.independentMs()[0]);
    }
  }

  @Test
  void perStageCpuAgreesWithProcStatAndSumsToTheProcessTotalOverLocal() throws Exception {
    PipelineSpec spec =
        PipelineSpec.defaults(MODEL, "8")
            .withTransport(TransportKind.LOCAL)
            .withBatch(BATCH)
            .withPlacement(Placement.DEFAULT, Placement.of(tailCpus(), 1))
            .withTimeout(TIMEOUT);
    try (Pipeline pipeline = Pipeline.open(spec)) {
      long self = ProcessHandle.current().pid();
      Measured m = measure(pipeline, PipelineCpuSubjects.of(pipeline), List.of(self));
      CpuReport report = m.report();
      assertTrue(
          report.stages().get(1).totalMillis() > 0,
          "the in-process stage's compute thread did the tail's work: " + report.stages());
      // one process: /proc reads its total only, not the threads' split between head and stage1
      record("local", 8, m, Double.NaN, Double.NaN);
    }
  }

  private record Measured(CpuReport report, double[] independentMs) {}

  private static long leastTicks(List<Long> pids, long[] before) throws Exception {
    long least = Long.MAX_VALUE;
    for (int i = 0; i < pids.size(); i++) {
      least = Math.min(least, independentTicks(pids.get(i)) - before[i]);
    }
    return least;
  }

  /**
   * Warms the pipeline up, then reads {@code pids} by hand and opens the meter's window around the
   * same requests (at least {@value #MIN_REQUESTS}, more until every pid's reading holds {@value
   * #MIN_TICKS} ticks); asserts what holds for every transport: head + stages = process total, the
   * per-image figures are the window's totals over its images.
   */
  private static Measured measure(Pipeline pipeline, List<CpuSubject> subjects, List<Long> pids)
      throws Exception {
    try (PipelineDriver driver = new PipelineDriver(pipeline, 1, new PhaseRecorder())) {
      for (int i = 0; i < WARMUP; i++) {
        driver.runOne();
      }
      long[] before = new long[pids.size()];
      for (int i = 0; i < pids.size(); i++) {
        before[i] = independentTicks(pids.get(i));
      }
      StageCpuMeter.Window window = new StageCpuMeter(ProcCpu.system(), subjects).start();
      int requests = 0;
      while (requests < MIN_REQUESTS || leastTicks(pids, before) < MIN_TICKS) {
        assertTrue(
            requests < MAX_REQUESTS,
            MAX_REQUESTS
                + " requests gave a process read under "
                + MIN_TICKS
                + " ticks: too little CPU to resolve 5 %");
        driver.runOne();
        requests++;
      }
      CpuReport report = window.stop(requests * BATCH);
      double[] independentMs = new double[pids.size()];
      double independentTotal = 0;
      for (int i = 0; i < pids.size(); i++) {
        independentMs[i] = ProcCpu.millis(independentTicks(pids.get(i)) - before[i]);
        independentTotal += independentMs[i];
      }
      double headPlusTail =
          report.stages().get(0).totalMillis() + report.stages().get(1).totalMillis();
      assertAgrees(report.processTotalMillis(), headPlusTail, "head + tail vs process total");
      assertAgrees(independentTotal, report.processTotalMillis(), "process total vs /proc");
      assertEquals(requests * BATCH, report.images(), "images in the window");
      assertEquals(
          report.totalMillis() / (requests * BATCH), report.totalMsPerImage(), 1e-9, "per image");
      return new Measured(report, independentMs);
    }
  }

  private static void record(
      String transport, int split, Measured m, double stageProcMs, double headProcMs) {
    CpuReport r = m.report();
    double images = r.images();
    String row =
        String.format(
            Locale.ROOT,
            "| %s | %d | %d | %.2f | %s | %s | %.2f | %s | %s | %.2f | %.2f |",
            transport,
            split,
            r.images() / BATCH,
            r.msPerImage(1),
            perImage(stageProcMs, images),
            ticksApart(r.stages().get(1).totalMillis(), stageProcMs),
            r.msPerImage(0),
            perImage(headProcMs, images),
            ticksApart(r.stages().get(0).totalMillis(), headProcMs),
            r.totalMsPerImage(),
            r.processTotalMillis() / images);
    System.out.println("StageCpuMeterIntegrationTest " + row);
    synchronized (ROWS) {
      ROWS.add(row);
    }
  }

  private static String perImage(double ms, double images) {
    return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.2f", ms / images);
  }

  /** How many clock ticks the meter's and the independent reading of one window differ by. */
  private static String ticksApart(double meterMs, double independentMs) {
    return Double.isNaN(independentMs)
        ? "-"
        : Long.toString(
            Math.round(Math.abs(meterMs - independentMs) * ProcCpu.ticksPerSecond() / 1000));
  }
}
