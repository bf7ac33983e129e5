package io.paretopipe.reports.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.ReportInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerScenarioReportTest {

  private static final String FILE =
      """
      {"format_version": 1, "slo": "p99=500ms", "batch": 1, "points": [
        {"model": "mobilenetv2", "transport": "nio", "link": "none", "split": "0",
         "bytes_per_request": 602112, "closed_loop_rate_per_s": 40.0,
         "closed_loop_ms": {"e2e": 25.0, "head_compute": 1.0, "encode": 0.5, "tail_compute": 20.0},
         "peak_rate_per_s": 40.0, "lowest_failing_rate_per_s": 42.0, "valid": true,
         "at_peak": {"rate_per_s": 40.0, "percentile_ms": 225.5, "scheduled": 662, "dropped": 0,
                     "passes": true, "valid": true, "completed_per_s": 39.9,
                     "latency_from_intended_ms": {"p50": 30.0, "p90": 80.0, "p99": 225.5}},
         "probes": [
           {"rate_per_s": 42.0, "percentile_ms": null, "scheduled": 662, "dropped": 2,
            "passes": false, "valid": false, "completed_per_s": 41.0,
            "latency_from_intended_ms": {"p50": 40.0, "p90": 200.0, "p99": null}},
           {"rate_per_s": 40.0, "percentile_ms": 225.5, "scheduled": 662, "dropped": 0,
            "passes": true, "valid": true, "completed_per_s": 39.9,
            "latency_from_intended_ms": {"p50": 30.0, "p90": 80.0, "p99": 225.5}}]},
        {"model": "mobilenetv2", "transport": "nio", "link": "pi-link", "split": "19",
         "bytes_per_request": 4000, "closed_loop_rate_per_s": 2.0,
         "closed_loop_ms": {"e2e": 600.0, "head_compute": 50.0, "encode": 0.1, "tail_compute": 0.1},
         "peak_rate_per_s": null, "lowest_failing_rate_per_s": 2.0, "valid": false,
         "probes": []}]}
      """;

  @Test
  void readsTheSweepFileAndWritesTheKneeAndFrontier(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("server-scenario.json");
    Files.writeString(json, FILE);
    ServerScenarioFile f = ServerScenarioFile.read(json);
    assertEquals(99.0, f.percentile());
    assertEquals(500.0, f.boundMs());
    assertEquals(2, f.points().size());
    assertTrue(Double.isNaN(f.points().get(1).peakPerS()));
    assertTrue(Double.isNaN(f.points().get(0).probes().get(0).p99Ms()));

    ServerScenarioReport report = new ServerScenarioReport(f);
    List<String> csv = report.kneeCsv().lines().toList();
    assertEquals(3, csv.size());
    assertEquals(
        "mobilenetv2,nio,none,0,42.0000,41.0000,40.0000,200.0000,,,662,2,false,false", csv.get(1));
    String md = report.markdown();
    assertTrue(
        md.contains(
            "| 0 | nio | none | 40.00 | 42.00 | yes | 225.50 | 25.00 | 40.00 | tail 20.00 ms |"),
        md);
    assertTrue(
        md.contains(
            "SLO frontier (peak rate meeting the SLO up, the SLO percentile at that rate down):"
                + " split 0 (none)."),
        md);
    // pi-link: a request alone (600 ms) already misses 500 ms: no prediction.
    assertTrue(md.contains("| 19 | nio | pi-link | - | 2.00 | no |"), md);
    assertTrue(md.contains("no prediction"), md);
    report.write(dir.resolve("out"));
    assertTrue(Files.isRegularFile(dir.resolve("out/server-scenario.md")));
  }

  @Test
  void unknownFormatVersionIsRefused(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("server-scenario.json");
    Files.writeString(json, "{\"format_version\": 2, \"slo\": \"p99=500ms\", \"points\": []}");
    ReportInputException e =
        assertThrows(ReportInputException.class, () -> ServerScenarioFile.read(json));
    assertTrue(e.getMessage().contains("format_version 2 is not supported"), e.getMessage());
  }

  @Test
  void predictedPeakPutsThePercentileOnTheBound() {
    double s = 20;
    double alone = 30;
    double peak = ServerPeakPrediction.peak(s, alone, 99, 500);
    double rho = peak * s / 1e3;
    assertTrue(rho > 0.5 && rho < 1, "rho " + rho);
    assertEquals(500, alone + ServerPeakPrediction.waitPercentileMs(rho, s, 99), 1e-6);
    // Below 1 - p the p-th wait is 0; a request alone over the bound has no peak.
    assertEquals(0, ServerPeakPrediction.waitPercentileMs(0.005, s, 99));
    assertTrue(Double.isNaN(ServerPeakPrediction.peak(s, 600, 99, 500)));
    assertEquals("inside the bracket", ServerScenarioReport.agreement(41, 40, 42));
    assertEquals("1.50x the lowest failing", ServerScenarioReport.agreement(63, 40, 42));
    assertEquals("0.50x the peak", ServerScenarioReport.agreement(20, 40, 42));
  }
}
