package io.paretopipe.reports.pareto;

import io.paretopipe.format.Phase;
import io.paretopipe.reports.model.Point;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * One objective of a frontier: a value per point and whether smaller or larger is better, plus the
 * measurement error used by epsilon-dominance (0 where none is known). Immutable.
 *
 * @param name a column-friendly name, e.g. {@code latency_p99_ms}
 * @param minimize true when smaller is better
 * @param value the value of a point (NaN when unknown: such a point is never on the frontier)
 * @param error the half width of the value's confidence interval, non-negative
 * @param sampling what the bootstrap of {@link FrontierConfidence} resamples for it
 * @param percentile the latency percentile (0..100) for {@link Sampling#LATENCY_PERCENTILE}, else
 *     NaN
 */
public record Objective(
    String name,
    boolean minimize,
    ToDoubleFunction<Point> value,
    ToDoubleFunction<Point> error,
    Sampling sampling,
    double percentile) {

  /** What varies from resample to resample. */
  public enum Sampling {
    /** The mean latency: units (passes or iterations), then the requests within them. */
    LATENCY_MEAN,
    /** A latency percentile: units, then the rank within their pooled requests. */
    LATENCY_PERCENTILE,
    /** The throughput: units (passes or iterations). */
    THROUGHPUT,
    /** Nothing: the value is exact (bytes) or taken as it is (mean phase times). */
    FIXED
  }

  /** An objective whose value the bootstrap takes as fixed. */
  public Objective(
      String name, boolean minimize, ToDoubleFunction<Point> value, ToDoubleFunction<Point> error) {
    this(name, minimize, value, error, Sampling.FIXED, Double.NaN);
  }

  /**
   * @return latency at the given statistic, lower is better
   */
  public static Objective latency(LatencyStatistic statistic) {
    return new Objective(
        "latency_" + statistic.label() + "_ms",
        true,
        statistic::valueMs,
        statistic::errorMs,
        statistic == LatencyStatistic.MEAN ? Sampling.LATENCY_MEAN : Sampling.LATENCY_PERCENTILE,
        statistic.percentile());
  }

  /**
   * @return throughput in images per second, higher is better
   */
  public static Objective throughput() {
    return new Objective(
        "throughput_img_s",
        false,
        Point::throughputImgS,
        p -> {
          double halfWidth = (p.throughputHighImgS() - p.throughputLowImgS()) / 2;
          return Double.isFinite(halfWidth) && halfWidth > 0 ? halfWidth : 0;
        },
        Sampling.THROUGHPUT,
        Double.NaN);
  }

  /**
   * @return bytes on the wire per request, lower is better
   */
  public static Objective bytes() {
    return new Objective("bytes", true, p -> p.bytes() < 0 ? Double.NaN : p.bytes(), p -> 0);
  }

  /**
   * @return mean head compute time per request in ms, lower is better
   */
  public static Objective headCompute() {
    return new Objective("head_compute_ms", true, p -> p.phaseMs(Phase.HEAD_COMPUTE), p -> 0);
  }

  /**
   * @param name {@code latency}, {@code throughput}, {@code bytes} or {@code head_compute}
   * @param latency the statistic the latency objective uses
   * @return the objective
   * @throws IllegalArgumentException naming the valid names
   */
  public static Objective parse(String name, LatencyStatistic latency) {
    switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "latency":
        return latency(latency);
      case "throughput":
        return throughput();
      case "bytes":
        return bytes();
      case "head_compute":
        return headCompute();
      default:
        throw new IllegalArgumentException(
            "objective \"" + name + "\" is not one of latency, throughput, bytes, head_compute");
    }
  }

  /**
   * @return the value of {@code p} turned into a quantity to minimize (negated when larger is
   *     better)
   */
  double minimizable(Point p) {
    double v = value.applyAsDouble(p);
    return minimize ? v : -v;
  }
}
