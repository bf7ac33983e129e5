package io.paretopipe.reports.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.format.HlogFileName;
import io.paretopipe.reports.predict.PeakRates;
import io.paretopipe.reports.predict.Prediction;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ServiceTimeSpread} on hlogs written here with known per-request phase times, and the
 * predicted peak of the stored real run L10 (loopback, split 10, tail the busiest stage) with and
 * without a spread for its tail.
 */
class ServiceTimeSpreadTest {
  private static final String L10 = "src/test/resources/server/L10-server-scenario.json";

  @TempDir Path run;

  /** Writes one hlog of {@code benchmark}: per tag, the values in ms, as one interval. */
  private void hlog(String pass, String benchmark, String split, Map<String, double[]> msByTag)
      throws IOException {
    Map<String, String> params = new TreeMap<>();
    params.put("model", "mobilenetv2");
    params.put("batch", "1");
    params.put("depth", "4");
    params.put("link", "none");
    params.put("split", split);
    params.put("transport", "nio");
    Path dir = Files.createDirectories(run.resolve("hlog").resolve(pass));
    try (PrintStream out =
        new PrintStream(
            Files.newOutputStream(
                dir.resolve(HlogFileName.of("PartitionBenchmark." + benchmark, params))),
            false,
            StandardCharsets.UTF_8)) {
      HistogramLogWriter writer = new HistogramLogWriter(out);
      writer.outputLogFormatVersion();
      writer.outputLegend();
      for (Map.Entry<String, double[]> e : msByTag.entrySet()) {
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        h.setTag(e.getKey());
        for (double ms : e.getValue()) {
          h.recordValue(Math.round(ms * 1e6));
        }
        writer.outputIntervalHistogram(h);
      }
    }
  }

  @Test
  void theSpreadIsVarianceOverMeanSquaredOfTheBusyStagePooledOverPasses() throws Exception {
    // Throughput hlogs, two passes: tail 5 and 15 ms (mean 10, variance 25: cs^2 0.25); head
    // 2 and 4 ms (mean 3, variance 1) plus a constant 1 ms encode: cs^2 1 / 16.
    for (String pass : new String[] {"pass-001", "pass-002"}) {
      hlog(
          pass,
          "throughput",
          "10",
          Map.of(
              "head_compute", new double[] {2, 4},
              "encode", new double[] {1, 1},
              "tail_compute", new double[] {5, 15}));
    }
    // The latency benchmark's hlogs of the same split are not used when throughput ones exist;
    // split 3 has only latency ones (constant: cs^2 0); 3:9 (three stages) is never used.
    hlog("pass-001", "latency", "10", Map.of("tail_compute", new double[] {1, 100}));
    hlog("pass-001", "latency", "3", Map.of("tail_compute", new double[] {8, 8, 8}));
    hlog("pass-001", "throughput", "3:9", Map.of("tail_compute", new double[] {1, 9}));

    ServiceTimeSpread spread = ServiceTimeSpread.read(run, "mobilenetv2", 1);
    ServiceTimeSpread.Stage tail = spread.stage("nio", "10", "tail");
    assertEquals(10, tail.meanMs(), 0.01);
    assertEquals(4, tail.requests());
    assertEquals("throughput", tail.benchmark());
    assertEquals(0.25, tail.cv2(), 0.002);
    assertEquals(1.0 / 16, spread.cv2("nio", "10", "head"), 0.002);
    assertEquals(0, spread.cv2("nio", "3", "tail"), 1e-6);
    assertEquals("latency", spread.stage("nio", "3", "tail").benchmark());
    assertNull(spread.stage("nio", "3", "head"), "no head_compute recorded at split 3");
    assertNull(spread.stage("nio", "3:9", "tail"));
    assertTrue(Double.isNaN(spread.cv2("grpc", "10", "tail")));
    assertNull(
        ServiceTimeSpread.read(run, "resnet18", 1).stage("nio", "10", "tail"), "another model");
    assertNull(ServiceTimeSpread.read(run, "mobilenetv2", 8).stage("nio", "10", "tail"));
    assertNull(
        ServiceTimeSpread.read(run.resolve("nothing"), "mobilenetv2", 1)
            .stage("nio", "10", "tail"));
  }

  @Test
  void theServerReportsPeakIsMg1WithTheBusiestStagesSpreadAndMd1Without() throws Exception {
    hlog(
        "pass-001",
        "throughput",
        "10",
        Map.of("head_compute", new double[] {6, 6}, "tail_compute", new double[] {5, 15}));
    ServerScenarioFile file = ServerScenarioFile.read(Path.of(L10));
    ServerScenarioFile.Point p = file.points().get(0);

    ServerPeakPrediction.Prediction md1 = ServerPeakPrediction.of(p, 99, 500);
    ServerPeakPrediction.Prediction mg1 =
        ServerPeakPrediction.of(p, 99, 500, ServiceTimeSpread.read(run, "mobilenetv2", 1));
    // The file's own one-at-a-time means: tail 14.8635648 ms the busiest, alone 29.4019072 ms.
    assertEquals("tail", mg1.bottleneck());
    assertEquals(14.8635648, mg1.bottleneckMs(), 1e-9);
    assertEquals(ServerPeakPrediction.MD1, md1.model());
    assertTrue(Double.isNaN(md1.serviceCv2()));
    assertEquals(ServerPeakPrediction.peak(14.8635648, 29.4019072, 99, 500), md1.peakPerS(), 1e-9);
    assertEquals(ServerPeakPrediction.MG1, mg1.model());
    assertEquals(0.25, mg1.serviceCv2(), 0.002);
    assertEquals(
        ServerPeakPrediction.peak(14.8635648, 29.4019072, 99, 500, mg1.serviceCv2()),
        mg1.peakPerS(),
        1e-9);
    assertTrue(mg1.peakPerS() < md1.peakPerS());

    String csv =
        new ServerScenarioReport(file, null, ServiceTimeSpread.read(run, "mobilenetv2", 1))
            .peaksCsv();
    String[] header = csv.lines().findFirst().orElseThrow().split(",");
    String[] row = csv.lines().skip(1).findFirst().orElseThrow().split(",", -1);
    assertEquals("peak_model", header[header.length - 1]);
    assertEquals("peak_service_cv2", header[header.length - 2]);
    assertEquals("M/G/1", row[row.length - 1]);
    assertEquals(0.25, Double.parseDouble(row[row.length - 2]), 0.002);
    String plain = new ServerScenarioReport(file).peaksCsv();
    String[] plainRow = plain.lines().skip(1).findFirst().orElseThrow().split(",", -1);
    assertEquals("M/D/1", plainRow[plainRow.length - 1]);
    assertEquals("", plainRow[plainRow.length - 2], "no spread: an empty cell, never 0");
  }

  @Test
  void predictUsesTheSpreadOfTheBusiestComputeStageOfATwoStageSplitOnly() throws Exception {
    hlog(
        "pass-001",
        "throughput",
        "10",
        Map.of("head_compute", new double[] {6, 6}, "tail_compute", new double[] {5, 15}));
    ServiceTimeSpread spread = ServiceTimeSpread.read(run, "mobilenetv2", 1);
    Slo slo = Slo.parse("p99:500ms");
    PeakRates with = new PeakRates(slo, java.util.List.of(), spread, "nio");
    PeakRates without = new PeakRates(slo, java.util.List.of());
    Prediction tail = prediction(new int[] {10}, "tail", 14.0);
    assertEquals(0.25, with.serviceCv2(tail), 0.002);
    assertEquals("M/G/1", with.model(tail));
    assertEquals(
        ServerPeakPrediction.peak(14.0, 30, 99, 500, with.serviceCv2(tail)),
        with.peakPerS(tail),
        1e-9);
    assertTrue(with.peakPerS(tail) < without.peakPerS(tail));
    assertEquals(ServerPeakPrediction.peak(14.0, 30, 99, 500), without.peakPerS(tail), 1e-9);
    assertEquals("M/D/1", without.model(tail));
    assertTrue(Double.isNaN(without.serviceCv2(tail)));
    // The head's 6 ms are constant: measured, cs^2 0, M/G/1 (= M/D/1's peak).
    Prediction head = prediction(new int[] {10}, "head", 14.0);
    assertEquals(0, with.serviceCv2(head), 1e-6);
    assertEquals("M/G/1", with.model(head));
    // No spread for a link, another transport, a split not measured or of three stages.
    for (Prediction p :
        java.util.List.of(
            prediction(new int[] {10}, "link 1", 14.0),
            prediction(new int[] {11}, "tail", 14.0),
            prediction(new int[] {3, 10}, "tail", 14.0))) {
      assertEquals("M/D/1", with.model(p), p.split() + " " + p.busiest());
      assertEquals(ServerPeakPrediction.peak(14.0, 30, 99, 500), with.peakPerS(p), 1e-9);
    }
    assertEquals("M/D/1", new PeakRates(slo, java.util.List.of(), spread, "grpc").model(tail));
  }

  private static Prediction prediction(int[] cuts, String busiest, double busiestMs) {
    int hops = cuts.length;
    return new Prediction(
        cuts,
        30,
        50,
        new double[hops + 1],
        new long[hops],
        new double[hops],
        new double[hops],
        busiest,
        busiest,
        busiestMs);
  }
}
