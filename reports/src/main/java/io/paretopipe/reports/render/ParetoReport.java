package io.paretopipe.reports.render;

import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.pareto.Convergence;
import io.paretopipe.reports.pareto.Frontier;
import io.paretopipe.reports.pareto.LatencyStatistic;
import io.paretopipe.reports.predict.PredictedVsMeasured;
import java.util.Objects;

/**
 * What the {@code pareto} renderers draw: a run, its frontier and, when the run has unit profiles,
 * the prediction of every point. Immutable.
 *
 * @param run the points
 * @param frontier the frontier per group
 * @param latency the latency statistic the frontier's latency objective uses
 * @param prediction predicted next to measured ({@link PredictedVsMeasured#none()} without unit
 *     profiles)
 * @param convergence when a point's figures are tight enough
 */
public record ParetoReport(
    Run run,
    Frontier frontier,
    LatencyStatistic latency,
    PredictedVsMeasured prediction,
    Convergence convergence) {

  public ParetoReport {
    Objects.requireNonNull(prediction, "prediction");
    Objects.requireNonNull(convergence, "convergence");
  }

  /** A report with the default convergence settings. */
  public ParetoReport(
      Run run, Frontier frontier, LatencyStatistic latency, PredictedVsMeasured prediction) {
    this(run, frontier, latency, prediction, Convergence.DEFAULT);
  }

  /** A report without predictions. */
  public ParetoReport(Run run, Frontier frontier, LatencyStatistic latency) {
    this(run, frontier, latency, PredictedVsMeasured.none());
  }

  /**
   * @return the row of {@code p} for the column renderers
   */
  PointColumns.Row row(io.paretopipe.reports.model.Point p) {
    return new PointColumns.Row(
        p,
        frontier.contains(p),
        prediction.of(p).orElse(null),
        frontier.confidenceOf(p),
        convergence.converged(p),
        prediction.costs().of(p).orElse(null));
  }
}
