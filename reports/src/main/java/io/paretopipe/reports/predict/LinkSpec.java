package io.paretopipe.reports.predict;

import io.paretopipe.format.NetworkCondition;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * A link condition as the benchmarks name it in their {@code link} param, read for prediction: the
 * {@link NetworkCondition} (grammar and presets shared with netem through the {@code format}
 * module) and the label it was given by, plus the wire-time arithmetic the prediction needs. Every
 * value applies <em>per direction</em> ({@code delay:50ms} adds 50 ms each way).
 *
 * <p>Immutable and thread-safe.
 *
 * @param label the spec as given (trimmed), e.g. {@code pi-link} or {@code delay:20ms+rate:50mbit}
 * @param condition the parsed condition; jitter does not change the mean delay and loss is not
 *     modelled (the model assumes no retransmissions)
 */
public record LinkSpec(String label, NetworkCondition condition) {

  public LinkSpec {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(condition, "condition");
  }

  /**
   * A link with only a delay and a rate, as the bandwidth sweep uses.
   *
   * @param delayNanos one-way delay
   * @param rateBitsPerSecond rate, {@code 0} = unlimited
   * @return the link, labelled in the spec form
   */
  public static LinkSpec of(long delayNanos, long rateBitsPerSecond) {
    NetworkCondition c = new NetworkCondition(delayNanos, 0, 0, rateBitsPerSecond, 0);
    return new LinkSpec(c.toSpec(), c);
  }

  /**
   * Parses {@code none}, a preset, or a spec such as {@code delay:20ms+rate:50mbit} ({@link
   * NetworkCondition#parse}); case-insensitive.
   *
   * @param spec the text
   * @return the link, labelled with the trimmed text
   * @throws IllegalArgumentException naming the bad token and what is valid
   */
  public static LinkSpec parse(String spec) {
    NetworkCondition condition = NetworkCondition.parse(spec);
    return new LinkSpec(spec.trim(), condition);
  }

  /** One-way delay, ns. */
  public long delayNanos() {
    return condition.delayNanos();
  }

  /** Delay variation around the mean, ns (does not change the mean, so the model ignores it). */
  public long jitterNanos() {
    return condition.jitterNanos();
  }

  /** Packet loss 0..100 (not modelled: the model assumes no retransmissions). */
  public double lossPercent() {
    return condition.lossPercent();
  }

  /** Rate limit per direction, bits per second, {@code 0} = unlimited. */
  public long rateBitsPerSecond() {
    return condition.rateBitsPerSecond();
  }

  /**
   * The token-bucket size the shapers use (netem's rule): the burst when set, else the bytes sent
   * in 5 ms at the rate, at least 32 KiB; {@code 0} without a rate limit.
   */
  public long effectiveBurstBytes() {
    return condition.effectiveBurstBytes();
  }

  /**
   * @return true when the rate is not limited (a loopback or delay-only link)
   */
  public boolean unlimitedRate() {
    return rateBitsPerSecond() == 0;
  }

  /**
   * @return the one-way delay in milliseconds
   */
  public double delayMs() {
    return delayNanos() / 1e6;
  }

  /**
   * @param bytes bytes sent in one direction
   * @return the time to push them through the rate limit in steady state ({@code bytes * 8 /
   *     rate}), in ms; 0 when the rate is unlimited
   */
  public double transferMs(long bytes) {
    return rateBitsPerSecond() == 0 ? 0 : bytes * 8e3 / rateBitsPerSecond();
  }

  /**
   * @param bytes bytes of one message sent after the link was idle long enough to refill its token
   *     bucket
   * @return the time until the last byte passes the shaper, in ms: the first {@link
   *     #effectiveBurstBytes()} pass at once, the rest at the rate; 0 when the rate is unlimited
   */
  public double transferAfterIdleMs(long bytes) {
    return rateBitsPerSecond() == 0
        ? 0
        : Math.max(0, bytes - effectiveBurstBytes()) * 8e3 / rateBitsPerSecond();
  }

  /**
   * @return e.g. {@code 5 Mbit/s}, {@code 1 Gbit/s}, {@code 1.5 kbit/s}, or {@code unlimited}
   */
  public String rateText() {
    return rateText(rateBitsPerSecond());
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
