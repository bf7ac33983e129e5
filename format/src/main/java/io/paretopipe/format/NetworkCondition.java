package io.paretopipe.format;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A network condition applied to each direction of a link: one-way delay with optional jitter,
 * packet loss, and a rate limit with a burst allowance. It is what the {@code link} parameter of a
 * benchmark names, so the same grammar and presets serve every module that reads or writes it: the
 * shapers of {@code netem}, the pipeline of {@code harness}, the benchmarks and the predictions of
 * {@code reports}.
 *
 * <p>All values apply <em>per direction</em>: {@code delay:50ms} adds 50 ms each way, so a
 * request/response round trip grows by 100 ms. Zero means "not limited / not added": {@code
 * rateBitsPerSecond == 0} is an unlimited rate, {@code burstBytes == 0} lets the shaper pick {@link
 * #effectiveBurstBytes()}.
 *
 * <h2>Spec form</h2>
 *
 * Usable as a JMH parameter (no commas): {@code none}, a preset name ({@link #presetNames()}), or
 * keys joined by {@code +}:
 *
 * <pre>
 * spec   := "none" | preset | term ("+" term)*
 * term   := "delay:" time | "jitter:" time | "loss:" number "%" | "rate:" rate | "burst:" size
 * time   := number ("ns" | "us" | "ms" | "s")
 * rate   := number ("bps" | "kbit" | "mbit" | "gbit")      decimal: 1 kbit = 1000 bit/s, as in tc
 * size   := number ("b" | "kb" | "mb")                      binary:  1 kb = 1024 bytes, as in tc
 * </pre>
 *
 * Example: {@code delay:20ms+jitter:5ms+rate:50mbit+burst:32kb}. {@link #toSpec()} writes the
 * canonical form and {@code parse(c.toSpec()).equals(c)} holds for every condition.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param delayNanos one-way delay added to every packet (or byte, in the user-space link), {@code
 *     >= 0}
 * @param jitterNanos the delay varies uniformly within {@code delay +- jitter}, {@code >= 0}; needs
 *     a delay
 * @param lossPercent packets dropped at random, 0..100; only the kernel path ({@code netem}) can do
 *     it
 * @param rateBitsPerSecond rate limit in bits per second, {@code 0} = unlimited
 * @param burstBytes token-bucket size in bytes, {@code 0} = {@link #effectiveBurstBytes()}; needs a
 *     rate
 */
public record NetworkCondition(
    long delayNanos,
    long jitterNanos,
    double lossPercent,
    long rateBitsPerSecond,
    long burstBytes) {

  /** No added delay, no loss, unlimited rate. */
  public static final NetworkCondition NONE = new NetworkCondition(0, 0, 0, 0, 0);

  private static final long NANOS_PER_MILLI = 1_000_000L;
  private static final String KEYS = "delay, jitter, loss, rate, burst";
  private static final String TIME_UNITS = "ns, us, ms, s";
  private static final String RATE_UNITS = "bps, kbit, mbit, gbit";
  private static final String SIZE_UNITS = "b, kb, mb";
  private static final String EXAMPLE = "delay:20ms+rate:50mbit";

  private static final Map<String, NetworkCondition> PRESETS = presets();

  /** Checks every component; see the record description for the valid ranges. */
  public NetworkCondition {
    checkNonNegative("delayNanos", delayNanos);
    checkNonNegative("jitterNanos", jitterNanos);
    checkNonNegative("rateBitsPerSecond", rateBitsPerSecond);
    checkNonNegative("burstBytes", burstBytes);
    if (!(lossPercent >= 0 && lossPercent <= 100)) {
      throw new IllegalArgumentException("lossPercent: " + lossPercent + " (expected: 0..100)");
    }
    if (jitterNanos > 0 && delayNanos == 0) {
      throw new IllegalArgumentException(
          "jitterNanos: "
              + jitterNanos
              + " needs a delay (jitter varies the delay around its mean; expected: delayNanos > 0)");
    }
    if (burstBytes > 0 && rateBitsPerSecond == 0) {
      throw new IllegalArgumentException(
          "burstBytes: "
              + burstBytes
              + " needs a rate (a burst is the token-bucket size of a rate limit; expected: rateBitsPerSecond > 0)");
    }
  }

  private static void checkNonNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
    }
  }

  private static Map<String, NetworkCondition> presets() {
    Map<String, NetworkCondition> map = new LinkedHashMap<>();
    map.put("none", NONE);
    // Values are documented in docs/NETEM.md; keep the two in step.
    map.put("lan", new NetworkCondition(200_000L, 0, 0, 1_000_000_000L, 0));
    map.put(
        "wifi", new NetworkCondition(5 * NANOS_PER_MILLI, 2 * NANOS_PER_MILLI, 0, 50_000_000L, 0));
    map.put(
        "4g", new NetworkCondition(30 * NANOS_PER_MILLI, 5 * NANOS_PER_MILLI, 0, 20_000_000L, 0));
    map.put(
        "3g", new NetworkCondition(100 * NANOS_PER_MILLI, 20 * NANOS_PER_MILLI, 0, 2_000_000L, 0));
    map.put("pi-link", new NetworkCondition(200 * NANOS_PER_MILLI, 0, 0, 5_000_000L, 0));
    return Collections.unmodifiableMap(map);
  }

  /** The preset names in a stable order, {@code none} first. */
  public static List<String> presetNames() {
    return List.copyOf(PRESETS.keySet());
  }

  /**
   * The named preset.
   *
   * @throws IllegalArgumentException naming the unknown preset and listing the valid ones
   */
  public static NetworkCondition preset(String name) {
    NetworkCondition condition = PRESETS.get(name.toLowerCase(Locale.ROOT));
    if (condition == null) {
      throw new IllegalArgumentException(
          "unknown network preset '"
              + name
              + "': valid presets are "
              + String.join(", ", PRESETS.keySet()));
    }
    return condition;
  }

  /** A condition with only a one-way delay. */
  public static NetworkCondition ofDelayMillis(long delayMillis) {
    return new NetworkCondition(Math.multiplyExact(delayMillis, NANOS_PER_MILLI), 0, 0, 0, 0);
  }

  /** A condition with only a rate limit. */
  public static NetworkCondition ofRateBitsPerSecond(long rateBitsPerSecond) {
    return new NetworkCondition(0, 0, 0, rateBitsPerSecond, 0);
  }

  /** The one-way delay in whole milliseconds (truncated). */
  public long delayMillis() {
    return delayNanos / NANOS_PER_MILLI;
  }

  /** True when this condition changes nothing. */
  public boolean isNone() {
    return equals(NONE);
  }

  /**
   * True when a delay, jitter or loss is asked for: the kernel needs the {@code netem} qdisc for
   * these.
   */
  public boolean needsNetem() {
    return delayNanos > 0 || jitterNanos > 0 || lossPercent > 0;
  }

  /**
   * The requests per second this link's rate carries of {@code bytesPerRequest}: an upper bound on
   * what a pipeline over it sustains, since framing, TCP/IP headers and the answer's way back only
   * lower it.
   *
   * @return {@code rate / (bytes x 8)}, or {@code Double.POSITIVE_INFINITY} when there is no rate
   *     limit or {@code bytesPerRequest <= 0}
   */
  public double requestsPerSecond(long bytesPerRequest) {
    if (rateBitsPerSecond <= 0 || bytesPerRequest <= 0) {
      return Double.POSITIVE_INFINITY;
    }
    return rateBitsPerSecond / (bytesPerRequest * 8.0);
  }

  /** True when a rate limit is asked for. */
  public boolean hasRateLimit() {
    return rateBitsPerSecond > 0;
  }

  /**
   * The token-bucket size the shapers use: {@link #burstBytes()} when set, else the bytes sent in 5
   * ms at the rate, at least 32 KiB (large enough for one 64 KiB-segmented TSO burst to pass after
   * a pause at 50 Mbit/s and above without dominating the transfer time: 32 KiB at 50 Mbit/s is 5.2
   * ms). {@code 0} when there is no rate limit.
   */
  public long effectiveBurstBytes() {
    if (rateBitsPerSecond == 0) {
      return 0;
    }
    if (burstBytes > 0) {
      return burstBytes;
    }
    long fiveMillisBytes = rateBitsPerSecond / 8 / 200;
    return Math.max(32 * 1024L, fiveMillisBytes);
  }

  /**
   * Parses {@code none}, a preset name, or a spec such as {@code delay:20ms+rate:50mbit} (grammar
   * in the class description). Case-insensitive; surrounding blanks are ignored.
   *
   * @throws IllegalArgumentException naming the bad token and what is valid
   */
  public static NetworkCondition parse(String spec) {
    if (spec == null) {
      throw new IllegalArgumentException("link spec is null: " + validForms());
    }
    String text = spec.trim().toLowerCase(Locale.ROOT);
    if (text.isEmpty()) {
      throw new IllegalArgumentException("link spec is empty: " + validForms());
    }
    NetworkCondition preset = PRESETS.get(text);
    if (preset != null) {
      return preset;
    }
    if (text.indexOf(',') >= 0) {
      throw new IllegalArgumentException(
          "bad link spec '"
              + spec
              + "': commas are not allowed (JMH splits"
              + " parameter values on commas); join terms with '+': "
              + validForms());
    }
    if (text.indexOf(':') < 0) {
      throw new IllegalArgumentException("unknown link spec '" + spec + "': " + validForms());
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
                + spec
                + "': token '"
                + token
                + "' is not key:value; "
                + validForms());
      }
      String key = token.substring(0, colon).trim();
      String value = token.substring(colon + 1).trim();
      if (seen.contains(key)) {
        throw new IllegalArgumentException(
            "bad link spec '"
                + spec
                + "': key '"
                + key
                + "' appears twice; give each of "
                + KEYS
                + " at most once");
      }
      seen.add(key);
      switch (key) {
        case "delay" -> delay = parseTimeNanos(spec, token, value);
        case "jitter" -> jitter = parseTimeNanos(spec, token, value);
        case "loss" -> loss = parseLossPercent(spec, token, value);
        case "rate" -> rate = parseRate(spec, token, value);
        case "burst" -> burst = parseSize(spec, token, value);
        default ->
            throw new IllegalArgumentException(
                "bad link spec '"
                    + spec
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
    try {
      return new NetworkCondition(delay, jitter, loss, rate, burst);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad link spec '" + spec + "': " + e.getMessage(), e);
    }
  }

  private static String validForms() {
    return "valid forms are 'none', a preset ("
        + String.join(", ", PRESETS.keySet())
        + ") or terms "
        + KEYS
        + " joined by '+', e.g. "
        + EXAMPLE;
  }

  private static long parseTimeNanos(String spec, String token, String value) {
    String[][] units = {{"ns", "1"}, {"us", "1000"}, {"ms", "1000000"}, {"s", "1000000000"}};
    return scaled(spec, token, value, units, TIME_UNITS, "time");
  }

  private static long parseRate(String spec, String token, String value) {
    String[][] units = {
      {"bps", "1"}, {"kbit", "1000"}, {"mbit", "1000000"}, {"gbit", "1000000000"}
    };
    return scaled(spec, token, value, units, RATE_UNITS, "rate");
  }

  private static long parseSize(String spec, String token, String value) {
    String[][] units = {{"kb", "1024"}, {"mb", "1048576"}, {"b", "1"}};
    return scaled(spec, token, value, units, SIZE_UNITS, "size");
  }

  private static long scaled(
      String spec, String token, String value, String[][] units, String unitList, String what) {
    int split = 0;
    while (split < value.length()
        && (Character.isDigit(value.charAt(split)) || value.charAt(split) == '.')) {
      split++;
    }
    String number = value.substring(0, split);
    String unit = value.substring(split);
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
        BigDecimal result;
        try {
          result = new BigDecimal(number).multiply(new BigDecimal(candidate[1]));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "bad link spec '"
                  + spec
                  + "': token '"
                  + token
                  + "' has a malformed number '"
                  + number
                  + "'",
              e);
        }
        if (result.stripTrailingZeros().scale() > 0) {
          throw new IllegalArgumentException(
              "bad link spec '"
                  + spec
                  + "': token '"
                  + token
                  + "' is finer than 1 "
                  + units[0][0]
                  + "; use a smaller unit ("
                  + unitList
                  + ")");
        }
        try {
          return result.longValueExact();
        } catch (ArithmeticException e) {
          throw new IllegalArgumentException(
              "bad link spec '" + spec + "': token '" + token + "' is too large", e);
        }
      }
    }
    String shown = unit.isEmpty() ? "no unit" : "unknown unit '" + unit + "'";
    throw new IllegalArgumentException(
        "bad link spec '"
            + spec
            + "': token '"
            + token
            + "' has "
            + shown
            + "; valid "
            + what
            + " units are "
            + unitList);
  }

  private static double parseLossPercent(String spec, String token, String value) {
    if (!value.endsWith("%")) {
      throw new IllegalArgumentException(
          "bad link spec '" + spec + "': token '" + token + "' needs a percent sign, e.g. loss:1%");
    }
    String number = value.substring(0, value.length() - 1);
    if (!number.matches("[0-9]+(\\.[0-9]+)?")) {
      throw new IllegalArgumentException(
          "bad link spec '"
              + spec
              + "': token '"
              + token
              + "' has a malformed percentage '"
              + number
              + "'; expected e.g. loss:0.5%");
    }
    double loss = Double.parseDouble(number);
    if (loss > 100) {
      throw new IllegalArgumentException(
          "bad link spec '"
              + spec
              + "': token '"
              + token
              + "' is above 100%; valid loss is 0..100%");
    }
    return loss;
  }

  /**
   * The canonical spec: {@code none}, or the non-zero terms in the order delay, jitter, loss, rate,
   * burst, each in the largest unit that represents it exactly (e.g. {@code
   * delay:200ms+rate:5mbit}).
   */
  public String toSpec() {
    if (isNone()) {
      return "none";
    }
    List<String> terms = new ArrayList<>();
    if (delayNanos > 0) {
      terms.add(
          "delay:"
              + exact(
                  delayNanos,
                  new String[] {"s", "ms", "us", "ns"},
                  new long[] {1_000_000_000L, 1_000_000L, 1000L, 1L}));
    }
    if (jitterNanos > 0) {
      terms.add(
          "jitter:"
              + exact(
                  jitterNanos,
                  new String[] {"s", "ms", "us", "ns"},
                  new long[] {1_000_000_000L, 1_000_000L, 1000L, 1L}));
    }
    if (lossPercent > 0) {
      terms.add(
          "loss:" + BigDecimal.valueOf(lossPercent).stripTrailingZeros().toPlainString() + "%");
    }
    if (rateBitsPerSecond > 0) {
      terms.add(
          "rate:"
              + exact(
                  rateBitsPerSecond,
                  new String[] {"gbit", "mbit", "kbit", "bps"},
                  new long[] {1_000_000_000L, 1_000_000L, 1000L, 1L}));
    }
    if (burstBytes > 0) {
      terms.add(
          "burst:"
              + exact(
                  burstBytes, new String[] {"mb", "kb", "b"}, new long[] {1_048_576L, 1024L, 1L}));
    }
    return String.join("+", terms);
  }

  private static String exact(long value, String[] units, long[] factors) {
    for (int i = 0; i < units.length; i++) {
      if (value % factors[i] == 0) {
        return (value / factors[i]) + units[i];
      }
    }
    throw new AssertionError("the last factor is 1");
  }

  /** The canonical spec, see {@link #toSpec()}. */
  @Override
  public String toString() {
    return toSpec();
  }
}
