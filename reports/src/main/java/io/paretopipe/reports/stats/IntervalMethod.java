package io.paretopipe.reports.stats;

import java.util.Locale;

/** Where a mean interval takes its variance from ({@code pareto}/{@code compare --intervals}). */
public enum IntervalMethod {
  /**
   * The point's own units, moderated with the variance of the other points measured alike ({@link
   * VarianceModeration}); the default.
   */
  MODERATED,
  /** The point's own units only: Student's t with k - 1 degrees of freedom. */
  OWN;

  /** What {@link #parse} accepts. */
  public static final String NAMES = "moderated, own";

  /** The name on the command line and in {@code frontier.json} ({@code intervals}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException naming the valid methods
   */
  public static IntervalMethod parse(String text) {
    for (IntervalMethod m : values()) {
      if (m.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "--intervals '" + text + "' is unknown: valid methods are " + NAMES);
  }
}
