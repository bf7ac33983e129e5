package io.paretopipe.reports.pareto;

import io.paretopipe.format.Phase;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.stats.MeanInterval;
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
    /** The total CPU ms per image: units (passes). */
    CPU,
    /** The energy per image: units (passes). */
    ENERGY,
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
   * @return CPU milliseconds per image over every stage, lower is better
   */
  public static Objective cpu() {
    return new Objective(
        "cpu_ms_per_image",
        true,
        p -> p.costs().cpuTotal().value(),
        p -> p.costs().cpuTotal().halfWidth(),
        Sampling.CPU,
        Double.NaN);
  }

  /**
   * @return joules per image of the whole pipeline, lower is better; unknown (never on the
   *     frontier) where the energy is {@code unavailable}
   */
  public static Objective energy() {
    return new Objective(
        "energy_j_per_image",
        true,
        p -> p.costs().energyJPerImage().value(),
        p -> p.costs().energyJPerImage().halfWidth(),
        Sampling.ENERGY,
        Double.NaN);
  }

  /** The names {@link #parse} takes, for messages. */
  public static final String NAMES = "latency, throughput, cpu, energy, bytes, head_compute";

  /**
   * @param name {@code latency}, {@code throughput}, {@code cpu}, {@code energy}, {@code bytes} or
   *     {@code head_compute}
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
      case "cpu":
        return cpu();
      case "energy":
        return energy();
      default:
        throw new IllegalArgumentException("objective \"" + name + "\" is not one of " + NAMES);
    }
  }

  /**
   * The 95% interval of the objective's value and the replication units it rests on, as the reports
   * print it: the mean latency, throughput, CPU and energy over their units (moderated where the
   * run's intervals are), a percentile's order-statistics interval over its requests; exact values
   * ({@code bytes}) and values taken as they are ({@code head_compute}) have none.
   *
   * @return the interval, {@link MeanInterval#known()} false when there is none
   */
  public MeanInterval interval(Point p) {
    return switch (sampling) {
      case LATENCY_MEAN -> p.samples().latencyMean();
      case THROUGHPUT -> p.samples().throughputMean();
      case CPU -> p.costs().cpuTotal().interval();
      case ENERGY -> p.costs().energyJPerImage().interval();
      case LATENCY_PERCENTILE -> {
        var e = p.samples().percentile(percentile);
        yield e == null || !e.supported()
            ? MeanInterval.of(Double.NaN, new double[0], new double[0])
            : new MeanInterval(value.applyAsDouble(p), e.lowMs(), e.highMs(), 0, Double.NaN, 0);
      }
      case FIXED -> MeanInterval.of(value.applyAsDouble(p), new double[0], new double[0]);
    };
  }

  /**
   * @return what the objective's figure of {@code p} rests on, e.g. {@code 3 passes} or {@code 480
   *     requests}; {@code ""} for exact values
   */
  public String samplesText(Point p) {
    return switch (sampling) {
      case LATENCY_MEAN, LATENCY_PERCENTILE ->
          p.samples().latency().requests() >= 0
              ? p.samples().latency().requests() + " requests"
              : p.samples().latency().iterations() + " iterations";
      case THROUGHPUT -> p.samples().throughput().iterations() + " iterations";
      case CPU -> units(p.costs().cpuTotal().samples());
      case ENERGY -> units(p.costs().energyJPerImage().samples());
      case FIXED -> "";
    };
  }

  private static String units(io.paretopipe.reports.model.MetricSamples s) {
    return s.units().size()
        + (s.units().size() == 1 ? " pass, " : " passes, ")
        + s.requests()
        + " images";
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
