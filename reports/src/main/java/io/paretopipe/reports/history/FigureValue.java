package io.paretopipe.reports.history;

import io.paretopipe.reports.run.Units;
import java.util.Locale;
import java.util.Objects;

/**
 * One figure of one point in one run, as the history stores it: a {@code points.csv} column name,
 * its unit, the value and, where the run had them, its interval and sample count. Unknown numbers
 * are {@link Double#NaN} (SQL {@code NULL}); an unknown sample count is {@code -1}. Immutable.
 *
 * @param name the figure, e.g. {@code latency_mean_ms} or {@code throughput_img_s}
 * @param unit {@code ms/op} for times per request, {@code images/s} for throughput, {@code
 *     bytes/op} for bytes per request
 * @param value the figure; NaN when the run could not support it (then {@code nullReason} says why)
 * @param ciLow lower end of its interval, NaN when there is none
 * @param ciHigh upper end of its interval, NaN when there is none
 * @param ciLevel confidence level of the interval in 0..1 (e.g. 0.999 for JMH's), NaN when none
 * @param samples how many samples the figure rests on, {@code -1} when the run does not say
 * @param nullReason why {@code value} is unknown, or null when it is known
 * @param units how many replication units (passes, else iterations; docs/REPORTS.md, "Statistics")
 *     the interval rests on, {@code -1} when the run does not say (schema version 1 rows)
 */
public record FigureValue(
    String name,
    String unit,
    double value,
    double ciLow,
    double ciHigh,
    double ciLevel,
    long samples,
    String nullReason,
    int units) {

  /**
   * The figures whose interval is the reports' 95% Student-t interval of a mean over the units
   * ({@link io.paretopipe.reports.stats.MeanInterval}), so that a standard error can be read back
   * from it ({@link #relativeStandardError}).
   */
  public static final java.util.Set<String> MEAN_FIGURES =
      java.util.Set.of("latency_mean_ms", "throughput_img_s");

  /** Which way is better for a figure, from its unit. */
  public enum Better {
    LOWER,
    HIGHER,
    UNKNOWN
  }

  public FigureValue {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(unit, "unit");
  }

  /** A figure without a unit count ({@code units = -1}), as schema version 1 stored them. */
  public FigureValue(
      String name,
      String unit,
      double value,
      double ciLow,
      double ciHigh,
      double ciLevel,
      long samples,
      String nullReason) {
    this(name, unit, value, ciLow, ciHigh, ciLevel, samples, nullReason, -1);
  }

  /**
   * The relative standard error of a mean figure, read back from its stored 95% interval: {@code
   * (high - low) / 2 / value / t(0.975, units - 1)}, which is also the standard error of {@code
   * ln(value)} to first order (a 10% half width over 3 passes: 0.1 / 4.30 = 0.023; over 2 passes:
   * 0.1 / 12.7 = 0.008).
   *
   * @param name the figure; only the {@link #MEAN_FIGURES} have such an interval
   * @param value the figure's value, > 0
   * @param ciLow lower end
   * @param ciHigh upper end
   * @param ciLevel the interval's level; only 0.95 intervals are read
   * @param units the units it rests on
   * @return the relative standard error, NaN when the figure has no such interval (another figure,
   *     JMH's 99.9% interval, fewer than 2 units, unknown ends)
   */
  public static double relativeStandardError(
      String name, double value, double ciLow, double ciHigh, double ciLevel, int units) {
    if (!MEAN_FIGURES.contains(name)
        || units < 2
        || Math.abs(ciLevel - io.paretopipe.reports.stats.MeanInterval.LEVEL) > 1e-9
        || !(value > 0)
        || !(ciHigh >= ciLow)
        || !Double.isFinite(ciHigh - ciLow)) {
      return Double.NaN;
    }
    return (ciHigh - ciLow) / 2 / value / io.paretopipe.reports.stats.MeanInterval.t975(units - 1);
  }

  /**
   * The direction of a unit, as {@code compare} reads JMH units: {@code <x>/op} lower is better,
   * {@code ops/<x>} higher is better; and a count per time ({@code images/s}) higher is better.
   *
   * @param unit e.g. {@code ms/op}, {@code ops/s}, {@code images/s}
   * @return the direction, {@link Better#UNKNOWN} for any other unit
   */
  public static Better better(String unit) {
    switch (Units.direction(unit)) {
      case LOWER_IS_BETTER:
        return Better.LOWER;
      case HIGHER_IS_BETTER:
        return Better.HIGHER;
      default:
        String u = unit.trim().toLowerCase(Locale.ROOT);
        return u.matches("[a-z_]+/(ns|us|ms|s|min|h)") ? Better.HIGHER : Better.UNKNOWN;
    }
  }
}
