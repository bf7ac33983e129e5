package io.paretopipe.reports.pareto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

  /**
   * The same properties on points through {@link Frontier#compute} with three of the report's
   * objectives (latency, throughput, energy or CPU per image), directions mixed (throughput is
   * maximized), ties, duplicates and unknown values (energy {@code unavailable}) included: a
   * frontier point is dominated by no point on all three; every other point with all three known is
   * dominated by a frontier point; a point with an unknown objective is never on it; and a point on
   * the frontier of two of the objectives whose pair of values no other point shares stays on the
   * frontier of all three.
   */
  @Test
  void threeObjectiveFrontierOfPointsHasTheFrontierProperties() {
    Random random = new Random(20261206L);
    for (int iteration = 0; iteration < 1000; iteration++) {
      boolean cpu = random.nextBoolean();
      List<Objective> objectives =
          List.of(
              Objective.latency(LatencyStatistic.MEAN),
              Objective.throughput(),
              cpu ? Objective.cpu() : Objective.energy());
      double[][] raw = randomValues(random, 3);
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < raw.length; i++) {
        points.add(
            ThreeObjectivePoints.point(Integer.toString(i), raw[i][0], raw[i][1], raw[i][2]));
      }
      GroupKey group = points.isEmpty() ? null : points.get(0).group();
      Map<GroupKey, List<Point>> byGroup = group == null ? Map.of() : Map.of(group, points);
      Frontier frontier = Frontier.compute(byGroup, objectives, false);
      String context = "iteration " + iteration + " values " + Arrays.deepToString(raw);
      double[][] minimizable = new double[points.size()][];
      for (int i = 0; i < points.size(); i++) {
        Point p = points.get(i);
        minimizable[i] = objectives.stream().mapToDouble(o -> o.minimizable(p)).toArray();
      }
      for (int i = 0; i < points.size(); i++) {
        boolean on = frontier.contains(points.get(i));
        if (hasNaN(minimizable[i])) {
          assertFalse(on, "a point with an unknown objective is on the frontier: " + context);
          continue;
        }
        if (on) {
          for (double[] other : minimizable) {
            assertFalse(
                !hasNaN(other) && ParetoFrontier.dominates(other, minimizable[i]),
                "frontier point " + i + " is dominated on all three objectives: " + context);
          }
        } else {
          boolean dominated = false;
          for (int j = 0; j < points.size() && !dominated; j++) {
            dominated =
                frontier.contains(points.get(j))
                    && ParetoFrontier.dominates(minimizable[j], minimizable[i]);
          }
          assertTrue(
              dominated, "point " + i + " is off but no frontier point dominates it: " + context);
        }
      }
      for (int a = 0; a < 3; a++) {
        for (int b = a + 1; b < 3; b++) {
          Frontier pair =
              Frontier.compute(byGroup, List.of(objectives.get(a), objectives.get(b)), false);
          for (int i = 0; i < points.size(); i++) {
            if (!pair.contains(points.get(i)) || hasNaN(minimizable[i])) {
              continue;
            }
            boolean unique = true;
            for (int j = 0; j < points.size() && unique; j++) {
              unique =
                  j == i
                      || minimizable[j][a] != minimizable[i][a]
                      || minimizable[j][b] != minimizable[i][b];
            }
            if (unique) {
              assertTrue(
                  frontier.contains(points.get(i)),
                  "point "
                      + i
                      + " is on the frontier of objectives "
                      + a
                      + " and "
                      + b
                      + " but not on that of all three: "
                      + context);
            }
          }
        }
      }
    }
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
