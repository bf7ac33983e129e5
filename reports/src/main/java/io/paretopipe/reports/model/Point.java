package io.paretopipe.reports.model;

import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;

/**
 * One partition point: a cut of a model over a transport and link at a batch size, with everything
 * measured about it. Latency is one request (one batch) end to end with one request in flight, in
 * milliseconds; throughput is images per second with {@code depth} requests in flight. Unknown
 * values are {@link Double#NaN}; unknown bytes are {@code -1}. Immutable.
 *
 * @param group the frontier group
 * @param split the split label, e.g. {@code 3} or {@code 3:9}
 * @param depth the in-flight depth of the throughput measurement, {@code ""} when unknown
 * @param latencyMeanMs JMH's score of the latency benchmark
 * @param latencyMeanLowMs lower end of JMH's confidence interval for the mean
 * @param latencyMeanHighMs upper end of JMH's confidence interval for the mean
 * @param latencyPercentilesMs percentile (0..100) to latency, from the e2e hlog when there is one
 *     (every request), else from JMH's {@code scorePercentiles}; ascending; may be empty
 * @param throughputImgS images per second (JMH's {@code images} secondary metric, or the primary
 *     score times batch)
 * @param throughputLowImgS lower end of its confidence interval
 * @param throughputHighImgS upper end of its confidence interval
 * @param bytes tensor bytes sent at the cut(s) per request (per batch), {@code -1} when unknown
 * @param phaseMeanMs mean time of each phase per request; empty when there was no hlog
 */
public record Point(
    GroupKey group,
    String split,
    String depth,
    double latencyMeanMs,
    double latencyMeanLowMs,
    double latencyMeanHighMs,
    SortedMap<Double, Double> latencyPercentilesMs,
    double throughputImgS,
    double throughputLowImgS,
    double throughputHighImgS,
    long bytes,
    Map<Phase, Double> phaseMeanMs) {

  /** Group, then split numerically, then depth numerically. */
  public static final Comparator<Point> ORDER =
      Comparator.comparing(Point::group)
          .thenComparing(Point::split, SplitOrder.INSTANCE)
          .thenComparing(Point::depth, SplitOrder.INSTANCE);

  public Point {
    latencyPercentilesMs = Collections.unmodifiableSortedMap(latencyPercentilesMs);
    phaseMeanMs =
        Collections.unmodifiableMap(
            phaseMeanMs.isEmpty() ? new EnumMap<>(Phase.class) : new EnumMap<>(phaseMeanMs));
  }

  /**
   * @param percentile in 0..100, e.g. 99.9
   * @return the latency at that percentile in ms, NaN when it was not measured
   */
  public double latencyPercentileMs(double percentile) {
    Double value = latencyPercentilesMs.get(percentile);
    return value == null ? Double.NaN : value;
  }

  /**
   * @return the latency of the slowest request in ms (the 100th percentile), NaN when unknown
   */
  public double latencyMaxMs() {
    return latencyPercentileMs(100.0);
  }

  /**
   * @return the mean time of {@code phase} in ms, NaN when unknown
   */
  public double phaseMs(Phase phase) {
    Double value = phaseMeanMs.get(phase);
    return value == null ? Double.NaN : value;
  }

  /**
   * @return a short label, e.g. {@code split 3} or {@code split 3 depth 4}
   */
  public String label() {
    return "split " + split + (depth.isEmpty() ? "" : " depth " + depth);
  }
}
