package io.paretopipe.harness.driver;

import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * When an open-loop load generator releases its requests: seeded Poisson arrivals (the MLPerf
 * Server scenario) or a constant rate (wrk2), at {@code ratePerSecond}. The times depend only on
 * the process, the rate and the seed, never on when results come back, so the same schedule can be
 * replayed against every split.
 *
 * <p>Poisson: gaps are exponential with mean {@code 1/rate}, drawn by inversion ({@code -ln(1-u) /
 * rate}) from a {@link SplittableRandom} seeded with {@code seed}; constant: request {@code i} is
 * due at {@code i/rate}. Offsets are accumulated in double nanoseconds and rounded once per
 * arrival, so they do not drift: at 12/s the 720th constant arrival is due at exactly 60 s. Worked
 * numbers: at 12/s the mean gap is 83.3 ms; over 720 Poisson arrivals the sample mean gap is within
 * 83.3 ms x 4 / sqrt(720) = 12.4 ms of it with probability 0.99994.
 *
 * <p>Immutable; {@link #arrivals()} hands out independent cursors.
 */
public final class ArrivalSchedule {

  /** How gaps between arrivals are drawn. */
  public enum Process {
    /** Exponential gaps: the Poisson process of MLPerf's Server scenario. */
    POISSON,
    /** Equal gaps of {@code 1/rate}: wrk2's constant throughput. */
    CONSTANT;

    /** The command-line spelling. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException naming the value and the valid ones
     */
    public static Process parse(String text) {
      String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
      for (Process p : values()) {
        if (p.label().equals(t)) {
          return p;
        }
      }
      throw new IllegalArgumentException(
          "arrival '" + text + "' is unknown: valid arrivals are poisson, constant");
    }
  }

  private static final double NANOS_PER_SECOND = 1e9;

  private final Process process;
  private final double ratePerSecond;
  private final long seed;

  private ArrivalSchedule(Process process, double ratePerSecond, long seed) {
    this.process = process;
    this.ratePerSecond = ratePerSecond;
    this.seed = seed;
  }

  /**
   * @param ratePerSecond requests per second, finite and > 0
   * @param seed the Poisson gaps' seed (ignored by {@link Process#CONSTANT})
   * @throws IllegalArgumentException for a rate that is not finite and positive
   */
  public static ArrivalSchedule of(Process process, double ratePerSecond, long seed) {
    java.util.Objects.requireNonNull(process, "process");
    checkRate(ratePerSecond);
    return new ArrivalSchedule(process, ratePerSecond, seed);
  }

  /**
   * @throws IllegalArgumentException unless {@code ratePerSecond} is finite and > 0
   */
  public static void checkRate(double ratePerSecond) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException(
          "rate: " + ratePerSecond + "/s (expected: a finite number of requests per second > 0)");
    }
  }

  /**
   * Parses a rate written {@code 12}, {@code 12/s}, {@code 0.5/s} or {@code 720/min}.
   *
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  public static double parseRate(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    double divisor = 1;
    if (t.endsWith("/s")) {
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("/min")) {
      t = t.substring(0, t.length() - 4);
      divisor = 60;
    }
    double rate;
    try {
      rate = Double.parseDouble(t.trim()) / divisor;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "rate '" + text + "' is not a rate: write requests per second as 12, 12/s or 720/min");
    }
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException(
          "rate '" + text + "' (expected: a finite number of requests per second > 0)");
    }
    return rate;
  }

  public Process process() {
    return process;
  }

  public double ratePerSecond() {
    return ratePerSecond;
  }

  public long seed() {
    return seed;
  }

  /** This schedule at another rate, same process and seed. */
  public ArrivalSchedule withRate(double rate) {
    return of(process, rate, seed);
  }

  /** A fresh cursor over the arrival offsets, starting at the first arrival. */
  public Arrivals arrivals() {
    return new Arrivals();
  }

  /** Every intended offset in nanoseconds strictly before {@code duration}, in order. */
  public long[] offsetsWithin(Duration duration) {
    long limit = duration.toNanos();
    Arrivals a = arrivals();
    long[] out = new long[16];
    int n = 0;
    while (a.peekNanos() < limit) {
      if (n == out.length) {
        out = java.util.Arrays.copyOf(out, n * 2);
      }
      out[n++] = a.nextNanos();
    }
    return java.util.Arrays.copyOf(out, n);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s %.6g/s seed %d", process.label(), ratePerSecond, seed);
  }

  /**
   * A cursor over the offsets (nanoseconds since the schedule's start) of successive arrivals; the
   * first arrival is due one gap after the start (constant: at {@code 0}). Not thread-safe.
   */
  public final class Arrivals {
    private final SplittableRandom random = new SplittableRandom(seed);
    private final double gapNanos = NANOS_PER_SECOND / ratePerSecond;
    private double nextExact;
    private long index;

    private Arrivals() {
      nextExact = process == Process.CONSTANT ? 0 : draw();
    }

    private double draw() {
      return -Math.log(1 - random.nextDouble()) * gapNanos;
    }

    /** The offset of the next arrival, without consuming it. */
    public long peekNanos() {
      return Math.round(nextExact);
    }

    /** The offset of the next arrival; advances the cursor. */
    public long nextNanos() {
      long now = peekNanos();
      index++;
      nextExact = process == Process.CONSTANT ? index * gapNanos : nextExact + draw();
      return now;
    }

    /** Arrivals consumed so far. */
    public long index() {
      return index;
    }
  }
}
