package io.paretopipe.reports.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.cli.ExitCodes;
import io.paretopipe.reports.fixtures.CliRunner;
import io.paretopipe.reports.fixtures.RunFolderGenerator;
import io.paretopipe.reports.run.RunLoader;
import io.paretopipe.reports.stats.IntervalMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compare} on runs in the sweep's layout: one JMH JSON per pass, hlogs in {@code
 * hlog/pass-NNN/}, a shared stage server whose ephemeral port differs in every pass, the machine
 * drifting between passes.
 */
class CompareMultiPassTest {
  @TempDir Path tmp;

  private Path run(String name, long seed, int... slowTailSplits) throws IOException {
    RunFolderGenerator g =
        new RunFolderGenerator(seed)
            .optLinks("none", "delay:20ms+rate:50mbit")
            .optForksIterations(1, 1)
            .optPasses(5, 0.03, 0.02)
            .optEphemeralTails(true);
    for (int split : slowTailSplits) {
      g.optTailSlowdown(split, 2.0);
    }
    Path dir = tmp.resolve(name);
    g.write(dir);
    return dir;
  }

  @Test
  void twoRunsOfTheSameCodeGetVerdictsForAlmostEveryPointAndExit0() throws Exception {
    Path a = run("a", 1);
    Path b = run("b", 2);
    var o = CliRunner.run("compare", a.toString(), b.toString());
    assertEquals(ExitCodes.OK, o.code(), o.out() + o.err());
    Comparison c =
        new RunComparator(5, 0.05)
            .compare(new RunLoader().load(List.of(a)), new RunLoader().load(List.of(b)));
    long points =
        c.results().stream().filter(r -> r.benchmark().startsWith("PartitionBenchmark")).count();
    long withVerdict =
        c.results().stream()
            .filter(r -> r.benchmark().startsWith("PartitionBenchmark"))
            .filter(r -> r.verdict() == Verdict.NO_CHANGE || r.verdict() == Verdict.IMPROVEMENT)
            .count();
    assertEquals(
        24, points, "12 points x 2 methods, matched although every pass's tail port differs");
    assertTrue(withVerdict >= points * 9 / 10, withVerdict + " of " + points + " got a verdict");
    assertEquals(24, c.baselineResults());
    assertEquals(withVerdict, c.comparedResults());
    assertTrue(c.results().stream().allMatch(r -> r.baselineSamples() == 5), "5 passes pooled");
    assertTrue(o.out().contains("**OK: no result significantly worse by more than 5%"), o.out());
  }

  @Test
  void twiceSlowerTailComputeOnSomeSplitsExits1NamingThem() throws Exception {
    Path base = run("base", 3);
    Path slow = run("slow", 4, 0, 1);
    Path out = tmp.resolve("cmp");
    var o = CliRunner.run("compare", base.toString(), slow.toString(), "--out", out.toString());
    assertEquals(ExitCodes.REGRESSION, o.code(), o.out() + o.err());
    Comparison c =
        new RunComparator(5, 0.05)
            .compare(new RunLoader().load(List.of(base)), new RunLoader().load(List.of(slow)));
    Set<String> flagged =
        c.regressions().stream().map(r -> r.params().get("split")).collect(Collectors.toSet());
    assertEquals(Set.of("0", "1"), flagged, c.regressions().toString());
    for (ResultComparison r : c.regressions()) {
      assertTrue(r.pAdjusted() < 0.05 && r.pAdjusted() >= r.pValue(), r.toString());
      assertTrue(o.out().contains(r.label()), "named on stdout: " + o.out());
    }
    String csv = Files.readString(out.resolve("compare.csv"));
    assertTrue(csv.lines().findFirst().orElseThrow().endsWith(",verdict,p_adjusted"), csv);
  }

  /**
   * The quick setting's reality: two or three passes per point. On its own a result then has one or
   * two degrees of freedom, and Holm over every result could never call anything; the variance of
   * the other splits of its group (measured alike, {@code VarianceModeration}) gives the test its
   * power: the slowed splits are named, and an A/A pair stays clean.
   */
  @Test
  void withThreePassesTheFamilyVarianceFindsTheSlowedSplitsAndNothingElse() throws Exception {
    Path base = threePasses("base3", 11);
    Path again = threePasses("again3", 12);
    Path slow = threePasses("slow3", 13, 0, 1);
    var aa = CliRunner.run("compare", base.toString(), again.toString());
    assertEquals(ExitCodes.OK, aa.code(), aa.out() + aa.err());
    var ab = CliRunner.run("compare", base.toString(), slow.toString());
    assertEquals(ExitCodes.REGRESSION, ab.code(), ab.out() + ab.err());
    Comparison c =
        new RunComparator(5, 0.05)
            .compare(new RunLoader().load(List.of(base)), new RunLoader().load(List.of(slow)));
    Set<String> flagged =
        c.regressions().stream().map(r -> r.params().get("split")).collect(Collectors.toSet());
    assertEquals(Set.of("0", "1"), flagged, c.regressions().toString());
    assertTrue(c.results().stream().allMatch(r -> r.baselineSamples() == 3), "3 passes pooled");
    Comparison own =
        new RunComparator(5, 0.05, RunComparator.DEFAULT_MIN_COMPARED_SHARE, IntervalMethod.OWN)
            .compare(
                new RunLoader(IntervalMethod.OWN).load(List.of(base)),
                new RunLoader(IntervalMethod.OWN).load(List.of(again)));
    Comparison moderated =
        new RunComparator(5, 0.05)
            .compare(new RunLoader().load(List.of(base)), new RunLoader().load(List.of(again)));
    double ownWidth = meanLogWidth(own);
    double moderatedWidth = meanLogWidth(moderated);
    System.out.printf(
        "A/A of 3 passes: mean ratio-interval width %.4f with own variances, %.4f moderated%n",
        ownWidth, moderatedWidth);
    assertTrue(
        moderatedWidth < 0.7 * ownWidth,
        "moderated width " + moderatedWidth + " vs own " + ownWidth + " (log ratio)");
  }

  private static double meanLogWidth(Comparison c) {
    return c.results().stream()
        .filter(r -> r.ratioLow() > 0 && Double.isFinite(r.ratioHigh()))
        .mapToDouble(r -> Math.log(r.ratioHigh() / r.ratioLow()))
        .average()
        .orElseThrow();
  }

  private Path threePasses(String name, long seed, int... slowTailSplits) throws IOException {
    RunFolderGenerator g =
        new RunFolderGenerator(seed)
            .optLinks("none", "delay:20ms+rate:50mbit")
            .optForksIterations(1, 1)
            .optPasses(3, 0.05, 0.03)
            .optEphemeralTails(true);
    for (int split : slowTailSplits) {
      g.optTailSlowdown(split, 2.0);
    }
    Path dir = tmp.resolve(name);
    g.write(dir);
    return dir;
  }

  @Test
  void comparingNothingNeverSaysOk() throws Exception {
    Path a = run("a", 5);
    Path other = tmp.resolve("other");
    new RunFolderGenerator(6).optLinks("lan").optHlogs(false).write(other);
    var o = CliRunner.run("compare", a.toString(), other.toString());
    assertEquals(ExitCodes.TOO_LITTLE_COMPARED, o.code(), o.out() + o.err());
    assertTrue(
        o.err()
            .contains(
                "warning: compared 0 of 24 baseline partition results (0%, --min-compared 90%)"),
        o.err());
    assertTrue(o.out().contains("TOO LITTLE COMPARED: compared 0 of 24"), o.out());
    assertTrue(!o.out().contains("OK:"), o.out());

    var lenient = CliRunner.run("compare", a.toString(), other.toString(), "--min-compared", "0%");
    assertEquals(ExitCodes.OK, lenient.code(), lenient.err());
  }
}
