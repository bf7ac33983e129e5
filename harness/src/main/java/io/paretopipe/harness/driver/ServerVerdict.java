package io.paretopipe.harness.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Locale;

/**
 * Whether one open-loop run meets a {@link LatencySlo}, with MLPerf's validity flags: the SLO's
 * percentile (drops counted as infinitely late) within the bound; the early-stopping bound ({@link
 * EarlyStopping}: enough within-bound queries for the over-bound ones seen); the schedule at least
 * {@code minDuration} long ({@link OpenLoopResult#spanNanos()}); at least {@code minQueries}
 * scheduled. A rate <em>passes</em> when the SLO and early stopping are met (the statistical claim
 * holds); it is <em>valid</em> when, in addition, the minimum duration and query count are met, as
 * LoadGen prints VALID.
 *
 * <p>A rate above a known capacity of the pipeline ({@code capacityPerSecond}: what an emulated
 * link's rate carries of one request's bytes) cannot be sustained, however a probe of a few seconds
 * fared: its queue grows for as long as the load lasts, and a short probe ends before the backlog
 * reaches the bound. Such a rate never passes ({@link #withinCapacity()}).
 *
 * <p>A result that {@linkplain OpenLoopResult#stoppedEarly() stopped early} ({@link FailFast}) is
 * judged as the full probe it was planned to be: over its planned request count and span, with the
 * requests certainly over the bound at the stop ({@link OpenLoopResult.Stop#overBound()}); the
 * flags are then those the full probe would have had ({@code passes}, {@code slo_met}, {@code
 * early_stopping_met} and {@code decided_by_drops} false), while {@code percentileNanos} is over
 * what was scheduled until the stop (partial).
 *
 * @param percentileNanos the SLO's percentile, {@link Long#MAX_VALUE} if it falls among drops
 * @param overBound scheduled requests later than the bound, drops included (of a stopped result:
 *     those certainly over it at the stop)
 * @param earlyStoppingQueries queries early stopping needs with {@code overBound} over the bound
 */
public record ServerVerdict(
    LatencySlo slo,
    OpenLoopResult result,
    long percentileNanos,
    long overBound,
    long earlyStoppingQueries,
    Duration minDuration,
    long minQueries,
    double capacityPerSecond) {

  /**
   * Judges {@code result} against {@code slo}, with no known capacity.
   *
   * @throws IllegalArgumentException for a result stopped early under another SLO
   */
  public static ServerVerdict of(
      OpenLoopResult result, LatencySlo slo, Duration minDuration, long minQueries) {
    OpenLoopResult.Stop stop = result.stop();
    if (stop != null && !stop.rule().slo().equals(slo)) {
      throw new IllegalArgumentException(
          "a probe stopped early under " + stop.rule().slo() + " cannot be judged against " + slo);
    }
    long over = stop != null ? stop.overBound() : result.overBound(slo.boundNanos());
    return new ServerVerdict(
        slo,
        result,
        result.percentileNanosCountingDrops(slo.percentile()),
        over,
        EarlyStopping.minQueries(over, slo.fraction()),
        minDuration,
        minQueries,
        Double.POSITIVE_INFINITY);
  }

  /**
   * This verdict with a known capacity.
   *
   * @param perSecond requests per second the pipeline can carry at most (e.g. an emulated link's
   *     rate over one request's bytes, {@code NetworkCondition.requestsPerSecond}), > 0; {@code
   *     Double.POSITIVE_INFINITY} when unknown
   * @throws IllegalArgumentException for a capacity that is not > 0
   */
  public ServerVerdict withCapacity(double perSecond) {
    if (!(perSecond > 0)) {
      throw new IllegalArgumentException(
          "capacity "
              + perSecond
              + "/s (expected: requests per second > 0, or infinity if unknown)");
    }
    return new ServerVerdict(
        slo,
        result,
        percentileNanos,
        overBound,
        earlyStoppingQueries,
        minDuration,
        minQueries,
        perSecond);
  }

  /** The offered rate is at most the known capacity (always, when none is known). */
  public boolean withinCapacity() {
    return result.schedule().ratePerSecond() <= capacityPerSecond;
  }

  /**
   * Requests the probe schedules: those scheduled, or for a result stopped early those it was
   * planned to.
   */
  public long plannedQueries() {
    return result.stop() == null ? result.scheduled() : result.stop().rule().plannedQueries();
  }

  private long plannedSpanNanos() {
    return result.stop() == null ? result.spanNanos() : result.stop().plannedSpanNanos();
  }

  public boolean sloMet() {
    if (result.stop() != null) {
      long n = plannedQueries();
      return n == 0 || overBound <= n - OpenLoopResult.percentileRank(slo.percentile(), n);
    }
    return percentileNanos <= slo.boundNanos();
  }

  public boolean earlyStoppingMet() {
    return plannedQueries() >= earlyStoppingQueries;
  }

  public boolean minDurationMet() {
    return plannedSpanNanos() >= minDuration.toNanos();
  }

  public boolean minQueriesMet() {
    return plannedQueries() >= minQueries;
  }

  /** The SLO holds with early stopping's confidence, at a rate within the known capacity. */
  public boolean passes() {
    return sloMet() && earlyStoppingMet() && withinCapacity();
  }

  /** {@link #passes()} and the run was long enough. */
  public boolean valid() {
    return passes() && minDurationMet() && minQueriesMet();
  }

  /**
   * Whether the drops decided the verdict: the run fails, and it would pass had every dropped
   * request been answered within the bound (the other over-bound requests alone keep the SLO's
   * percentile and early stopping). Then the outstanding bound, not the pipeline's latency, is what
   * failed the rate.
   */
  public boolean decidedByDrops() {
    long dropped = result.dropped();
    if (passes() || dropped == 0 || !withinCapacity()) {
      return false;
    }
    long n = plannedQueries();
    long overWithoutDrops = overBound - dropped;
    boolean sloMetWithoutDrops =
        overWithoutDrops <= n - OpenLoopResult.percentileRank(slo.percentile(), n);
    return sloMetWithoutDrops && n >= EarlyStopping.minQueries(overWithoutDrops, slo.fraction());
  }

  public ObjectNode toJson() {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("slo", slo.toString());
    n.put("rate_per_s", result.schedule().ratePerSecond());
    if (percentileNanos == Long.MAX_VALUE) {
      n.putNull("percentile_ms");
    } else {
      n.put("percentile_ms", percentileNanos / 1e6);
    }
    n.put("over_bound", overBound);
    n.put("scheduled", result.scheduled());
    n.put("dropped", result.dropped());
    n.put("early_stopping_queries", earlyStoppingQueries);
    n.put("slo_met", sloMet());
    n.put("early_stopping_met", earlyStoppingMet());
    n.put("min_duration_met", minDurationMet());
    n.put("min_queries_met", minQueriesMet());
    if (Double.isInfinite(capacityPerSecond)) {
      n.putNull("capacity_per_s");
    } else {
      n.put("capacity_per_s", capacityPerSecond);
    }
    n.put("within_capacity", withinCapacity());
    n.put("passes", passes());
    n.put("valid", valid());
    n.put("decided_by_drops", decidedByDrops());
    result.putStop(n);
    return n;
  }

  public String toText() {
    String stopped =
        result.stop() == null
            ? ""
            : "; "
                + result.stopText()
                + ", percentiles partial (over the "
                + result.scheduled()
                + " scheduled)";
    return String.format(
            Locale.ROOT,
            "%.2f/s: %s %s ms (%s), %d of %d over the bound, %d dropped; early stopping needs %d (%s),"
                + " min duration %s, min queries %s%s -> %s",
            result.schedule().ratePerSecond(),
            slo,
            OpenLoopResult.ms(percentileNanos),
            sloMet() ? "met" : "MISSED",
            overBound,
            result.scheduled(),
            result.dropped(),
            earlyStoppingQueries,
            earlyStoppingMet() ? "met" : "NOT met",
            minDurationMet() ? "met" : "NOT met",
            minQueriesMet() ? "met" : "NOT met",
            withinCapacity()
                ? ""
                : String.format(
                    Locale.ROOT,
                    ", ABOVE the capacity of %.2f/s (not sustainable)",
                    capacityPerSecond),
            valid()
                ? "VALID"
                : passes()
                    ? "passes, INVALID (too short)"
                    : decidedByDrops() ? "FAILS (decided by the drops)" : "FAILS")
        + stopped;
  }
}
