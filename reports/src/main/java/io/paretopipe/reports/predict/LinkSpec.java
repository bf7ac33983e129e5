package io.paretopipe.reports.predict;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A link condition as the benchmarks name it in their {@code link} param, read for prediction:
 * one-way delay, jitter, loss, rate and burst, each applied <em>per direction</em> ({@code
 * delay:50ms} adds 50 ms each way).
 *
 * <p>This re-implements the spec grammar and the presets of netem's {@code
 * io.paretopipe.netem.NetworkCondition} (the reports module reads files only and does not depend on
 * netem); {@code LinkSpecTest} checks the preset values against netem's source file so the two
 * cannot drift apart unnoticed:
 *
 * <pre>
 * spec   := "none" | preset | term ("+" term)*
 * term   := "delay:" time | "jitter:" time | "loss:" number "%" | "rate:" rate | "burst:" size
 * time   := number ("ns" | "us" | "ms" | "s")
 * rate   := number ("bps" | "kbit" | "mbit" | "gbit")      decimal: 1 kbit = 1000 bit/s
 * size   := number ("b" | "kb" | "mb")                      binary:  1 kb = 1024 bytes
 * preset := none | lan | wifi | 4g | 3g | pi-link
 * </pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param label the spec as given (trimmed), e.g. {@code pi-link} or {@code delay:20ms+rate:50mbit}
 * @param delayNanos one-way delay, {@code >= 0}
 * @param jitterNanos delay variation around the mean (does not change the mean, so the model
 *     ignores it)
 * @param lossPercent packet loss 0..100 (not modelled: the model assumes no retransmissions)
 * @param rateBitsPerSecond rate limit per direction, {@code 0} = unlimited
 * @param burstBytes token-bucket size, {@code 0} = {@link #effectiveBurstBytes()}'s default
 */
public record LinkSpec(
    String label,
    long delayNanos,
    long jitterNanos,
    double lossPercent,
    long rateBitsPerSecond,
    long burstBytes) {

  private static final long NANOS_PER_MILLI = 1_000_000L;
  private static final String KEYS = "delay, jitter, loss, rate, burst";
  private static final String EXAMPLE = "delay:20ms+rate:50mbit";
  private static final Map<String, LinkSpec> PRESETS = presets();

  public LinkSpec {
    if (delayNanos < 0 || jitterNanos < 0 || rateBitsPerSecond < 0 || burstBytes < 0) {
      throw new IllegalArgumentException(
          "link " + label + ": delay, jitter, rate and burst must be >= 0");
    }
    if (!(lossPercent >= 0 && lossPercent <= 100)) {
      throw new IllegalArgumentException(
          "link " + label + ": loss " + lossPercent + " (expected: 0..100)");
    }
  }

  private static Map<String, LinkSpec> presets() {
    Map<String, LinkSpec> map = new LinkedHashMap<>();
    map.put("none", new LinkSpec("none", 0, 0, 0, 0, 0));
    map.put("lan", new LinkSpec("lan", 200_000L, 0, 0, 1_000_000_000L, 0));
    map.put(
        "wifi", new LinkSpec("wifi", 5 * NANOS_PER_MILLI, 2 * NANOS_PER_MILLI, 0, 50_000_000L, 0));
    map.put("4g", new LinkSpec("4g", 30 * NANOS_PER_MILLI, 5 * NANOS_PER_MILLI, 0, 20_000_000L, 0));
    map.put(
        "3g", new LinkSpec("3g", 100 * NANOS_PER_MILLI, 20 * NANOS_PER_MILLI, 0, 2_000_000L, 0));
    map.put("pi-link", new LinkSpec("pi-link", 200 * NANOS_PER_MILLI, 0, 0, 5_000_000L, 0));
    return Collections.unmodifiableMap(map);
  }

  /**
   * @return the preset names, {@code none} first
   */
  public static List<String> presetNames() {
    return List.copyOf(PRESETS.keySet());
  }

  /**
   * A link with only a delay and a rate, as the bandwidth sweep uses.
   *
   * @param delayNanos one-way delay
   * @param rateBitsPerSecond rate, {@code 0} = unlimited
   * @return the link, labelled in the spec form
   */
  public static LinkSpec of(long delayNanos, long rateBitsPerSecond) {
    List<String> terms = new ArrayList<>();
    if (delayNanos > 0) {
      terms.add(
          "delay:"
              + exact(
                  delayNanos,
                  new String[] {"s", "ms", "us", "ns"},
                  new long[] {1_000_000_000L, NANOS_PER_MILLI, 1000L, 1L}));
    }
    if (rateBitsPerSecond > 0) {
      terms.add(
          "rate:"
              + exact(
                  rateBitsPerSecond,
                  new String[] {"gbit", "mbit", "kbit", "bps"},
                  new long[] {1_000_000_000L, 1_000_000L, 1000L, 1L}));
    }
    return new LinkSpec(
        terms.isEmpty() ? "none" : String.join("+", terms), delayNanos, 0, 0, rateBitsPerSecond, 0);
  }

  /**
   * Parses {@code none}, a preset, or a spec such as {@code delay:20ms+rate:50mbit};
   * case-insensitive.
   *
   * @param spec the text
   * @return the link, labelled with the trimmed text
   * @throws IllegalArgumentException naming the bad token and what is valid
   */
  public static LinkSpec parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("link spec is empty: " + validForms());
    }
    String label = spec.trim();
    String text = label.toLowerCase(Locale.ROOT);
    LinkSpec preset = PRESETS.get(text);
    if (preset != null) {
      return new LinkSpec(
          label,
          preset.delayNanos,
          preset.jitterNanos,
          preset.lossPercent,
          preset.rateBitsPerSecond,
          preset.burstBytes);
    }
    if (text.indexOf(':') < 0) {
      throw new IllegalArgumentException("unknown link spec '" + label + "': " + validForms());
    }
    long delay = 0;
    long jitter = 0;
    double loss = 0;
    long rate = 0;
    long burst = 0;
    List<String> seen = new ArrayList<>();
    for (String token : text.split("\\+", -1)) {
      int colon = token.indexOf(':');
      if (token.isBlank() || colon < 0) {
        throw new IllegalArgumentException(
            "bad link spec '"
                + label
                + "': token '"
                + token
                + "' is not key:value; "
                + validForms());
      }
      String key = token.substring(0, colon).trim();
      String value = token.substring(colon + 1).trim();
      if (seen.contains(key)) {
        throw new IllegalArgumentException(
            "bad link spec '" + label + "': key '" + key + "' appears twice");
      }
      seen.add(key);
      switch (key) {
        case "delay" ->
            delay =
                scaled(
                    label,
                    token,
                    value,
                    new String[][] {
                      {"ns", "1"}, {"us", "1000"}, {"ms", "1000000"}, {"s", "1000000000"}
                    },
                    "time units are ns, us, ms, s");
        case "jitter" ->
            jitter =
                scaled(
                    label,
                    token,
                    value,
                    new String[][] {
                      {"ns", "1"}, {"us", "1000"}, {"ms", "1000000"}, {"s", "1000000000"}
                    },
                    "time units are ns, us, ms, s");
        case "rate" ->
            rate =
                scaled(
                    label,
                    token,
                    value,
                    new String[][] {
                      {"bps", "1"}, {"kbit", "1000"}, {"mbit", "1000000"}, {"gbit", "1000000000"}
                    },
                    "rate units are bps, kbit, mbit, gbit");
        case "burst" ->
            burst =
                scaled(
                    label,
                    token,
                    value,
                    new String[][] {{"kb", "1024"}, {"mb", "1048576"}, {"b", "1"}},
                    "size units are b, kb, mb");
        case "loss" -> loss = lossPercent(label, token, value);
        default ->
            throw new IllegalArgumentException(
                "bad link spec '"
                    + label
                    + "': token '"
                    + token
                    + "' has unknown key '"
                    + key
                    + "'; valid keys are "
                    + KEYS
                    + " (e.g. "
                    + EXAMPLE
                    + ")");
      }
    }
    return new LinkSpec(label, delay, jitter, loss, rate, burst);
  }

  private static String validForms() {
    return "valid forms are 'none', a preset ("
        + String.join(", ", PRESETS.keySet())
        + ") or terms "
        + KEYS
        + " joined by '+', e.g. "
        + EXAMPLE;
  }

  private static long scaled(
      String spec, String token, String value, String[][] units, String valid) {
    int end = 0;
    while (end < value.length()
        && (Character.isDigit(value.charAt(end)) || value.charAt(end) == '.')) {
      end++;
    }
    String number = value.substring(0, end);
    String unit = value.substring(end);
    if (number.isEmpty()) {
      throw new IllegalArgumentException(
          "bad link spec '"
              + spec
              + "': token '"
              + token
              + "' needs a non-negative number before the unit, e.g. "
              + EXAMPLE);
    }
    for (String[] candidate : units) {
      if (candidate[0].equals(unit)) {
        try {
          BigDecimal result = new BigDecimal(number).multiply(new BigDecimal(candidate[1]));
          if (result.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException(
                "bad link spec '"
                    + spec
                    + "': token '"
                    + token
                    + "' is finer than 1 "
                    + units[0][0]
                    + "; use a smaller unit");
          }
          return result.longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
          throw new IllegalArgumentException(
              "bad link spec '"
                  + spec
                  + "': token '"
                  + token
                  + "' has a malformed or too large number '"
                  + number
                  + "'",
              e);
        }
      }
    }
    throw new IllegalArgumentException(
        "bad link spec '"
            + spec
            + "': token '"
            + token
            + "' has "
            + (unit.isEmpty() ? "no unit" : "unknown unit '" + unit + "'")
            + "; valid "
            + valid);
  }

  private static double lossPercent(String spec, String token, String value) {
    if (!value.matches("[0-9]+(\\.[0-9]+)?%")) {
      throw new IllegalArgumentException(
          "bad link spec '"
              + spec
              + "': token '"
              + token
              + "' needs a percentage such as loss:0.5%");
    }
    double loss = Double.parseDouble(value.substring(0, value.length() - 1));
    if (loss > 100) {
      throw new IllegalArgumentException(
          "bad link spec '" + spec + "': token '" + token + "' is above 100%");
    }
    return loss;
  }

  private static String exact(long value, String[] units, long[] factors) {
    for (int i = 0; i < units.length; i++) {
      if (value % factors[i] == 0) {
        return (value / factors[i]) + units[i];
      }
    }
    throw new AssertionError("the last factor is 1");
  }

  /**
   * @return true when the rate is not limited (a loopback or delay-only link)
   */
  public boolean unlimitedRate() {
    return rateBitsPerSecond == 0;
  }

  /**
   * @return the one-way delay in milliseconds
   */
  public double delayMs() {
    return delayNanos / 1e6;
  }

  /**
   * The token-bucket size the shapers use (netem's rule): {@link #burstBytes()} when set, else the
   * bytes sent in 5 ms at the rate, at least 32 KiB; {@code 0} without a rate limit.
   */
  public long effectiveBurstBytes() {
    if (rateBitsPerSecond == 0) {
      return 0;
    }
    return burstBytes > 0 ? burstBytes : Math.max(32 * 1024L, rateBitsPerSecond / 8 / 200);
  }

  /**
   * @param bytes bytes sent in one direction
   * @return the time to push them through the rate limit in steady state ({@code bytes * 8 /
   *     rate}), in ms; 0 when the rate is unlimited
   */
  public double transferMs(long bytes) {
    return rateBitsPerSecond == 0 ? 0 : bytes * 8e3 / rateBitsPerSecond;
  }

  /**
   * @param bytes bytes of one message sent after the link was idle long enough to refill its token
   *     bucket
   * @return the time until the last byte passes the shaper, in ms: the first {@link
   *     #effectiveBurstBytes()} pass at once, the rest at the rate; 0 when the rate is unlimited
   */
  public double transferAfterIdleMs(long bytes) {
    return rateBitsPerSecond == 0
        ? 0
        : Math.max(0, bytes - effectiveBurstBytes()) * 8e3 / rateBitsPerSecond;
  }

  /**
   * @return e.g. {@code 5 Mbit/s}, {@code 1 Gbit/s}, {@code 1.5 kbit/s}, or {@code unlimited}
   */
  public String rateText() {
    return rateText(rateBitsPerSecond);
  }

  /**
   * @param rateBitsPerSecond a rate, 0 = unlimited
   * @return e.g. {@code 5 Mbit/s}
   */
  public static String rateText(long rateBitsPerSecond) {
    if (rateBitsPerSecond == 0) {
      return "unlimited";
    }
    String[] units = {"Gbit/s", "Mbit/s", "kbit/s", "bit/s"};
    long[] factors = {1_000_000_000L, 1_000_000L, 1000L, 1L};
    for (int i = 0; i < units.length; i++) {
      if (rateBitsPerSecond >= factors[i]) {
        return BigDecimal.valueOf(rateBitsPerSecond)
                .divide(BigDecimal.valueOf(factors[i]))
                .round(new java.math.MathContext(4))
                .stripTrailingZeros()
                .toPlainString()
            + " "
            + units[i];
      }
    }
    return rateBitsPerSecond + " bit/s";
  }
}
