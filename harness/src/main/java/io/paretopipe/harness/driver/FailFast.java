package io.paretopipe.harness.driver;

/**
 * When an open-loop probe of {@code plannedQueries} scheduled requests is certain to fail its
 * {@link LatencySlo}, so that it can stop early without changing its verdict ({@link
 * OpenLoopDriver#run(java.time.Duration, long, LatencySlo)}).
 *
 * <p>A request is <em>certainly over the bound</em> once it completed over the bound, was dropped,
 * or has been unanswered for longer than the bound measured from its intended release time (it can
 * no longer complete within it). The count of such requests can only grow, so it is a lower bound
 * of the count {@link ServerVerdict} will see after the last of the {@code N = plannedQueries}
 * requests. {@link ServerVerdict} finds:
 *
 * <ul>
 *   <li>{@code slo_met} iff {@code over <= N - rank}, {@code rank = ceil(percentile / 100 x N)}
 *       (the nearest-rank percentile is within the bound iff at least {@code rank} of the {@code N}
 *       requests are): {@link #sloLimit()};
 *   <li>{@code early_stopping_met} iff {@code N >= EarlyStopping.minQueries(over)}, which is
 *       non-decreasing in {@code over}: true for {@code over <= }{@link #earlyStoppingLimit()} and
 *       false above it;
 *   <li>{@code decided_by_drops} only when the over-bound requests that were not dropped are at
 *       most {@code min(sloLimit, earlyStoppingLimit)}.
 * </ul>
 *
 * A probe is {@linkplain #certain certain to fail} once {@code over > max(sloLimit,
 * earlyStoppingLimit)} and the non-dropped over-bound requests are {@code > min(sloLimit,
 * earlyStoppingLimit)}: then {@code slo_met}, {@code early_stopping_met}, {@code passes} and {@code
 * decided_by_drops} are false whatever the remaining requests do, exactly what the full probe would
 * have been given. (Early stopping alone is usually settled sooner, at p99 and {@code N = 662} with
 * 2 over against 7 for the SLO; stopping there would leave {@code slo_met} unknown.)
 *
 * @param plannedQueries the requests the full probe schedules, fixed before it starts ({@link
 *     OpenLoopDriver#plannedQueries}), >= 0
 */
public record FailFast(LatencySlo slo, long plannedQueries) {

  public FailFast {
    java.util.Objects.requireNonNull(slo, "slo");
    if (plannedQueries < 0) {
      throw new IllegalArgumentException("plannedQueries: " + plannedQueries + " (expected: >= 0)");
    }
  }

  /** The most requests over the bound with which {@code slo_met} holds ({@code -1}: none). */
  public long sloLimit() {
    if (plannedQueries == 0) {
      return 0;
    }
    return plannedQueries - OpenLoopResult.percentileRank(slo.percentile(), plannedQueries);
  }

  /**
   * The most requests over the bound with which early stopping is met over {@code plannedQueries}
   * ({@code -1}: not even with none).
   */
  public long earlyStoppingLimit() {
    double f = slo.fraction();
    if (!EarlyStopping.met(plannedQueries, 0, f)) {
      return -1;
    }
    long lo = 0;
    long hi = plannedQueries + 1;
    while (hi - lo > 1) {
      long mid = (lo + hi) >>> 1;
      if (EarlyStopping.met(plannedQueries, mid, f)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * The least number of requests certainly over the bound at which the probe stops (with at least
   * {@link #leastNotDropped()} of them not dropped); {@code Long.MAX_VALUE} for an empty probe.
   */
  public long leastOver() {
    if (plannedQueries == 0) {
      return Long.MAX_VALUE;
    }
    return Math.max(sloLimit(), earlyStoppingLimit()) + 1;
  }

  /** The least number of non-dropped requests certainly over the bound at which it stops. */
  public long leastNotDropped() {
    return Math.min(sloLimit(), earlyStoppingLimit()) + 1;
  }

  /**
   * Whether the probe can no longer pass, and every flag of its verdict is settled.
   *
   * @param over requests certainly over the bound, drops included
   * @param overNotDropped those of them that were released
   */
  public boolean certain(long over, long overNotDropped) {
    return over >= leastOver() && overNotDropped >= leastNotDropped();
  }
}
