package io.paretopipe.reports.model;

import io.paretopipe.format.Phase;
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
 * @param latencyMeanLowMs lower end of JMH's 99.9% confidence interval for the mean (for a point
 *     pooled from several results: the same statistic over the pooled samples)
 * @param latencyMeanHighMs upper end of it
 * @param latencyPercentilesMs percentile (0..100) to latency, from the e2e hlogs when they cover
 *     every iteration (every request), else from JMH's SampleTime histograms; only percentiles the
 *     samples support ({@link io.paretopipe.reports.stats.PercentileEstimate}), plus 0 (the
 *     minimum) and 100 (the maximum); ascending; may be empty
 * @param throughputImgS images per second (JMH's {@code images} secondary metric, or the primary
 *     score times batch)
 * @param throughputLowImgS lower end of its confidence interval
 * @param throughputHighImgS upper end of its confidence interval
 * @param bytes tensor bytes sent at the cut(s) per request (per batch), {@code -1} when unknown
 * @param phaseMeanMs mean time of each phase per request; empty when there was no hlog
 * @param samples what the figures rest on: sample counts, 95% intervals of both means, percentile
 *     intervals ({@link PointSamples#NONE} when built without samples)
 * @param costs CPU time and energy per image ({@link PointCosts#NONE} when not recorded)
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
    Map<Phase, Double> phaseMeanMs,
    PointSamples samples,
    PointCosts costs) {

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
    java.util.Objects.requireNonNull(samples, "samples");
    java.util.Objects.requireNonNull(costs, "costs");
  }

  /** A point without recorded costs ({@link PointCosts#NONE}). */
  public Point(
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
      Map<Phase, Double> phaseMeanMs,
      PointSamples samples) {
    this(
        group,
        split,
        depth,
        latencyMeanMs,
        latencyMeanLowMs,
        latencyMeanHighMs,
        latencyPercentilesMs,
        throughputImgS,
        throughputLowImgS,
        throughputHighImgS,
        bytes,
        phaseMeanMs,
        samples,
        PointCosts.NONE);
  }

  /**
   * @return this point with other costs, everything else the same
   */
  public Point withCosts(PointCosts newCosts) {
    return new Point(
        group,
        split,
        depth,
        latencyMeanMs,
        latencyMeanLowMs,
        latencyMeanHighMs,
        latencyPercentilesMs,
        throughputImgS,
        throughputLowImgS,
        throughputHighImgS,
        bytes,
        phaseMeanMs,
        samples,
        newCosts);
  }

  /**
   * @return this point with other samples (e.g. moderated intervals), everything else the same
   */
  public Point withSamples(PointSamples newSamples) {
    return new Point(
        group,
        split,
        depth,
        latencyMeanMs,
        latencyMeanLowMs,
        latencyMeanHighMs,
        latencyPercentilesMs,
        throughputImgS,
        throughputLowImgS,
        throughputHighImgS,
        bytes,
        phaseMeanMs,
        newSamples,
        costs);
  }

  /** A point without samples ({@link PointSamples#NONE}): its intervals and counts are unknown. */
  public Point(
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
    this(
        group,
        split,
        depth,
        latencyMeanMs,
        latencyMeanLowMs,
        latencyMeanHighMs,
        latencyPercentilesMs,
        throughputImgS,
        throughputLowImgS,
        throughputHighImgS,
        bytes,
        phaseMeanMs,
        PointSamples.NONE);
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
   * @param group the points of this point's group
   * @return the split, or {@code split@depth} when the group holds several depths and this point
   *     has one (e.g. {@code 3@4}): how lists of splits name points
   */
  public String splitLabel(java.util.List<Point> group) {
    return !depth.isEmpty()
            && group.stream().map(Point::depth).filter(d -> !d.isEmpty()).distinct().count() > 1
        ? split + "@" + depth
        : split;
  }

  /**
   * @return a short label, e.g. {@code split 3} or {@code split 3 depth 4}
   */
  public String label() {
    return "split " + split + (depth.isEmpty() ? "" : " depth " + depth);
  }
}
