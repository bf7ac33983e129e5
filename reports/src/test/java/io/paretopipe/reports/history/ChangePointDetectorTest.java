package io.paretopipe.reports.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.stats.VarianceModeration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runs' own standard errors as a floor on the detector's noise. */
class ChangePointDetectorTest {
  /** Six runs that happen to agree within 0.2%, then two 6% slower. */
  static final double[] LUCKY_BASELINE = {100, 100.2, 99.9, 100.1, 99.8, 100, 106, 106.1};

  @Test
  void aLuckyQuietBaselineMakesASmallShiftSignificantWithoutTheRunsOwnNoise() {
    ChangePointDetector detector = new ChangePointDetector(ChangePointDetector.Settings.DEFAULT);
    List<Change> changes = Change.analyze(LUCKY_BASELINE, FigureValue.Better.LOWER, detector, 2);
    assertEquals(1, changes.size(), changes.toString());
    assertEquals(6, changes.get(0).point().index());
    assertEquals(Change.Kind.REGRESSION, changes.get(0).kind());
  }

  @Test
  void runsThatSayTheyAreGoodToFivePercentDoNotCallASixPercentShiftOfTwoRunsCertain() {
    ChangePointDetector detector = new ChangePointDetector(ChangePointDetector.Settings.DEFAULT);
    double[] standardErrors = new double[LUCKY_BASELINE.length];
    Arrays.fill(standardErrors, 0.05);
    assertTrue(
        Change.analyze(LUCKY_BASELINE, standardErrors, FigureValue.Better.LOWER, detector, 2)
            .isEmpty());
  }

  @Test
  void aFloorBelowTheObservedNoiseChangesNothing() {
    double[] values = {100, 104, 97, 102, 99, 101, 98, 103, 150, 151, 149};
    ChangePointDetector detector = new ChangePointDetector(ChangePointDetector.Settings.DEFAULT);
    double[] tiny = new double[values.length];
    Arrays.fill(tiny, 0.001);
    assertEquals(detector.detect(values), detector.detect(values, tiny));
    assertEquals(8, detector.detect(values, tiny).get(0).index());
  }

  @Test
  void unknownStandardErrorsAreLeftOutOfTheFloor() {
    double[] se = new double[LUCKY_BASELINE.length];
    Arrays.fill(se, Double.NaN);
    ChangePointDetector detector = new ChangePointDetector(ChangePointDetector.Settings.DEFAULT);
    assertEquals(detector.detect(LUCKY_BASELINE), detector.detect(LUCKY_BASELINE, se));
  }

  @Test
  void standardErrorsMustMatchTheValues() {
    ChangePointDetector detector = new ChangePointDetector(ChangePointDetector.Settings.DEFAULT);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> detector.detect(LUCKY_BASELINE, new double[] {0.01}));
    assertEquals("relativeStandardErrors: 1 values (expected: one per value, 8)", e.getMessage());
  }

  @Test
  void aStandardErrorIsReadBackOnlyFromAMeanFiguresNinetyFivePercentIntervalOverUnits() {
    // 100 +- 10 over 3 units: 10 / t(0.975, 2) / 100 = 10 / 4.303 / 100
    assertEquals(
        0.02324, FigureValue.relativeStandardError("latency_mean_ms", 100, 90, 110, 0.95, 3), 1e-5);
    assertTrue(
        Double.isNaN(FigureValue.relativeStandardError("latency_mean_ms", 100, 90, 110, 0.999, 3)));
    assertTrue(
        Double.isNaN(FigureValue.relativeStandardError("latency_mean_ms", 100, 90, 110, 0.95, 1)));
    assertTrue(
        Double.isNaN(FigureValue.relativeStandardError("latency_p99_ms", 100, 90, 110, 0.95, 3)));
  }

  /**
   * Eight runs at +-2% then three 10% slower: a step early in a series (seen in the simulation).
   */
  static final double[] SHORT_STEP = {
    98.5, 100.9, 105.0, 99.0, 99.1, 101.8, 98.4, 101.1, 113.8, 108.3, 109.1
  };

  private static List<Change> openRegressions(double[] values, VarianceModeration.Prior prior) {
    ChangePointDetector detector = new ChangePointDetector(ChangePointDetector.Settings.DEFAULT);
    return Change.analyze(values, null, prior, FigureValue.Better.LOWER, detector, 2).stream()
        .filter(c -> c.kind() == Change.Kind.REGRESSION && c.open())
        .toList();
  }

  @Test
  void aShortSeriesStepIsFoundWithTheFamilysPriorForItsNoiseAndNotWithoutIt() {
    assertTrue(openRegressions(SHORT_STEP, null).isEmpty());
    List<Change> found = openRegressions(SHORT_STEP, new VarianceModeration.Prior(0.0004, 1000));
    assertEquals(1, found.size(), found.toString());
    assertEquals(8, found.get(0).point().index());
  }

  @Test
  void aFamilyThatSaysTheNoiseIsSixPercentDoesNotCallTheShortStepCertain() {
    assertTrue(openRegressions(SHORT_STEP, new VarianceModeration.Prior(0.0036, 1000)).isEmpty());
  }

  @Test
  void aSeriesNoisierThanItsFamilyKeepsItsOwnVariance() {
    double[] noisy = {100, 121, 84, 116, 90, 119, 87, 113, 122, 124, 121};
    assertTrue(openRegressions(noisy, new VarianceModeration.Prior(0.0001, 1000)).isEmpty());
  }

  @Test
  void aSeriesMemberIsTheMeanSquaredSuccessiveDifferenceOfItsLogs() {
    VarianceModeration.Member m = FamilyNoise.member(new double[] {100, 110, 100});
    double d = Math.log(1.1);
    assertEquals(2 * d * d / 4, m.relativeVariance(), 1e-12);
    assertEquals(1, m.degreesOfFreedom());
    assertEquals(0, FamilyNoise.member(new double[] {100, 0, 100}).degreesOfFreedom());
    assertEquals(0, FamilyNoise.member(new double[] {100, 100}).degreesOfFreedom());
    assertEquals(
        java.util.Arrays.asList(null, null),
        FamilyNoise.priors(List.of(new double[] {1, 2, 3}, new double[] {2, 3, 4})));
  }
}
