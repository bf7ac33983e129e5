package io.paretopipe.reports.pareto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Properties of the frontier on many seeded random point sets, including ties, duplicates and NaN.
 */
class ParetoFrontierPropertyTest {
  private static final int ITERATIONS = 3000;

  @Test
  void frontierIsNonDominatedAndDominatesEveryOtherPoint() {
    Random random = new Random(20261129L);
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      int k = 1 + random.nextInt(4);
      double[][] values = randomValues(random, k);
      boolean[] on = ParetoFrontier.compute(values);
      String context = "iteration " + iteration + " values " + Arrays.deepToString(values);
      for (int i = 0; i < values.length; i++) {
        if (hasNaN(values[i])) {
          assertFalse(on[i], "a point with NaN is never on the frontier: " + context);
          continue;
        }
        if (on[i]) {
          for (double[] other : values) {
            assertFalse(
                !hasNaN(other) && ParetoFrontier.dominates(other, values[i]),
                "frontier point " + i + " is dominated: " + context);
          }
        } else {
          boolean dominatedByFrontier = false;
          for (int j = 0; j < values.length && !dominatedByFrontier; j++) {
            dominatedByFrontier = on[j] && ParetoFrontier.dominates(values[j], values[i]);
          }
          assertTrue(
              dominatedByFrontier,
              "point " + i + " is off the frontier but no frontier point dominates it: " + context);
        }
      }
    }
  }

  @Test
  void sweepForTwoObjectivesEqualsBruteForce() {
    Random random = new Random(7L);
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      double[][] values = randomValues(random, 2);
      assertArrayEquals(
          ParetoFrontier.bruteForce(values),
          ParetoFrontier.twoObjectives(values),
          "iteration " + iteration + " values " + Arrays.deepToString(values));
    }
  }

  @Test
  void equalPointsBothStayAndEpsilonKeepsPointsWithinNoise() {
    double[][] values = {{1, 5}, {1, 5}, {2, 4}, {3, 6}};
    assertArrayEquals(
        new boolean[] {true, true, true, false}, ParetoFrontier.twoObjectives(values));
    // {1.05, 5.0} is worse than {1, 4.9} by less than the noise (0.1) on objective 0 and by 0.1 on
    // objective 1,
    // also within the noise: with epsilon neither dominates; exactly, {1, 4.9} dominates.
    double[][] close = {{1, 4.9}, {1.05, 5.0}};
    assertArrayEquals(new boolean[] {true, false}, ParetoFrontier.compute(close));
    double[][] errors = {{0.05, 0.1}, {0.05, 0.1}};
    assertArrayEquals(new boolean[] {true, true}, ParetoFrontier.withEpsilon(close, errors));
    // Beyond the noise on one objective and not worse beyond it on the other: dominated even with
    // epsilon.
    double[][] far = {{1, 4.0}, {1.05, 5.0}};
    assertArrayEquals(new boolean[] {true, false}, ParetoFrontier.withEpsilon(far, errors));
  }

  private static double[][] randomValues(Random random, int k) {
    int n = random.nextInt(40);
    int distinct = 1 + random.nextInt(12);
    double[][] values = new double[n][k];
    for (double[] row : values) {
      for (int j = 0; j < k; j++) {
        // Small integer grids make ties and duplicates common; a few NaN values too.
        row[j] =
            random.nextInt(60) == 0
                ? Double.NaN
                : random.nextInt(distinct) + (random.nextBoolean() ? 0 : 0.5);
      }
    }
    return values;
  }

  private static boolean hasNaN(double[] row) {
    return Arrays.stream(row).anyMatch(Double::isNaN);
  }
}
