package io.paretopipe.reports.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.reports.fixtures.CliRunner;
import io.paretopipe.reports.fixtures.CliRunner.Outcome;
import io.paretopipe.reports.fixtures.RunFolderGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server RUN --closed-loop JMHRUN}: the closed-loop frontier beside the SLO frontier is the
 * {@code pareto} report's own (the same splits as its {@code frontier.json}), the SLO frontier and
 * the difference come out in sentences, and a run of another model or batch is refused.
 */
class ServerClosedLoopFrontierTest {

  /**
   * A server scenario over the generator's tinynet splits 0..5 (batch 2, nio, link none): peaks and
   * SLO percentiles chosen so that the SLO frontier is splits 1 (fastest peak) and 4 (lowest
   * percentile).
   */
  private static String serverFile(String model, int batch) {
    double[][] peakAndPercentile = {
      {50, 300}, {90, 250}, {60, 280}, {70, 260}, {40, 100}, {30, 400}
    };
    List<String> points = new ArrayList<>();
    for (int split = 0; split <= 5; split++) {
      double peak = peakAndPercentile[split][0];
      double percentile = peakAndPercentile[split][1];
      points.add(
          String.format(
              Locale.ROOT,
              """
              {"model": "%s", "transport": "nio", "link": "none", "split": "%d",
               "bytes_per_request": 1000, "closed_loop_rate_per_s": 20.0,
               "closed_loop_ms": {"e2e": 50.0, "head_compute": 10.0, "tail_compute": 20.0},
               "peak_rate_per_s": %.1f, "lowest_failing_rate_per_s": %.1f, "valid": true,
               "speed_drift": 1.1, "stated_peak_rate_per_s": %.4f,
               "stated_lowest_failing_rate_per_s": %.4f,
               "at_peak": {"rate_per_s": %.1f, "percentile_ms": %.1f, "scheduled": 662,
                           "dropped": 0, "passes": true, "valid": true, "completed_per_s": %.1f,
                           "latency_from_intended_ms": {"p50": 20.0, "p90": 50.0, "p99": %.1f}},
               "probes": []}""",
              model,
              split,
              peak,
              peak * 1.1,
              peak / 1.1,
              peak * 1.1 * 1.1,
              peak,
              percentile,
              peak,
              percentile));
    }
    return "{\"format_version\": 1, \"slo\": \"p99=500ms\", \"batch\": "
        + batch
        + ", \"points\": ["
        + String.join(",", points)
        + "]}";
  }

  private static Path closedLoopRun(Path dir) throws Exception {
    Path run = dir.resolve("closed");
    new RunFolderGenerator(7).optLinks("none").write(run);
    return run;
  }

  @Test
  void theClosedLoopFrontierIsTheParetoReportsAndTheDifferenceIsSaid(@TempDir Path dir)
      throws Exception {
    Path run = closedLoopRun(dir);
    Path server = dir.resolve("tiny-server-scenario.json");
    Files.writeString(server, serverFile(RunFolderGenerator.MODEL, 2));

    Set<String> paretoFrontier = paretoFrontierSplits(run, dir.resolve("pareto"), "probabilistic");
    Set<String> exactFrontier = paretoFrontierSplits(run, dir.resolve("exact"), "exact");
    assertFalse(paretoFrontier.isEmpty());
    assertFalse(exactFrontier.isEmpty());

    Outcome o = serverReport(server, run, dir.resolve("out"));
    assertEquals(0, o.code(), o.err());
    String md = Files.readString(dir.resolve("out/server-scenario.md"));
    assertTrue(md.contains("## The SLO frontier beside JMH's closed-loop depth frontier"), md);
    String expected =
        "Closed-loop depth frontier: "
            + (paretoFrontier.size() == 1 ? "split " : "splits ")
            + String.join(", ", paretoFrontier)
            + ". SLO frontier: splits 1, 4.";
    assertTrue(md.contains(expected), expected + "\n" + md);
    List<String> both = new ArrayList<>(paretoFrontier);
    both.retainAll(List.of("1", "4"));
    List<String> closedOnly = new ArrayList<>(paretoFrontier);
    closedOnly.removeAll(List.of("1", "4"));
    List<String> sloOnly = new ArrayList<>(List.of("1", "4"));
    sloOnly.removeAll(paretoFrontier);
    assertTrue(md.contains("On both: " + words(both) + "."), md);
    assertTrue(md.contains("Only on the closed-loop one: " + words(closedOnly) + "."), md);
    assertTrue(md.contains("Only on the SLO frontier: " + words(sloOnly) + "."), md);
    String exactSentence =
        "Its exact frontier: "
            + words(new ArrayList<>(exactFrontier))
            + ". SLO frontier: splits 1, 4.";
    assertTrue(md.contains(exactSentence), exactSentence + "\n" + md);
    // One row per split with the SLO peak, its stated interval and the percentile there.
    assertTrue(md.contains("| 1 | tiny-server-scenario | "), md);
    assertTrue(md.contains("90.00 ([81.82, 108.90) (d = 1.100)) | 250.00 | **yes** |"), md);
    assertTrue(md.contains("| 5 | tiny-server-scenario | "), md);
    assertTrue(md.contains("30.00 ([27.27, 36.30) (d = 1.100)) | 400.00 | no |"), md);
    // Closed-loop figures carry their interval and sample count.
    assertTrue(
        md.lines().anyMatch(l -> l.startsWith("| 0 |") && l.contains(" ± ") && l.contains("(n ")),
        md);
  }

  /** The splits of the nio / none group on the frontier of {@code pareto --frontier METHOD}. */
  private static Set<String> paretoFrontierSplits(Path run, Path out, String method)
      throws Exception {
    Outcome pareto =
        CliRunner.run(
            "pareto",
            run.toString(),
            "--out",
            out.toString(),
            "--formats",
            "json",
            "--frontier",
            method);
    assertEquals(0, pareto.code(), pareto.err());
    JsonNode groups =
        new ObjectMapper().readTree(out.resolve("frontier.json").toFile()).path("groups");
    Set<String> splits = new LinkedHashSet<>();
    for (JsonNode g : groups) {
      if (g.path("transport").asText().equals("nio") && g.path("link").asText().equals("none")) {
        g.path("frontier_splits").forEach(x -> splits.add(x.asText()));
      }
    }
    return splits;
  }

  private static Outcome serverReport(Path server, Path run, Path out) {
    return CliRunner.run(
        "server", server.toString(), "--closed-loop", run.toString(), "--out", out.toString());
  }

  private static String words(List<String> splits) {
    if (splits.isEmpty()) {
      return "none";
    }
    return (splits.size() == 1 ? "split " : "splits ") + String.join(", ", splits);
  }

  @Test
  void aClosedLoopRunOfAnotherBatchIsRefused(@TempDir Path dir) throws Exception {
    Path run = closedLoopRun(dir);
    Path server = dir.resolve("server-scenario.json");
    Files.writeString(server, serverFile(RunFolderGenerator.MODEL, 1));
    Outcome o = serverReport(server, run, dir.resolve("out"));
    assertEquals(2, o.code());
    assertEquals(
        "error: "
            + run
            + ": it measured tinynet at batch 2, the server scenario at batch 1: closed-loop"
            + " images/s and SLO requests/s compare only at one batch (measure the closed loop"
            + " with -Dbench.batch=1)",
        o.err().strip());
    assertFalse(Files.exists(dir.resolve("out")));
  }

  @Test
  void aClosedLoopRunOfAnotherModelIsRefused(@TempDir Path dir) throws Exception {
    Path run = closedLoopRun(dir);
    Path server = dir.resolve("server-scenario.json");
    Files.writeString(server, serverFile("mobilenetv2", 2));
    Outcome o = CliRunner.run("server", server.toString(), "--closed-loop", run.toString());
    assertEquals(2, o.code());
    assertTrue(
        o.err()
            .strip()
            .endsWith(
                ": its model tinynet differs from the server scenario's mobilenetv2: compare runs"
                    + " of one model"),
        o.err());
  }

  @Test
  void withoutClosedLoopTheReportPointsToTheOption(@TempDir Path dir) throws Exception {
    Path server = dir.resolve("server-scenario.json");
    Files.writeString(server, serverFile(RunFolderGenerator.MODEL, 2));
    Outcome o = CliRunner.run("server", server.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("(`--closed-loop JMHRUN` puts it beside this one)"), o.out());
    assertFalse(o.out().contains("closed-loop depth frontier"), o.out());
  }
}
