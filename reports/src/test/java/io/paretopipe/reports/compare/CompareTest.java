package io.paretopipe.reports.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.cli.ExitCodes;
import io.paretopipe.reports.fixtures.CliRunner;
import io.paretopipe.reports.fixtures.RunFolderGenerator;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.run.RunLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compare} on generated runs: the same simulated code with different random samples must not
 * regress; a run where split 3 is 20% slower must flag exactly split 3's results and exit 1.
 */
class CompareTest {
  @TempDir Path tmp;

  private Path run(String name, long seed, Integer slowSplit) throws IOException {
    return run(name, seed, slowSplit, 1.2);
  }

  private Path run(String name, long seed, Integer slowSplit, double factor) throws IOException {
    RunFolderGenerator generator = new RunFolderGenerator(seed).optHlogs(false).optLinks("none");
    if (slowSplit != null) {
      generator.optSlowdown(slowSplit, factor);
    }
    Path dir = tmp.resolve(name);
    generator.write(dir);
    return dir;
  }

  @Test
  void sameCodeDifferentSamplesExits0() throws Exception {
    for (long seed = 1; seed <= 4; seed++) {
      Path a = run("a" + seed, seed * 2, null);
      Path b = run("b" + seed, seed * 2 + 1, null);
      var o = CliRunner.run("compare", a.toString(), b.toString());
      assertEquals(ExitCodes.OK, o.code(), "seed " + seed + ":\n" + o.out() + o.err());
      assertTrue(
          o.out()
              .contains(
                  "**OK: no result significantly worse by more than 5%; frontier splits unchanged**"),
          o.out());
    }
  }

  @Test
  void twentyPercentSlowerSplitIsFlaggedExactlyAndExits1() throws Exception {
    Path baseline = run("base", 11, null);
    Path current = run("slow", 12, 3);
    Path out = tmp.resolve("cmp");
    var o =
        CliRunner.run(
            "compare",
            baseline.toString(),
            current.toString(),
            "--threshold",
            "5%",
            "--out",
            out.toString());
    assertEquals(ExitCodes.REGRESSION, o.code(), o.out() + o.err());
    assertTrue(
        o.out().startsWith("REGRESSION: 2 of 13 results significantly worse by more than 5%"),
        o.out());

    Comparison c =
        new RunComparator(5, 0.05)
            .compare(
                new RunLoader().load(List.of(baseline)), new RunLoader().load(List.of(current)));
    Set<String> flagged =
        c.regressions().stream()
            .map(r -> r.benchmark() + " split=" + r.params().get("split"))
            .collect(Collectors.toSet());
    assertEquals(
        Set.of("PartitionBenchmark.latency split=3", "PartitionBenchmark.throughput split=3"),
        flagged);
    for (ResultComparison r : c.regressions()) {
      if (r.benchmark().endsWith("latency")) {
        assertEquals(20, r.worsePercent(), 4, "latency about 20% worse: " + r);
        assertTrue(r.ratioLow() > 1.1 && r.ratioHigh() < 1.3, "ratio CI around 1.2: " + r);
      } else {
        assertEquals("ops/s", r.unit());
        assertTrue(r.ratio() < 0.9, "throughput is higher-is-better and dropped: " + r);
      }
      assertTrue(r.pValue() < 0.05, r.toString());
    }
    assertTrue(
        Files.readString(out.resolve("compare.csv"))
            .lines()
            .filter(l -> l.endsWith(",regression"))
            .allMatch(l -> l.contains("split=3;")));
    assertTrue(Files.readString(out.resolve("compare.html")).contains("<tr class=\"bad\">"));
    assertTrue(
        Files.readString(out.resolve("compare.md"))
            .contains("| regression | PartitionBenchmark.latency"));
  }

  @Test
  void resultsMeasuredWithAnotherGrpcTuningAreNamedAsSuchNotJustMissing() throws Exception {
    Path baseline = run("default", 31, null);
    Path tuned = run("tuned", 32, null);
    Path otherTransport = run("nio", 33, null);
    retransport(baseline, "\"transport\" : \"grpc\"");
    retransport(tuned, "\"transport\" : \"grpc\", \"grpcTuning\" : \"tuned\"");
    var o = CliRunner.run("compare", baseline.toString(), tuned.toString());
    assertEquals(ExitCodes.TOO_LITTLE_COMPARED, o.code(), o.out() + o.err());
    Comparison c =
        new RunComparator(5, 0.05)
            .compare(new RunLoader().load(List.of(baseline)), new RunLoader().load(List.of(tuned)));
    long missing = c.results().stream().filter(r -> r.verdict() == Verdict.MISSING).count();
    assertTrue(missing > 0, c.results().toString());
    String line = missing + " missing results are new with grpcTuning tuned instead of default";
    assertEquals(List.of(line), c.changedParams());
    assertTrue(o.err().contains("note: " + line), o.err());
    assertTrue(o.out().contains(line + " (measured differently, not lost)."), o.out());

    Comparison twoParams =
        new RunComparator(5, 0.05)
            .compare(
                new RunLoader().load(List.of(otherTransport)),
                new RunLoader().load(List.of(tuned)));
    assertEquals(
        List.of(), twoParams.changedParams(), "transport and grpcTuning both differ: just missing");
  }

  /**
   * Gives every result of {@code run} the params {@code params} instead of {@code transport=nio}.
   */
  private static void retransport(Path run, String params) throws IOException {
    Path json = run.resolve("jmh").resolve("results.json");
    String nio = "\"transport\" : \"nio\"";
    String text = Files.readString(json);
    assertTrue(text.contains(nio), json.toString());
    Files.writeString(json, text.replace(nio, params));
  }

  @Test
  void improvementIsNotARegressionAndFrontierChangeIsReported() throws Exception {
    Path slow = run("slow", 21, 0, 1.5);
    Path fast = run("fast", 22, null);
    Comparison c =
        new RunComparator(5, 0.05)
            .compare(new RunLoader().load(List.of(slow)), new RunLoader().load(List.of(fast)));
    assertTrue(c.regressions().isEmpty(), c.regressions().toString());
    assertTrue(c.results().stream().anyMatch(r -> r.verdict() == Verdict.IMPROVEMENT));
    // Split 0 (14 ms, 160 img/s) is on the "none" frontier; 50% slower, split 1 (19 ms, 189 img/s)
    // dominates it.
    assertTrue(c.frontierChanged(), c.frontierChanges().toString());
    FrontierChange change = c.frontierChanges().get(0);
    assertFalse(change.baselineSplits().contains("0"));
    assertTrue(change.currentSplits().contains("0"));
  }

  @Test
  void historyPoolsPreviousRunsAndDrawsTrends() throws Exception {
    Path history = Files.createDirectories(tmp.resolve("history"));
    for (int night = 1; night <= 3; night++) {
      RunFolderGenerator g = new RunFolderGenerator(100 + night).optHlogs(false).optLinks("none");
      if (night == 3) {
        g.optSlowdown(3, 1.2);
      }
      g.write(history.resolve("2026-11-0" + night + "T01-00-00Z"));
    }
    Path out = tmp.resolve("trend");
    var o = CliRunner.run("compare", "--history", history.toString(), "--out", out.toString());
    assertEquals(ExitCodes.REGRESSION, o.code(), o.out() + o.err());
    assertTrue(
        o.out()
            .contains("PartitionBenchmark.latency batch=2 depth=4 link=none model=tinynet split=3"),
        o.out());
    try (Stream<Path> charts = Files.list(out.resolve("charts"))) {
      assertEquals(
          13,
          charts.filter(p -> p.toString().endsWith(".png")).count(),
          "one trend chart per result");
    }
    List<Run> runs =
        List.of(
            new RunLoader().load(List.of(history.resolve("2026-11-01T01-00-00Z"))),
            new RunLoader().load(List.of(history.resolve("2026-11-02T01-00-00Z"))),
            new RunLoader().load(List.of(history.resolve("2026-11-03T01-00-00Z"))));
    Comparison c = new RunComparator(5, 0.05).compareHistory(runs, 5);
    ResultComparison any = c.results().get(0);
    assertEquals(
        20, any.baselineSamples(), "two previous runs, 2 forks x 5 iterations each, pooled");
    assertEquals(10, any.currentSamples());
    assertEquals(3, c.trends().get(0).scores().length);
  }
}
