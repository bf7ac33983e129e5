package io.paretopipe.reports.pareto;

import io.paretopipe.reports.model.Point;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which latency statistic the latency objective uses; the default is the mean (JMH's score). */
public enum LatencyStatistic {
  MEAN("mean", Double.NaN),
  P50("p50", 50),
  P90("p90", 90),
  P99("p99", 99),
  P99_9("p99.9", 99.9);

  private final String label;
  private final double percentile;

  LatencyStatistic(String label, double percentile) {
    this.label = label;
    this.percentile = percentile;
  }

  /**
   * @return the CLI spelling, e.g. {@code p99.9}
   */
  public String label() {
    return label;
  }

  /**
   * @return the percentile (0..100), NaN for the mean
   */
  public double percentile() {
    return percentile;
  }

  /**
   * @return the statistic of {@code point} in ms, NaN when not measured or not supported by the
   *     samples
   */
  public double valueMs(Point point) {
    return this == MEAN ? point.latencyMeanMs() : point.latencyPercentileMs(percentile);
  }

  /**
   * @return the measurement error (half width of the confidence interval) in ms; 0 when unknown
   */
  public double errorMs(Point point) {
    if (this != MEAN) {
      return 0;
    }
    double halfWidth = (point.latencyMeanHighMs() - point.latencyMeanLowMs()) / 2;
    return Double.isFinite(halfWidth) && halfWidth > 0 ? halfWidth : 0;
  }

  /**
   * @param text {@code mean}, {@code p50}, {@code p90}, {@code p99} or {@code p99.9}
   * @return the statistic
   * @throws IllegalArgumentException naming the valid values
   */
  public static LatencyStatistic parse(String text) {
    for (LatencyStatistic s : values()) {
      if (s.label.equals(text.trim().toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "latency statistic \""
            + text
            + "\" is not one of "
            + Arrays.stream(values())
                .map(LatencyStatistic::label)
                .collect(Collectors.joining(", ")));
  }
}
