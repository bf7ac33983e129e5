package io.paretopipe.reports.model;

import io.paretopipe.reports.stats.MeanInterval;
import io.paretopipe.reports.stats.PercentileEstimate;
import java.util.List;
import java.util.Objects;

/**
 * What a point's figures rest on: the samples of its latency and throughput, the 95% intervals of
 * both means, and its latency percentiles with their distribution-free intervals. Immutable.
 *
 * @param latency the latency samples ({@link MetricSamples#NONE} without a latency result)
 * @param throughput the throughput samples
 * @param latencyMean the 95% interval of the mean latency (ms)
 * @param throughputMean the 95% interval of the throughput (images/s)
 * @param percentiles p50, p90, p99, p99.9 ({@link #REPORTED_PERCENTILES}) in that order
 */
public record PointSamples(
    MetricSamples latency,
    MetricSamples throughput,
    MeanInterval latencyMean,
    MeanInterval throughputMean,
    List<PercentileEstimate> percentiles) {

  /** The percentiles every point reports, with intervals. */
  public static final double[] REPORTED_PERCENTILES = {50, 90, 99, 99.9};

  /** Nothing known (a point built without samples). */
  public static final PointSamples NONE =
      new PointSamples(
          MetricSamples.NONE,
          MetricSamples.NONE,
          MeanInterval.of(Double.NaN, new double[0], new double[0]),
          MeanInterval.of(Double.NaN, new double[0], new double[0]),
          List.of());

  public PointSamples {
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(throughput, "throughput");
    percentiles = List.copyOf(percentiles);
  }

  /**
   * @param percentile e.g. 99.9
   * @return its estimate, or null when the point reports none for it
   */
  public PercentileEstimate percentile(double percentile) {
    return percentiles.stream().filter(p -> p.percentile() == percentile).findFirst().orElse(null);
  }
}
