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
 */
public record FigureValue(
    String name,
    String unit,
    double value,
    double ciLow,
    double ciHigh,
    double ciLevel,
    long samples,
    String nullReason) {

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
