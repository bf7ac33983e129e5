package io.paretopipe.reports.compare;

/** The outcome for one result. */
public enum Verdict {
  /** Worse beyond the threshold and statistically significant. */
  REGRESSION,
  /** Better beyond the threshold and statistically significant. */
  IMPROVEMENT,
  /** Not significant, or within the threshold. */
  NO_CHANGE,
  /** Too few samples (fewer than 2 per side), unknown values, or a unit without a direction. */
  INCONCLUSIVE,
  /** In the baseline only. */
  MISSING,
  /** In the current run only. */
  NEW
}
