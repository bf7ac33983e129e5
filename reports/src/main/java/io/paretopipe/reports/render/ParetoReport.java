package io.paretopipe.reports.render;

import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.pareto.Frontier;
import io.paretopipe.reports.pareto.LatencyStatistic;

/**
 * What the {@code pareto} renderers draw: a run and its frontier. Immutable.
 *
 * @param run the points
 * @param frontier the frontier per group
 * @param latency the latency statistic the frontier's latency objective uses
 */
public record ParetoReport(Run run, Frontier frontier, LatencyStatistic latency) {}
