package io.paretopipe.reports.compare;

/** The outcome for one result. */
public enum Verdict {
  /** Worse beyond the threshold and statistically significant. */
  REGRESSION,
  /** Better beyond the threshold and statistically significant. */
  IMPROVEMENT,
  /** Not significant after Holm's correction, or within the threshold. */
  NO_CHANGE,
  /**
   * Too few samples (fewer than 2 iterations or passes per side: the variance between them is
   * unknown), unknown values, or a unit without a direction.
   */
  INCONCLUSIVE,
  /** In the baseline only. */
  MISSING,
  /** In the current run only. */
  NEW
}
