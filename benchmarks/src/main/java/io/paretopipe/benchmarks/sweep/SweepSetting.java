package io.paretopipe.benchmarks.sweep;

import java.time.Duration;
import java.util.Locale;

/**
 * How the sweep measures: what one pass does per point, how many passes, within what budget.
 *
 * <ul>
 *   <li>{@link #QUICK} (the default of {@code mvn -Pbench verify}): in the sweep's own JVM, each
 *       pass warms a point up with 3 requests and measures it for one 1 s iteration per method;
 *       passes repeat, adaptively, until every point stopped or the 9-minute budget is spent. Sized
 *       so {@code mvn -Pbench verify} (mobilenetv2, 20 splits x nio, grpc, local) stays within 15
 *       minutes on the 2-core machine, build, unit profiles and report included.
 *   <li>{@link #CONFIDENT}: the same passes, 2 s iterations, a 28-minute budget: one model x one
 *       link x every split of the default transports in at most 30 minutes (docs/BENCHMARKS.md says
 *       what confidence it reaches).
 *   <li>{@link #FULL}: one pass of 3 forks x (3 x 5 s warm-up, 5 x 5 s measurement) per point, no
 *       budget: JMH's classic setting, about 4.5 minutes per point.
 * </ul>
 *
 * @param name what {@link #parse} accepts
 * @param forks JMH forks per trial (0 = in the sweep's JVM)
 * @param warmupRequests requests each trial sends before JMH's iterations, discarded ({@code
 *     PartitionBenchmark.WARMUP_REQUESTS_PROPERTY})
 * @param warmupIterations JMH warm-up iterations per fork
 * @param warmupTime length of each warm-up iteration
 * @param measurementIterations measured iterations per fork and pass
 * @param measurementTime length of each measured iteration
 * @param budget wall time for unit profiles and passes (the final report comes after), null = none
 * @param maxPasses passes at most; 0 = as many as the budget allows
 * @param adaptive whether points stop between passes when the report says they are dominated or
 *     converged ({@link StoppingRule})
 */
public record SweepSetting(
    String name,
    int forks,
    int warmupRequests,
    int warmupIterations,
    Duration warmupTime,
    int measurementIterations,
    Duration measurementTime,
    Duration budget,
    int maxPasses,
    boolean adaptive) {

  public static final SweepSetting QUICK =
      new SweepSetting(
          "quick",
          0,
          3,
          0,
          Duration.ZERO,
          1,
          Duration.ofSeconds(1),
          Duration.ofMinutes(9),
          0,
          true);

  public static final SweepSetting CONFIDENT =
      new SweepSetting(
          "confident",
          0,
          3,
          0,
          Duration.ZERO,
          1,
          Duration.ofSeconds(2),
          Duration.ofMinutes(28),
          0,
          true);

  public static final SweepSetting FULL =
      new SweepSetting(
          "full", 3, 0, 3, Duration.ofSeconds(5), 5, Duration.ofSeconds(5), null, 1, false);

  /** The names {@link #parse} accepts. */
  public static final String NAMES = "quick, confident, full";

  public SweepSetting {
    if (forks < 0) {
      throw new IllegalArgumentException("forks: " + forks + " (expected: >= 0)");
    }
    if (warmupRequests < 0 || warmupIterations < 0 || measurementIterations < 1) {
      throw new IllegalArgumentException(
          "warm-up requests "
              + warmupRequests
              + ", warm-up iterations "
              + warmupIterations
              + ", measurement iterations "
              + measurementIterations
              + " (expected: >= 0, >= 0, >= 1)");
    }
    if (budget != null && (budget.isNegative() || budget.isZero())) {
      throw new IllegalArgumentException("budget: " + budget + " (expected: > 0, or none)");
    }
    if (maxPasses < 0) {
      throw new IllegalArgumentException("maxPasses: " + maxPasses + " (expected: >= 0)");
    }
  }

  /**
   * {@code quick}, {@code confident} or {@code full} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the valid settings
   */
  public static SweepSetting parse(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "quick" -> QUICK;
      case "confident" -> CONFIDENT;
      case "full" -> FULL;
      default ->
          throw new IllegalArgumentException(
              "setting '" + name + "' is unknown: valid settings are " + NAMES);
    };
  }

  /** This setting with another fork count (>= 0). */
  public SweepSetting withForks(int newForks) {
    return new SweepSetting(
        name,
        newForks,
        warmupRequests,
        warmupIterations,
        warmupTime,
        measurementIterations,
        measurementTime,
        budget,
        maxPasses,
        adaptive);
  }

  /** This setting with another pass limit (0 = as many as the budget allows). */
  public SweepSetting withMaxPasses(int newMaxPasses) {
    return new SweepSetting(
        name,
        forks,
        warmupRequests,
        warmupIterations,
        warmupTime,
        measurementIterations,
        measurementTime,
        budget,
        newMaxPasses,
        adaptive);
  }

  /** This setting with another budget (null = none). */
  public SweepSetting withBudget(Duration newBudget) {
    return new SweepSetting(
        name,
        forks,
        warmupRequests,
        warmupIterations,
        warmupTime,
        measurementIterations,
        measurementTime,
        newBudget,
        maxPasses,
        adaptive);
  }

  /**
   * The first pass after which the report can support a decision: a point needs two replication
   * units for an interval, i.e. two passes when a pass measures one iteration.
   */
  public int firstDecisionPass() {
    return measurementIterations * Math.max(1, forks) >= 2 ? 1 : 2;
  }

  /**
   * Parses a budget: {@code none}, or a duration such as {@code 9m}, {@code 90s}, {@code 1h30m},
   * {@code 12m30s}.
   *
   * @return null for {@code none}
   * @throws IllegalArgumentException naming the value and the valid forms
   */
  public static Duration parseBudget(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("none")) {
      return null;
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?").matcher(t);
    if (t.isEmpty() || !m.matches()) {
      throw new IllegalArgumentException(
          "budget '" + text + "' (expected: none, or a duration such as 9m, 90s, 1h30m)");
    }
    Duration d = Duration.ZERO;
    if (m.group(1) != null) {
      d = d.plusHours(Long.parseLong(m.group(1)));
    }
    if (m.group(2) != null) {
      d = d.plusMinutes(Long.parseLong(m.group(2)));
    }
    if (m.group(3) != null) {
      d = d.plusSeconds(Long.parseLong(m.group(3)));
    }
    if (d.isZero()) {
      throw new IllegalArgumentException("budget '" + text + "' (expected: > 0, or none)");
    }
    return d;
  }

  /**
   * {@code 1 x 1 s}, {@code 3 requests}, {@code 3 requests + 2 x 500 ms}: for logs and metadata.
   */
  static String describe(int requests, int iterations, Duration time) {
    String timed =
        iterations
            + " x "
            + (time.toMillis() % 1000 == 0 ? time.toSeconds() + " s" : time.toMillis() + " ms");
    if (requests == 0) {
      return timed;
    }
    return requests + " requests" + (iterations == 0 ? "" : " + " + timed);
  }
}
