package io.paretopipe.reports.server;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A latency objective as the harness writes it ({@code LatencySlo}; {@code reports} does not depend
 * on the harness): the {@code percentile}-th percentile of latency from the intended release must
 * not exceed {@code boundMs}. Written {@code p99=500ms} on a command line and {@code p99:500ms} in
 * JMH params and sweep settings; {@code p99.9}, {@code p90}; units {@code us}, {@code ms}, {@code
 * s}. Immutable.
 *
 * @param percentile in (0, 100), e.g. 99
 * @param boundMs the bound in milliseconds, > 0
 */
public record Slo(double percentile, double boundMs) {

  /** The accepted form, for error messages. */
  public static final String FORM_TEXT =
      "pPERCENTILE=BOUND or pPERCENTILE:BOUND with a unit (us, ms, s), e.g. p99=500ms, p99:500ms,"
          + " p90:2s";

  private static final Pattern FORM =
      Pattern.compile("p(\\d+(?:\\.\\d+)?)\\s*[=:]\\s*(\\d+(?:\\.\\d+)?)\\s*(us|ms|s)");

  public Slo {
    if (!(percentile > 0 && percentile < 100)) {
      throw new IllegalArgumentException(
          "SLO percentile: " + percentile + " (expected: between 0 and 100, e.g. p99)");
    }
    if (!(boundMs > 0) || Double.isInfinite(boundMs)) {
      throw new IllegalArgumentException(
          "SLO bound: " + boundMs + " ms (expected: a finite number > 0, e.g. 500ms)");
    }
  }

  /**
   * Parses {@code p99=500ms} or {@code p99:500ms}.
   *
   * @throws IllegalArgumentException naming the text and the accepted form
   */
  public static Slo parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    Matcher m = FORM.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "SLO '" + text + "' is malformed (expected: " + FORM_TEXT + ")");
    }
    double scale =
        switch (m.group(3)) {
          case "us" -> 1e-3;
          case "s" -> 1e3;
          default -> 1;
        };
    return new Slo(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)) * scale);
  }

  /** {@code p99=500ms}, {@code p90=2000ms}, {@code p99.9=1.5ms}: the form {@link #parse} reads. */
  @Override
  public String toString() {
    return "p" + plain(percentile) + "=" + plain(boundMs) + "ms";
  }

  private static String plain(double v) {
    return v == Math.rint(v)
        ? Long.toString((long) v)
        : java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
