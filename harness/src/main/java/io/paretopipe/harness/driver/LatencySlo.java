package io.paretopipe.harness.driver;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A latency objective: the {@code percentile}-th percentile of end-to-end latency (measured from
 * each request's intended release) must not exceed {@code boundNanos}. Written {@code p99=500ms} on
 * the command line and {@code p99:500ms} in JMH params and sweep settings (JMH and {@code -D}
 * values cannot hold '=' comfortably); {@code p99.9}, {@code p90}, units {@code us}, {@code ms},
 * {@code s}.
 *
 * @param percentile in (0, 100), e.g. 99
 * @param boundNanos > 0
 */
public record LatencySlo(double percentile, long boundNanos) {

  private static final Pattern FORM =
      Pattern.compile("p(\\d+(?:\\.\\d+)?)\\s*[=:]\\s*(\\d+(?:\\.\\d+)?)\\s*(us|ms|s)");

  public LatencySlo {
    if (!(percentile > 0 && percentile < 100)) {
      throw new IllegalArgumentException(
          "SLO percentile: " + percentile + " (expected: between 0 and 100, e.g. p99)");
    }
    if (boundNanos <= 0) {
      throw new IllegalArgumentException(
          "SLO bound: " + boundNanos + " ns (expected: > 0, e.g. 500ms)");
    }
  }

  /**
   * Parses {@code p99=500ms} or {@code p99:500ms}.
   *
   * @throws IllegalArgumentException naming the text and the accepted form
   */
  public static LatencySlo parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    Matcher m = FORM.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "SLO '"
              + text
              + "' is malformed: write pPERCENTILE=BOUND with a unit, e.g. p99=500ms, p90=80ms,"
              + " p99.9=1.5s (p99:500ms in JMH params and -Dbench.slo)");
    }
    double percentile = Double.parseDouble(m.group(1));
    double value = Double.parseDouble(m.group(2));
    double scale =
        switch (m.group(3)) {
          case "us" -> 1e3;
          case "ms" -> 1e6;
          default -> 1e9;
        };
    return new LatencySlo(percentile, Math.round(value * scale));
  }

  /** The percentile as a fraction, e.g. 0.99. */
  public double fraction() {
    return percentile / 100;
  }

  /** {@code p99=500ms}: the form {@link #parse} reads. */
  @Override
  public String toString() {
    String p =
        percentile == Math.rint(percentile)
            ? Long.toString((long) percentile)
            : Double.toString(percentile);
    double ms = boundNanos / 1e6;
    String bound =
        ms == Math.rint(ms) ? Long.toString((long) ms) + "ms" : (boundNanos / 1e3) + "us";
    return "p" + p + "=" + bound;
  }
}
