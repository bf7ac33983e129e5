package io.paretopipe.reports.render;

import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.pareto.PointConfidence;
import io.paretopipe.reports.stats.MeanInterval;
import io.paretopipe.reports.stats.PercentileEstimate;

/** How the human-readable reports print a figure with its interval or its missing support. */
public final class Figures {
  private Figures() {}

  /**
   * @return e.g. {@code 12.345 ± 0.210}, {@code 12.345 (1 iteration: no interval)}, {@code n/a}
   */
  public static String mean(double value, MeanInterval interval, int decimals) {
    if (!Double.isFinite(value)) {
      return "n/a";
    }
    String text = Numbers.fixed(value, decimals);
    if (interval.known()) {
      return text + " ± " + Numbers.fixed((interval.high() - interval.low()) / 2, decimals);
    }
    return text + (interval.units() == 1 ? " (1 iteration: no interval)" : "");
  }

  /**
   * @return the percentile in ms, or {@code n/a (n=17)} when the samples do not support it
   */
  static String percentile(Point p, double q, int decimals) {
    double value = p.latencyPercentileMs(q);
    if (Double.isFinite(value)) {
      return Numbers.fixed(value, decimals);
    }
    PercentileEstimate e = p.samples().percentile(q);
    return e == null || e.count() == 0 ? "n/a" : "n/a (n=" + e.count() + ")";
  }

  /**
   * @return e.g. {@code 0.97}, {@code n/a}
   */
  public static String probability(PointConfidence c) {
    return Numbers.fixed(c.probability(), 2);
  }

  /**
   * @return the class label, {@code n/a} when unknown
   */
  public static String frontierClass(PointConfidence c) {
    return c.frontierClass() == null ? "n/a" : c.frontierClass().label();
  }
}
