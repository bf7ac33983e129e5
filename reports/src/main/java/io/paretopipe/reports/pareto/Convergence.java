package io.paretopipe.reports.pareto;

import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.stats.MeanInterval;
import io.paretopipe.reports.stats.PercentileEstimate;
import java.util.ArrayList;
import java.util.List;

/**
 * When a point's figures are good enough to stop measuring it: the 95% half widths of its mean
 * latency and of its throughput are both at most the target (relative to the estimate), and every
 * required percentile is supported by its samples. A point measured in one unit only (one pass or
 * iteration) never converges: its between-unit variance is unknown. Immutable.
 *
 * @param targetHalfWidthPercent the largest acceptable half width, percent of the estimate, > 0
 * @param requiredPercentiles the percentiles (0..100) the samples must support
 */
public record Convergence(double targetHalfWidthPercent, List<Double> requiredPercentiles) {

  /** Default target half width: 3%. */
  public static final double DEFAULT_TARGET_PERCENT = 3;

  /** Default required percentiles: the median and p90. */
  public static final List<Double> DEFAULT_REQUIRED = List.of(50.0, 90.0);

  /** The defaults. */
  public static final Convergence DEFAULT =
      new Convergence(DEFAULT_TARGET_PERCENT, DEFAULT_REQUIRED);

  public Convergence {
    if (!(targetHalfWidthPercent > 0) || Double.isInfinite(targetHalfWidthPercent)) {
      throw new IllegalArgumentException(
          "target half width: " + targetHalfWidthPercent + "% (expected: a percentage > 0)");
    }
    requiredPercentiles = List.copyOf(requiredPercentiles);
  }

  /**
   * @return true when {@code p} converged
   */
  public boolean converged(Point p) {
    return reasons(p).isEmpty();
  }

  /**
   * @return why {@code p} has not converged, empty when it has
   */
  public List<String> reasons(Point p) {
    List<String> reasons = new ArrayList<>();
    check(reasons, "mean latency", p.samples().latencyMean(), p.samples().latency().measured());
    check(reasons, "throughput", p.samples().throughputMean(), p.samples().throughput().measured());
    for (double q : requiredPercentiles) {
      PercentileEstimate e = p.samples().percentile(q);
      if (e == null || !e.supported()) {
        reasons.add(
            PercentileEstimate.label(q) + " not supported" + (e == null ? "" : ": " + e.reason()));
      }
    }
    return reasons;
  }

  private void check(List<String> reasons, String what, MeanInterval interval, boolean measured) {
    if (!measured) {
      reasons.add(what + " not measured");
    } else if (!interval.known()) {
      reasons.add(what + ": one pass/iteration, interval unknown");
    } else if (!(interval.halfWidthPercent() <= targetHalfWidthPercent)) {
      reasons.add(what + " half width above the target");
    }
  }
}
