package io.paretopipe.reports.model;

import io.paretopipe.reports.stats.MeanInterval;
import java.util.Objects;

/**
 * One per-image cost of a point (CPU milliseconds or joules per image of a stage or of the whole
 * pipeline), its replication units (one per pass, each weighted by the images of its window) and
 * its 95% interval over them. Immutable.
 *
 * @param value the pooled figure (every unit's total over every unit's images), NaN when unknown
 * @param samples the units and their counts ({@code requests}: images behind the figure)
 * @param interval the 95% interval of {@code value} (moderated with the point's family where the
 *     run's intervals are)
 */
public record CostFigure(double value, MetricSamples samples, MeanInterval interval) {

  /** Not known. */
  public static final CostFigure NONE =
      new CostFigure(
          Double.NaN,
          MetricSamples.NONE,
          MeanInterval.of(Double.NaN, new double[0], new double[0]));

  public CostFigure {
    Objects.requireNonNull(samples, "samples");
    Objects.requireNonNull(interval, "interval");
  }

  /**
   * @return true when the figure is a number
   */
  public boolean known() {
    return Double.isFinite(value);
  }

  /**
   * @return the half width of the interval, 0 when it is unknown (for epsilon-dominance)
   */
  public double halfWidth() {
    double h = (interval.high() - interval.low()) / 2;
    return Double.isFinite(h) && h > 0 ? h : 0;
  }

  /**
   * @return this figure with another interval
   */
  public CostFigure withInterval(MeanInterval newInterval) {
    return new CostFigure(value, samples, newInterval);
  }
}
