package io.paretopipe.reports.pareto;

import java.util.List;

/**
 * How sure the frontier is about one point. Immutable.
 *
 * @param probability the share of bootstrap resamples in which the point is on its group's frontier
 *     (0..1), NaN when an objective of the point is unknown
 * @param frontierClass its class, null when an objective is unknown
 * @param indistinguishable the splits of its group it cannot be told apart from (on no objective is
 *     either better in 97.5% or more of the resamples), in split order
 * @param note why the class is what it is when that is not the probability alone (e.g. a single
 *     iteration), {@code ""} otherwise
 */
public record PointConfidence(
    double probability, FrontierClass frontierClass, List<String> indistinguishable, String note) {

  /** Nothing known (the point was not part of a probabilistic frontier). */
  public static final PointConfidence UNKNOWN =
      new PointConfidence(Double.NaN, null, List.of(), "");

  public PointConfidence {
    indistinguishable = List.copyOf(indistinguishable);
  }
}
