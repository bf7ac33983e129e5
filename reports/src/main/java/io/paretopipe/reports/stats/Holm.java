package io.paretopipe.reports.stats;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Holm's step-down correction for many simultaneous tests: controls the family-wise error rate (the
 * probability of at least one false alarm among all results) at the chosen level under any
 * dependence between the tests, and never rejects less than Bonferroni. Stateless.
 */
public final class Holm {
  private Holm() {}

  /**
   * @param pValues raw p-values; NaN entries are not tests and stay NaN
   * @return the Holm-adjusted p-values ({@code max over j <= i of min(1, (m - j + 1) p_(j))} in the
   *     sorted order), in the input order
   */
  public static double[] adjust(double[] pValues) {
    Integer[] order =
        IntStream.range(0, pValues.length)
            .filter(i -> !Double.isNaN(pValues[i]))
            .boxed()
            .sorted(Comparator.comparingDouble(i -> pValues[i]))
            .toArray(Integer[]::new);
    double[] adjusted = new double[pValues.length];
    Arrays.fill(adjusted, Double.NaN);
    int m = order.length;
    double running = 0;
    for (int j = 0; j < m; j++) {
      double value = Math.min(1, (m - j) * pValues[order[j]]);
      running = Math.max(running, value);
      adjusted[order[j]] = running;
    }
    return adjusted;
  }
}
