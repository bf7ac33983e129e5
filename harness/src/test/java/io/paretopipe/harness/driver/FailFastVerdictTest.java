package io.paretopipe.harness.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fail-fast threshold against what {@link ServerVerdict} finds for full probes: on a grid of
 * request counts N, percentiles and over-bound counts, every full probe whose count reaches the
 * threshold fails with {@code slo_met}, {@code early_stopping_met} and {@code decided_by_drops}
 * false (the stop changes no flag), and one request fewer leaves a full probe whose {@code slo_met}
 * or {@code early_stopping_met} holds (the threshold is the least exact one).
 */
class FailFastVerdictTest {

  private static final long BOUND = 500_000_000L;

  private static final long[] COUNTS = {
    1, 2, 5, 10, 20, 63, 64, 65, 99, 100, 101, 300, 458, 459, 460, 661, 662, 663, 1000
  };

  private static final double[] PERCENTILES = {50, 90, 95, 99, 99.9};

  /** Runs {@code check} on the rule of every percentile and count of the grid. */
  private static void eachRule(java.util.function.Consumer<FailFast> check) {
    for (double p : PERCENTILES) {
      for (long n : COUNTS) {
        check.accept(new FailFast(new LatencySlo(p, BOUND), n));
      }
    }
  }

  @Test
  void theThresholdIsTheLeastCountAtWhichEveryFullProbeFailsOnEveryFlag() {
    eachRule(
        rule -> {
          LatencySlo slo = rule.slo();
          long n = rule.plannedQueries();
          double p = slo.percentile();
          long least = rule.leastOver();
          for (long over : overCounts(n, least)) {
            ServerVerdict v = full(slo, n, over, 0);
            String at = "p" + p + " N=" + n + " over=" + over;
            assertEquals(over <= rule.sloLimit(), v.sloMet(), at + ": slo_met against sloLimit");
            assertEquals(
                over <= rule.earlyStoppingLimit(),
                v.earlyStoppingMet(),
                at + ": early_stopping_met against earlyStoppingLimit");
            assertEquals(
                EarlyStopping.met(n, over, slo.fraction()), v.earlyStoppingMet(), at + ": met");
            if (over >= least) {
              assertFalse(v.sloMet() || v.earlyStoppingMet() || v.passes(), at);
              assertTrue(rule.certain(over, over), at);
            } else {
              assertFalse(rule.certain(over, over), at);
            }
          }
          if (least <= n && least > 0) {
            ServerVerdict below = full(slo, n, least - 1, 0);
            assertTrue(
                below.sloMet() || below.earlyStoppingMet(),
                "p" + p + " N=" + n + ": one fewer than " + least + " leaves a flag open");
          }
        });
  }

  @Test
  void aStopNeverChangesDecidedByDrops() {
    eachRule(
        rule -> {
          LatencySlo slo = rule.slo();
          long n = rule.plannedQueries();
          double p = slo.percentile();
          for (long notDropped : overCounts(n, rule.leastNotDropped())) {
            for (long dropped : new long[] {0, 1, 3, n / 10, n / 2, n}) {
              if (notDropped + dropped > n) {
                continue;
              }
              ServerVerdict v = full(slo, n, notDropped, dropped);
              String at = "p" + p + " N=" + n + " over=" + notDropped + " dropped=" + dropped;
              if (rule.certain(notDropped + dropped, notDropped)) {
                assertFalse(v.decidedByDrops() || v.sloMet() || v.earlyStoppingMet(), at);
              }
            }
          }
        });
  }

  @Test
  void atP99OverSixHundredSixtyTwoTheProbeStopsAtSevenOver() {
    FailFast rule = new FailFast(LatencySlo.parse("p99=500ms"), 662);
    assertEquals(6, rule.sloLimit());
    assertEquals(1, rule.earlyStoppingLimit());
    assertEquals(7, rule.leastOver());
    assertEquals(2, rule.leastNotDropped());
    assertFalse(rule.certain(6, 6));
    assertFalse(rule.certain(7, 1));
    assertTrue(rule.certain(7, 2));
  }

  @Test
  void aStoppedResultIsJudgedAsItsPlannedProbe() {
    LatencySlo slo = LatencySlo.parse("p99=500ms");
    FailFast rule = new FailFast(slo, 662);
    List<OpenLoopResult.RawQuery> raw = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      long latency = i < 92 ? 1_000_000 : 2 * BOUND;
      raw.add(new OpenLoopResult.RawQuery(i, i, i, i + latency));
    }
    OpenLoopResult stopped =
        new OpenLoopResult(
            ArrivalSchedule.of(ArrivalSchedule.Process.POISSON, 10, 42),
            64,
            99,
            10_000_000_000L,
            100,
            0,
            0,
            PhaseRecorder.newLatencyHistogram(),
            PhaseRecorder.newLatencyHistogram(),
            raw,
            new OpenLoopResult.Stop(rule, 66_000_000_000L, 10_000_000_000L, 8, 8));
    ServerVerdict v = ServerVerdict.of(stopped, slo, Duration.ofSeconds(60), 662);
    assertFalse(v.sloMet());
    assertFalse(v.earlyStoppingMet());
    assertFalse(v.passes());
    assertFalse(v.decidedByDrops());
    assertTrue(v.minDurationMet());
    assertTrue(v.minQueriesMet());
    assertEquals(662, v.plannedQueries());
    assertEquals(8, v.overBound());
    assertTrue(v.toJson().path("stopped_early").asBoolean());
    assertEquals(10.0, v.toJson().path("stopped_at_s").asDouble());
    assertTrue(v.toJson().path("percentiles_partial").asBoolean());
    assertTrue(
        v.toText()
            .contains(
                "stopped early at 10 s: 8 of 662 already over the bound (the probe cannot pass)"),
        v.toText());
    assertThrows(
        IllegalArgumentException.class,
        () -> ServerVerdict.of(stopped, LatencySlo.parse("p90=500ms"), Duration.ZERO, 0));
    ServerVerdict ran = full(slo, 662, 8, 0);
    assertFalse(ran.toJson().path("stopped_early").asBoolean());
    assertTrue(ran.toJson().path("stopped_at_s").isNull());
  }

  /**
   * Every count from 0 to 30 past {@code least}, then every 17th and {@code n}: early stopping's
   * binomial sums make every count up to {@code n} too slow at 1,000 and p99.9.
   */
  private static long[] overCounts(long n, long least) {
    java.util.stream.LongStream.Builder b = java.util.stream.LongStream.builder();
    for (long t = 0; t <= n; t += t <= least + 30 ? 1 : 17) {
      b.add(t);
    }
    b.add(n);
    return b.build().distinct().toArray();
  }

  /** A full probe of {@code n}: {@code over} completed past the bound, {@code dropped} dropped. */
  private static ServerVerdict full(LatencySlo slo, long n, long over, long dropped) {
    List<OpenLoopResult.RawQuery> raw = new ArrayList<>((int) n);
    for (int i = 0; i < n; i++) {
      if (i < dropped) {
        raw.add(new OpenLoopResult.RawQuery(i, i, -1, -1));
      } else {
        long latency = i < dropped + over ? BOUND + 1 : BOUND;
        raw.add(new OpenLoopResult.RawQuery(i, i, i, i + latency));
      }
    }
    OpenLoopResult r =
        new OpenLoopResult(
            ArrivalSchedule.of(ArrivalSchedule.Process.POISSON, 10, 42),
            64,
            n,
            n,
            n - dropped,
            dropped,
            0,
            PhaseRecorder.newLatencyHistogram(),
            PhaseRecorder.newLatencyHistogram(),
            raw,
            null);
    return ServerVerdict.of(r, slo, Duration.ZERO, 0);
  }
}
