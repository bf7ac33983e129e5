/**
 * Regression verdicts between runs: per JMH result (benchmark method, mode and params except {@code
 * tail}, pooled over files and forks), the ratio of current to baseline with its confidence
 * interval, the direction from the unit, Welch's t-test on the logs of the per-iteration scores
 * with Holm's correction over all results, and a verdict that calls a regression only when it is
 * significant and beyond a threshold; how much of the baseline could be compared; plus whether each
 * group's set of frontier splits changed, and which settings of the runs' {@code run-metadata.json}
 * differ ({@link io.paretopipe.reports.compare.RunConfiguration}). A history (several runs, oldest
 * first) pools the previous runs as the baseline and keeps a trend per result.
 */
package io.paretopipe.reports.compare;
