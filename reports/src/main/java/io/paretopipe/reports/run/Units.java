package io.paretopipe.reports.run;

import java.util.Locale;
import java.util.Optional;

/**
 * JMH score units: {@code <time>/op} (lower is better) and {@code ops/<time>} (higher is better),
 * with time one of {@code ns}, {@code us}, {@code µs}, {@code ms}, {@code s}, {@code min}, {@code
 * hr}. Stateless.
 */
public final class Units {
  private Units() {}

  /** Which way a unit is better. */
  public enum Direction {
    /** time per operation, bytes per operation: smaller is better */
    LOWER_IS_BETTER,
    /** operations per time: larger is better */
    HIGHER_IS_BETTER,
    /** a unit this class does not know: no verdict */
    UNKNOWN
  }

  /**
   * @param unit a JMH score unit
   * @return the direction implied by the unit: {@code x/op} lower is better, {@code ops/x} higher
   *     is better
   */
  public static Direction direction(String unit) {
    String u = unit.trim().toLowerCase(Locale.ROOT);
    if (u.endsWith("/op")) {
      return Direction.LOWER_IS_BETTER;
    }
    if (u.startsWith("ops/")) {
      return Direction.HIGHER_IS_BETTER;
    }
    return Direction.UNKNOWN;
  }

  /**
   * @param unit a time-per-operation unit, e.g. {@code us/op}
   * @return the factor that converts a value in {@code unit} to milliseconds, empty when it is not
   *     such a unit
   */
  public static Optional<Double> toMillisFactor(String unit) {
    String u = unit.trim().toLowerCase(Locale.ROOT);
    if (!u.endsWith("/op")) {
      return Optional.empty();
    }
    return secondsOf(u.substring(0, u.length() - 3)).map(s -> s * 1e3);
  }

  /**
   * @param unit an operations-per-time unit, e.g. {@code ops/ms}
   * @return the factor that converts a value in {@code unit} to operations per second, empty when
   *     it is not
   */
  public static Optional<Double> toPerSecondFactor(String unit) {
    String u = unit.trim().toLowerCase(Locale.ROOT);
    if (!u.startsWith("ops/")) {
      return Optional.empty();
    }
    return secondsOf(u.substring(4)).map(s -> 1.0 / s);
  }

  private static Optional<Double> secondsOf(String timeUnit) {
    switch (timeUnit) {
      case "ns":
        return Optional.of(1e-9);
      case "us":
      case "µs":
      case "μs":
        return Optional.of(1e-6);
      case "ms":
        return Optional.of(1e-3);
      case "s":
        return Optional.of(1.0);
      case "min":
        return Optional.of(60.0);
      case "hr":
      case "h":
        return Optional.of(3600.0);
      default:
        return Optional.empty();
    }
  }
}
