package io.paretopipe.reports.pareto;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Frontier algorithms on a matrix of values to minimize ({@code values[point][objective]}).
 * Stateless.
 *
 * <p>Point {@code a} dominates {@code b} when {@code a} is no worse on every objective and strictly
 * better on at least one. The frontier is the set of points no point dominates; equal points
 * dominate neither other and both stay. A point with a NaN value is never on the frontier and
 * dominates nothing.
 */
public final class ParetoFrontier {
  private ParetoFrontier() {}

  /**
   * @param values {@code values[i][k]}, every row the same length k >= 1, all to be minimized
   * @return {@code onFrontier[i]}; uses the O(n log n) sweep when k == 2, else {@link #bruteForce}
   */
  public static boolean[] compute(double[][] values) {
    int k = values.length == 0 ? 0 : values[0].length;
    return k == 2 ? twoObjectives(values) : bruteForce(values);
  }

  /**
   * O(n log n) for two objectives: sort by the first objective, then the second; sweep, keeping the
   * best second value seen at a strictly smaller first value. Within a run of equal first values
   * only the rows with the run's smallest second value can survive, and they survive when that
   * value beats everything before the run.
   *
   * @param values {@code values[i][0..1]}, to be minimized
   * @return {@code onFrontier[i]}
   */
  public static boolean[] twoObjectives(double[][] values) {
    int n = values.length;
    boolean[] on = new boolean[n];
    Integer[] order = new Integer[n];
    int valid = 0;
    for (int i = 0; i < n; i++) {
      if (values[i].length != 2) {
        throw new IllegalArgumentException(
            "values[" + i + "].length: " + values[i].length + " (expected: 2)");
      }
      if (!Double.isNaN(values[i][0]) && !Double.isNaN(values[i][1])) {
        order[valid++] = i;
      }
    }
    Integer[] sorted = Arrays.copyOf(order, valid);
    Arrays.sort(
        sorted,
        Comparator.<Integer>comparingDouble(i -> values[i][0])
            .thenComparingDouble(i -> values[i][1]));
    double bestBefore = Double.POSITIVE_INFINITY;
    boolean anyBefore = false;
    int start = 0;
    while (start < valid) {
      int end = start;
      double x = values[sorted[start]][0];
      while (end < valid && values[sorted[end]][0] == x) {
        end++;
      }
      double runMin = values[sorted[start]][1];
      for (int j = start; j < end && values[sorted[j]][1] == runMin; j++) {
        on[sorted[j]] = !anyBefore || runMin < bestBefore;
      }
      if (!anyBefore || runMin < bestBefore) {
        bestBefore = runMin;
      }
      anyBefore = true;
      start = end;
    }
    return on;
  }

  /**
   * O(k n^2) for any number of objectives.
   *
   * @param values {@code values[i][k]}, to be minimized
   * @return {@code onFrontier[i]}
   */
  public static boolean[] bruteForce(double[][] values) {
    return withEpsilon(
        values, new double[values.length][values.length == 0 ? 0 : values[0].length]);
  }

  /**
   * Epsilon-dominance for noisy measurements: {@code a} dominates {@code b} when on every objective
   * {@code a} is not worse than {@code b} by more than the combined error {@code e = err[a][k] +
   * err[b][k]} ({@code a[k] <= b[k] + e}) and on at least one it is better by more than that error
   * ({@code a[k] + e < b[k]}). Differences within the noise neither keep a point on the frontier
   * nor push one off it. With all errors 0 this is exact dominance. O(k n^2).
   *
   * @param values {@code values[i][k]}, to be minimized
   * @param errors {@code errors[i][k]} >= 0, the half width of each value's confidence interval
   * @return {@code onFrontier[i]}
   */
  public static boolean[] withEpsilon(double[][] values, double[][] errors) {
    int n = values.length;
    boolean[] on = new boolean[n];
    for (int b = 0; b < n; b++) {
      if (hasNaN(values[b])) {
        continue;
      }
      boolean dominated = false;
      for (int a = 0; a < n && !dominated; a++) {
        dominated =
            a != b && !hasNaN(values[a]) && dominates(values[a], errors[a], values[b], errors[b]);
      }
      on[b] = !dominated;
    }
    return on;
  }

  /**
   * @return true when {@code a} dominates {@code b} exactly (all values to be minimized)
   */
  public static boolean dominates(double[] a, double[] b) {
    double[] zero = new double[a.length];
    return dominates(a, zero, b, zero);
  }

  private static boolean dominates(double[] a, double[] errA, double[] b, double[] errB) {
    boolean strictlyBetter = false;
    for (int k = 0; k < a.length; k++) {
      double e = errA[k] + errB[k];
      if (a[k] > b[k] + e) {
        return false;
      }
      if (a[k] + e < b[k]) {
        strictlyBetter = true;
      }
    }
    return strictlyBetter;
  }

  private static boolean hasNaN(double[] row) {
    for (double v : row) {
      if (Double.isNaN(v)) {
        return true;
      }
    }
    return false;
  }
}
