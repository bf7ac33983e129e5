package io.paretopipe.reports.render;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Locale-independent number formatting for every output: a dot as decimal separator, no grouping,
 * no exponent. Stateless.
 */
public final class Numbers {
  private static final MathContext SIGNIFICANT = new MathContext(6, RoundingMode.HALF_EVEN);

  private Numbers() {}

  /**
   * @param value any double
   * @return the value rounded to 6 significant digits, without trailing zeros or exponent ({@code
   *     12.3457}, {@code 0.000123457}, {@code 1234570}); {@code ""} for NaN and infinities
   */
  public static String format(double value) {
    if (!Double.isFinite(value)) {
      return "";
    }
    if (value == 0) {
      return "0";
    }
    return new BigDecimal(value).round(SIGNIFICANT).stripTrailingZeros().toPlainString();
  }

  /**
   * @param value any double
   * @param decimals digits after the point
   * @return e.g. {@code 12.35} for {@code (12.3456, 2)}; {@code "n/a"} for NaN and infinities
   */
  public static String fixed(double value, int decimals) {
    if (!Double.isFinite(value)) {
      return "n/a";
    }
    BigDecimal rounded = new BigDecimal(value).setScale(decimals, RoundingMode.HALF_EVEN);
    return rounded.signum() == 0
        ? BigDecimal.ZERO.setScale(decimals).toPlainString()
        : rounded.toPlainString();
  }
}
