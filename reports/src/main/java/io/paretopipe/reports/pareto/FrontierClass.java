package io.paretopipe.reports.pareto;

/**
 * How sure the frontier is about one split (docs/REPORTS.md, "Frontier with confidence"), from its
 * bootstrap probability {@code P} of being on its group's frontier.
 */
public enum FrontierClass {
  /** On the frontier beyond reasonable doubt: {@code P >= 0.95}. */
  FRONTIER("frontier"),
  /** Neither: it may or may not be on the frontier. */
  POSSIBLE("possible"),
  /**
   * Dominated beyond doubt: {@code P <= 0.05} and one other split dominates it in at least {@code 1
   * - 0.05 / (m (m - 1))} of the resamples: Bonferroni over every ordered pair of the group's m
   * splits, so that in a group where no split is better than another, the chance that any is called
   * dominated is at most 5% even when latency and throughput move together.
   */
  DOMINATED("dominated");

  private final String label;

  FrontierClass(String label) {
    this.label = label;
  }

  /**
   * @return the column value, e.g. {@code frontier}
   */
  public String label() {
    return label;
  }
}
