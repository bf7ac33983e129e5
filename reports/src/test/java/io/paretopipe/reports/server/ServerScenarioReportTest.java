package io.paretopipe.reports.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.ReportInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerScenarioReportTest {

  private static final String FILE_NAME = ServerScenarioFile.FILE;

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
    // A run folder written by a sweep before the recheck (2026-12-05): the run is the folder.
    Path json = Files.createDirectories(dir.resolve("2026-12-05T03-19-24Z")).resolve(FILE_NAME);
    Files.writeString(json, FILE);
    ServerScenarioFile f = ServerScenarioFile.read(json);
    assertEquals("2026-12-05T03-19-24Z", f.points().get(0).run());
    assertEquals(99.0, f.percentile());
    assertEquals(500.0, f.boundMs());
    assertEquals(2, f.points().size());
    assertTrue(Double.isNaN(f.points().get(1).peakPerS()));
    assertTrue(Double.isNaN(f.points().get(0).probes().get(0).p99Ms()));

    ServerScenarioReport report = new ServerScenarioReport(f);
    List<String> csv = report.kneeCsv().lines().toList();
    assertEquals(3, csv.size());
    // Written before seeds and decided_by_drops existed: the appended cells stay empty; before
    // fail fast: stopped_early absent, so false.
    assertEquals(
        "mobilenetv2,nio,none,0,42.0000,41.0000,40.0000,200.0000,,,662,2,false,false,,,,2026-12-05T03-19-24Z,false",
        csv.get(1));
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
  void aRunWrittenBeforeTheRecheckSaysNotRecordedNeverFalseOrZero(@TempDir Path dir)
      throws Exception {
    Path json = Files.createDirectories(dir.resolve("2026-12-05T03-19-24Z")).resolve(FILE_NAME);
    Files.writeString(json, FILE);
    ServerScenarioFile f = ServerScenarioFile.read(json);
    ServerScenarioFile.Point p = f.points().get(0);
    assertNull(p.recheck());
    assertNull(p.warmedUp());
    assertNull(p.warmupRatesPerS());
    assertNull(p.allocatorTuned());
    assertTrue(Double.isNaN(p.closedLoopAfterPerS()));
    assertTrue(Double.isNaN(p.driftPercent()));
    assertNull(p.probes().get(0).seed());
    assertNull(p.probes().get(0).decidedByDrops());
    assertNull(p.probeKind(p.probes().get(0)));

    ServerScenarioReport report = new ServerScenarioReport(f);
    String md = report.markdown();
    assertTrue(
        md.contains(
            "| 0 | nio | none | not recorded | [40.00, 42.00) | not recorded | 40.00 -> not recorded"
                + " | not recorded | not recorded | not recorded |"),
        md);
    assertTrue(
        md.contains(
            "| 19 | nio | pi-link | not recorded | [-, 2.00) | not recorded | 2.00 -> not recorded"
                + " | not recorded | not recorded | not recorded |"),
        md);
    // The probe rows: seed and decided_by_drops not recorded (the dropped probe is no "no").
    assertTrue(
        md.contains(
            "| 42.00 | 41.00 | 40.00 | 200.00 | - | 2 of 662 | fails | not recorded | not recorded |"),
        md);
    assertFalse(md.contains("(unsettled)"), md);
    assertFalse(md.contains("(untuned head)"), md);
    List<String> peaks = report.peaksCsv().lines().toList();
    assertEquals(
        "model,transport,link,split,peak_per_s,lowest_failing_per_s,valid,search_seed,"
            + "search_peak_per_s,search_lowest_failing_per_s,recheck_seed,bracket_confirmed,"
            + "closed_loop_rate_per_s,closed_loop_rate_after_per_s,drift_percent,"
            + "drift_over_limit,warmed_up,warmup_blocks,allocator_tuned,run,speed_drift,"
            + "stated_peak_per_s,stated_lowest_failing_per_s,predicted_peak_per_s,"
            + "peak_bottleneck,peak_service_ms,peak_service_cv2,peak_model",
        peaks.get(0));
    assertEquals(
        "mobilenetv2,nio,none,0,40.0000,42.0000,true,,,,,,40.0000,,,,,,,2026-12-05T03-19-24Z,,,"
            + ",45.6605,tail,20.0000,,M/D/1",
        peaks.get(1));
    assertEquals(
        "mobilenetv2,nio,pi-link,19,,2.0000,false,,,,,,2.0000,,,,,,,2026-12-05T03-19-24Z,,,"
            + ",,head,50.1000,,M/D/1",
        peaks.get(2));
  }

  /**
   * A sweep with the recheck: split 10's search bracket [100, 110) on seed 42; on seed 43 110
   * passed again and 130 failed, so the interval widened to [100, 130); the one-at-a-time rate went
   * from 50 to 60/s over the search (+20%). Split 0 (head allocator untuned, warm-up never
   * settled): confirmed on seed 43, a probe at 80/s failed only because of its drops.
   */
  private static final String RECHECKED =
      """
      {"format_version": 1, "slo": "p99=500ms", "seed": 42, "batch": 1,
       "allocator_tuned": %s, "points": [
        {"model": "mobilenetv2", "transport": "nio", "link": "none", "split": "10",
         "bytes_per_request": 50176, "closed_loop_rate_per_s": 50.0,
         "warmup_requests": 33, "warmed_up": true, "warmup_rates_per_s": [40.0, 48.0, 50.0],
         "closed_loop_ms": {"e2e": 20.0, "head_compute": 9.0, "encode": 0.1, "tail_compute": 8.0},
         "peak_rate_per_s": 100.0, "lowest_failing_rate_per_s": 130.0, "bracketed": true,
         "valid": true,
         "at_peak": {"rate_per_s": 100.0, "percentile_ms": 80.0, "scheduled": 1000,
                     "dropped": 0, "passes": true, "valid": true, "seed": 42,
                     "decided_by_drops": false, "completed_per_s": 100.0,
                     "latency_from_intended_ms": {"p50": 25.0, "p90": 50.0, "p99": 80.0}},
         "search_peak_rate_per_s": 100.0, "search_lowest_failing_rate_per_s": 110.0,
         "recheck_seed": 43, "bracket_confirmed": false, "closed_loop_rate_after_per_s": 60.0,
         "speed_drift": 1.2, "stated_peak_rate_per_s": 83.33333333333334,
         "stated_lowest_failing_rate_per_s": 156.0,
         "probes": [
           {"rate_per_s": 100.0, "percentile_ms": 80.0, "scheduled": 1000, "dropped": 0,
            "passes": true, "valid": true, "decided_by_drops": false, "seed": 42,
            "completed_per_s": 100.0,
            "latency_from_intended_ms": {"p50": 25.0, "p90": 50.0, "p99": 80.0}},
           {"rate_per_s": 110.0, "percentile_ms": 900.0, "scheduled": 1100, "dropped": 0,
            "passes": false, "valid": false, "decided_by_drops": false, "seed": 42,
            "completed_per_s": 110.0,
            "latency_from_intended_ms": {"p50": 600.0, "p90": 800.0, "p99": 900.0}},
           {"rate_per_s": 100.0, "percentile_ms": 75.0, "scheduled": 1000, "dropped": 0,
            "passes": true, "valid": true, "decided_by_drops": false, "seed": 43,
            "completed_per_s": 100.0,
            "latency_from_intended_ms": {"p50": 24.0, "p90": 48.0, "p99": 75.0}},
           {"rate_per_s": 110.0, "percentile_ms": 90.0, "scheduled": 1100, "dropped": 0,
            "passes": true, "valid": true, "decided_by_drops": false, "seed": 43,
            "completed_per_s": 110.0,
            "latency_from_intended_ms": {"p50": 26.0, "p90": 60.0, "p99": 90.0}},
           {"rate_per_s": 130.0, "percentile_ms": 2000.0, "scheduled": 1300, "dropped": 0,
            "passes": false, "valid": false, "decided_by_drops": false, "seed": 43,
            "completed_per_s": 128.0,
            "latency_from_intended_ms": {"p50": 1500.0, "p90": 1900.0, "p99": 2000.0}}]},
        {"model": "mobilenetv2", "transport": "nio", "link": "none", "split": "0",
         "bytes_per_request": 602112, "closed_loop_rate_per_s": 40.0,
         "warmup_requests": 83, "warmed_up": false,
         "warmup_rates_per_s": [30.0, 40.0, 30.0, 40.0, 30.0, 40.0, 30.0, 40.0],
         "closed_loop_ms": {"e2e": 25.0, "head_compute": 1.0, "encode": 0.5, "tail_compute": 20.0},
         "peak_rate_per_s": 70.0, "lowest_failing_rate_per_s": 80.0, "bracketed": true,
         "valid": true,
         "at_peak": {"rate_per_s": 70.0, "percentile_ms": 300.0, "scheduled": 700, "dropped": 0,
                     "passes": true, "valid": true, "seed": 42, "decided_by_drops": false,
                     "completed_per_s": 70.0,
                     "latency_from_intended_ms": {"p50": 50.0, "p90": 200.0, "p99": 300.0}},
         "search_peak_rate_per_s": 70.0, "search_lowest_failing_rate_per_s": 80.0,
         "recheck_seed": 43, "bracket_confirmed": true, "closed_loop_rate_after_per_s": 39.0,
         "speed_drift": null, "stated_peak_rate_per_s": null,
         "stated_lowest_failing_rate_per_s": null,
         "probes": [
           {"rate_per_s": 80.0, "percentile_ms": null, "scheduled": 800, "dropped": 12,
            "passes": false, "valid": false, "decided_by_drops": true, "seed": 42,
            "completed_per_s": 78.5,
            "latency_from_intended_ms": {"p50": 100.0, "p90": 300.0, "p99": null}},
           {"rate_per_s": 70.0, "percentile_ms": 300.0, "scheduled": 700, "dropped": 0,
            "passes": true, "valid": true, "decided_by_drops": false, "seed": 42,
            "completed_per_s": 70.0,
            "latency_from_intended_ms": {"p50": 50.0, "p90": 200.0, "p99": 300.0}}]}]}
      """;

  @Test
  void showsTheSearchAgainstTheRecheckTheDriftAndTheProbesDecidedByDrops(@TempDir Path dir)
      throws Exception {
    Path json = dir.resolve("recheck.json");
    Files.writeString(json, RECHECKED.formatted("true"));
    ServerScenarioFile f = ServerScenarioFile.read(json);
    ServerScenarioFile.Point widened = f.points().get(0);
    assertEquals(new ServerScenarioFile.Recheck(100.0, 110.0, 42L, 43, false), widened.recheck());
    assertEquals(20.0, widened.driftPercent(), 1e-9);
    assertEquals(Boolean.TRUE, widened.allocatorTuned());
    assertEquals(List.of(40.0, 48.0, 50.0), widened.warmupRatesPerS());
    assertEquals("search", widened.probeKind(widened.probes().get(1)));
    assertEquals("recheck", widened.probeKind(widened.probes().get(3)));
    assertEquals(Boolean.TRUE, f.points().get(1).probes().get(0).decidedByDrops());

    ServerScenarioReport report = new ServerScenarioReport(f);
    String md = report.markdown();
    assertTrue(
        md.contains(
            "| 10 | nio | none | [100.00, 110.00) on seed 42 | [100.00, 130.00) | **recheck on"
                + " seed 43 disagreed: interval widened** | 50.00 -> 60.00 | **+20.0% (over"
                + " 10%)** | yes (3 blocks: 40.00, 48.00, 50.00/s) | yes |"),
        md);
    assertTrue(
        md.contains(
            "| 0 | nio | none | [70.00, 80.00) on seed 42 | [70.00, 80.00) | confirmed on seed 43"
                + " | 40.00 -> 39.00 | -2.5% | **no**: blocks never agreed, one-at-a-time figures"
                + " unsettled (8 blocks: 30.00, 40.00, 30.00, 40.00, 30.00, 40.00, 30.00, 40.00/s)"
                + " | yes |"),
        md);
    // The warm-up never settled: split 0's one-at-a-time rate and the prediction built on its
    // phases are marked, not shown as known.
    assertTrue(
        md.contains(
            "| 0 | nio | none | 70.00 | 80.00 | yes | 300.00 | 25.00 | 40.00"
                + " (unsettled) | tail 20.00 ms |"),
        md);
    String predicted =
        String.format(
            java.util.Locale.ROOT, "%.2f", ServerPeakPrediction.peak(20.0, 25.0, 99, 500));
    assertTrue(md.contains("| tail 20.00 ms | " + predicted + " (unsettled) |"), md);
    // The knee: both seeds at 110/s, told apart; the probe decided by drops is marked.
    assertTrue(
        md.contains(
            "| 110.00 | 110.00 | 600.00 | 800.00 | 900.00 | 0 of 1100 | fails | search, seed 42"
                + " | no |\n| 110.00 | 110.00 | 26.00 | 60.00 | 90.00 | 0 of 1100 | VALID |"
                + " **recheck**, seed 43 | no |"),
        md);
    assertTrue(
        md.contains(
            "| 80.00 | 78.50 | 100.00 | 300.00 | - | 12 of 800 | fails | search, seed 42 |"
                + " **yes**: failed on its drops alone |"),
        md);

    List<String> knee = report.kneeCsv().lines().toList();
    assertEquals(8, knee.size());
    assertTrue(
        knee.get(0)
            .endsWith(
                ",scheduled,dropped,passes,valid,seed,probe,decided_by_drops,run,stopped_early"),
        knee.get(0));
    assertEquals(
        "mobilenetv2,nio,none,10,110.0000,110.0000,26.0000,60.0000,90.0000,90.0000,1100,0,true,"
            + "true,43,recheck,false,recheck,false",
        knee.get(4));
    assertEquals(
        "mobilenetv2,nio,none,0,80.0000,78.5000,100.0000,300.0000,,,800,12,false,false,42,"
            + "search,true,recheck,false",
        knee.get(6));

    List<String> peaks = report.peaksCsv().lines().toList();
    assertEquals(
        "mobilenetv2,nio,none,10,100.0000,130.0000,true,42,100.0000,110.0000,43,false,50.0000,"
            + "60.0000,20.0000,true,true,3,true,recheck,1.2000,83.3333,156.0000,105.3342,head,"
            + "9.1000,,M/D/1",
        peaks.get(1));
    assertEquals(
        "mobilenetv2,nio,none,0,70.0000,80.0000,true,42,70.0000,80.0000,43,true,40.0000,39.0000,"
            + "-2.5000,false,false,8,true,recheck,,,,45.6605,tail,20.0000,,M/D/1",
        peaks.get(2));

    report.write(dir.resolve("out"));
    assertEquals(
        report.peaksCsv(), Files.readString(dir.resolve("out").resolve("server-peaks.csv")));
  }

  @Test
  void theStatedIntervalIsShownWithItsDriftAndAnUnusableDriftIsSaidSo(@TempDir Path dir)
      throws Exception {
    Path json = dir.resolve("server-scenario.json");
    Files.writeString(json, RECHECKED.formatted("true"));
    ServerScenarioFile f = ServerScenarioFile.read(json);
    assertEquals(
        new ServerScenarioFile.Stated(1.2, 83.33333333333334, 156.0), f.points().get(0).stated());
    String md = new ServerScenarioReport(f).markdown();
    assertTrue(
        md.contains(" | yes | " + dir.getFileName() + " | [83.33, 156.00) (d = 1.200) |\n"), md);
    assertTrue(
        md.contains(
            " | " + dir.getFileName() + " | unknown (the one-at-a-time rates were not usable) |\n"),
        md);
    assertTrue(md.contains("Stated: the claimed interval widened by that drift"), md);
    Path old = dir.resolve("old.json");
    Files.writeString(old, FILE);
    assertNull(ServerScenarioFile.read(old).points().get(0).stated());
    assertTrue(
        new ServerScenarioReport(ServerScenarioFile.read(old))
            .markdown()
            .contains("| old | not recorded |"));
  }

  @Test
  void anUntunedHeadAllocatorMarksThePeak(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("server-scenario.json");
    Files.writeString(json, RECHECKED.formatted("false"));
    String md = new ServerScenarioReport(ServerScenarioFile.read(json)).markdown();
    assertTrue(md.contains("| 10 | nio | none | 100.00 (untuned head) | 130.00 | yes |"), md);
    assertTrue(md.contains("| **no**: not comparable with tuned runs |"), md);
  }

  /**
   * Two stored real pi-link runs: P9 of 2026-12-06 claimed [13.30, 15.52)/s for 50,176 bytes, which
   * pi-link's 5 Mbit/s carries at most 12.46 times a second, so the claim is marked; P1 of
   * 2026-12-07 was ruled out by its requests sent one at a time (1,605,632 bytes take 2.57 s on the
   * link alone, over p90 <= 2 s), with no probe.
   */
  @Test
  void aClaimAboveTheLinksCapacityAndARuledOutSplitAreSaidSo(@TempDir Path dir) throws Exception {
    String md =
        serverReport(
            dir,
            "src/test/resources/server/P9-server-scenario.json",
            "src/test/resources/server/P1-ruled-out-server-scenario.json");
    assertTrue(
        md.contains(
            "| [13.30, 15.52) **above the link's capacity of 12.46/s**: the probes ended before"
                + " the growing backlog reached the bound, not a sustained rate |"),
        md);
    assertTrue(
        md.contains(
            "| 1 | nio | pi-link | none: ruled out (10 of 10 requests sent one at a time over the"
                + " bound), no probe run | [-, -) |"),
        md);
  }

  /**
   * The stored real run docs/runs/2026-12-06-server-repro/split10-b (a copy in test resources): the
   * recheck on seed 43 passed 119.86 and 143.83/s, so [107.88, 119.86) widened to [107.88, 191.78);
   * the one-at-a-time rate went from 47.94 to 70.33/s.
   */
  @Test
  void theRealSplit10RunThroughTheCli(@TempDir Path dir) throws Exception {
    String md = serverReport(dir, "src/test/resources/server/split10-b-server-scenario.json");
    assertTrue(
        md.contains(
            "| 10 | nio | none | [107.88, 119.86) on seed 42 | [107.88, 191.78) | **recheck on"
                + " seed 43 disagreed: interval widened** | 47.94 -> 70.33 | **+46.7% (over"
                + " 10%)** | yes (3 blocks: 36.16, 44.40, 47.94/s) | yes |"
                + " split10-b-server-scenario |"),
        md);
    assertTrue(
        md.contains("### mobilenetv2 split=10 nio link=none (split10-b-server-scenario)\n"), md);
    assertTrue(
        md.contains(
            "| 119.86 | 122.10 | 1114.87 | 1456.10 | 1612.45 | 0 of 1221 | fails | search, seed 42"
                + " | no |\n| 119.86 | 122.70 | 25.10 | 49.28 | 83.88 | 0 of 1227 | VALID |"
                + " **recheck**, seed 43 | no |"),
        md);
    List<String> peaks = Files.readAllLines(dir.resolve("report/server-peaks.csv"));
    assertEquals(
        "mobilenetv2,nio,none,10,107.8762,191.7798,true,42,107.8762,119.8624,43,false,47.9450,"
            + "70.3257,46.6800,true,true,3,true,split10-b-server-scenario,,,,96.4049,head,9.9064,,"
            + "M/D/1",
        peaks.get(1));
    List<String> knee = Files.readAllLines(dir.resolve("report/server-knee.csv"));
    assertEquals(11, knee.size());
    assertEquals(
        4,
        knee.stream()
            .filter(l -> l.endsWith(",43,recheck,false,split10-b-server-scenario,false"))
            .count(),
        knee.toString());
    assertEquals(
        6,
        knee.stream()
            .filter(l -> l.endsWith(",42,search,false,split10-b-server-scenario,false"))
            .count(),
        knee.toString());
  }

  @Test
  void aProbeThatStoppedEarlyIsMarkedInTheKneeAndItsCsv(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("recheck.json");
    String stopped =
        RECHECKED
            .formatted("true")
            .replace(
                "\"decided_by_drops\": true, \"seed\": 42,",
                "\"decided_by_drops\": false, \"seed\": 42, \"stopped_early\": true,"
                    + " \"stopped_at_s\": 73.2, \"percentiles_partial\": true,");
    Files.writeString(json, stopped);
    ServerScenarioFile f = ServerScenarioFile.read(json);
    ServerScenarioFile.Probe q = f.points().get(1).probes().get(0);
    assertTrue(q.stoppedEarly());
    assertEquals(73.2, q.stoppedAtS());
    assertTrue(Double.isNaN(f.points().get(1).probes().get(1).stoppedAtS()));
    ServerScenarioReport report = new ServerScenarioReport(f);
    assertTrue(
        report
            .markdown()
            .contains(
                "| 80.00 | 78.50 | 100.00 | 300.00 | - | 12 of 800 | fails, stopped early at 73 s"
                    + " (latencies partial) | search, seed 42 | no |"),
        report.markdown());
    List<String> knee = report.kneeCsv().lines().toList();
    assertEquals(
        "mobilenetv2,nio,none,0,80.0000,78.5000,100.0000,300.0000,,,800,12,false,false,42,"
            + "search,false,recheck,true",
        knee.get(6));
    assertTrue(knee.get(7).endsWith(",recheck,false"), knee.get(7));
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

  /** Runs {@code server FILES --out DIR/report} through the CLI; returns server-scenario.md. */
  private static String serverReport(Path dir, String... files) throws Exception {
    java.io.StringWriter err = new java.io.StringWriter();
    List<String> args = new java.util.ArrayList<>(List.of("server"));
    args.addAll(List.of(files));
    args.addAll(List.of("--out", dir.resolve("report").toString()));
    int code =
        io.paretopipe.reports.cli.ReportsCli.run(
            new java.io.PrintWriter(new java.io.StringWriter()),
            new java.io.PrintWriter(err),
            args.toArray(String[]::new));
    assertEquals(0, code, err.toString());
    return Files.readString(dir.resolve("report/server-scenario.md"));
  }
}
