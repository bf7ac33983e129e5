package io.paretopipe.benchmarks.sweep;

import io.paretopipe.benchmarks.sweep.FrontierVerdicts.Verdict;
import java.util.Locale;
import java.util.Optional;

/**
 * When a point stops being measured. Between passes the sweep runs the post-processor on what it
 * has and reads each point's verdict; a point stops when it is {@code dominated} (its probability
 * of being on the frontier is at most 0.05: more passes would refine a number nobody needs) or
 * {@code converged} (its mean latency and throughput intervals are as tight as the report asks:
 * more passes would not change the answer). Every other point goes on, round-robin, until the
 * budget is spent. Decisions start after {@link SweepSetting#firstDecisionPass()}: before that a
 * point has a single replication unit and no interval. Stateless.
 */
final class StoppingRule {

  /** Why a point's measurement ended (run-metadata.json {@code point_status[].stopped}). */
  enum StopReason {
    /** the report found its intervals tight enough */
    CONVERGED,
    /** dominated beyond doubt ({@code frontier_class} {@code dominated}) */
    DOMINATED,
    /** still undecided when the budget was spent */
    BUDGET,
    /** the setting's fixed number of passes was done (a setting without adaptivity, e.g. full) */
    PASSES,
    /** its trials failed in two passes in a row */
    FAILED;

    /** The name in run-metadata.json and on the console. */
    String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static StopReason parse(String label) {
      return valueOf(label.toUpperCase(Locale.ROOT));
    }
  }

  /** The {@code frontier_class} that stops a point. */
  static final String DOMINATED_CLASS = "dominated";

  private StoppingRule() {}

  /**
   * @param verdict the point's verdict in the last report, null when it had none
   * @return why the point stops now, or empty when it goes on
   */
  static Optional<StopReason> decide(Verdict verdict) {
    if (verdict == null) {
      return Optional.empty();
    }
    if (DOMINATED_CLASS.equals(verdict.frontierClass())) {
      return Optional.of(StopReason.DOMINATED);
    }
    if (Boolean.TRUE.equals(verdict.converged())) {
      return Optional.of(StopReason.CONVERGED);
    }
    return Optional.empty();
  }
}
