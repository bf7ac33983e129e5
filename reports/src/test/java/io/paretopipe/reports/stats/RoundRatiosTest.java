package io.paretopipe.reports.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RoundRatiosTest {
  @Test
  void threeRoundsGiveTheGeometricMeanAndItsTInterval() {
    RoundRatios r = RoundRatios.of(new double[] {1.17, 1.00, 1.01});
    assertEquals(3, r.rounds());
    assertEquals(1.01, r.median(), 1e-12);
    assertEquals(1.057229, r.geometricMean(), 1e-6);
    // exp(mean(log) -+ t(0.975, 2) x s / sqrt(3)), t = 4.3027
    assertEquals(0.849812, r.low(), 1e-6);
    assertEquals(1.315272, r.high(), 1e-6);
    assertEquals(2, r.roundsAtMost(1.15));
  }

  @Test
  void ratiosAverageOnTheLogScale() {
    RoundRatios r = RoundRatios.of(new double[] {2.0, 0.5});
    assertEquals(1.0, r.geometricMean(), 1e-12);
    assertEquals(1.25, r.median(), 1e-12);
  }

  @Test
  void theVerdictNeedsTheWholeIntervalOnOneSide() {
    RoundRatios r = RoundRatios.of(new double[] {1.1, 1.2, 1.0});
    assertEquals(RoundRatios.Verdict.HOLDS, r.against(1.5));
    assertEquals(RoundRatios.Verdict.UNDECIDED, r.against(1.2));
    assertEquals(RoundRatios.Verdict.FAILS, r.against(0.8));
    assertEquals("undecided", r.against(1.2).text());
  }

  @Test
  void oneRoundHasNoIntervalAndDecidesNothing() {
    RoundRatios r = RoundRatios.of(new double[] {0.5});
    assertEquals(0.5, r.median(), 1e-12);
    assertEquals(0.5, r.geometricMean(), 1e-12);
    assertTrue(Double.isNaN(r.low()) && Double.isNaN(r.high()));
    assertEquals(RoundRatios.Verdict.UNDECIDED, r.against(1.0));
  }

  @Test
  void theRatiosAreCopiedInAndOut() {
    double[] in = {1.0, 2.0};
    RoundRatios r = RoundRatios.of(in);
    in[0] = 9;
    r.ratios()[1] = 9;
    assertArrayEquals(new double[] {1.0, 2.0}, r.ratios());
  }

  @Test
  void badRatiosAreRefusedByRound() {
    assertEquals(
        "no rounds: a ratio needs at least one round",
        assertThrows(IllegalArgumentException.class, () -> RoundRatios.of(new double[0]))
            .getMessage());
    assertEquals(
        "round 2: ratio 0.0 (expected: positive and finite)",
        assertThrows(IllegalArgumentException.class, () -> RoundRatios.of(new double[] {1.0, 0.0}))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> RoundRatios.of(new double[] {Double.NaN}));
    assertThrows(
        IllegalArgumentException.class,
        () -> RoundRatios.of(new double[] {Double.POSITIVE_INFINITY}));
  }
}
