/**
 * Regression verdicts between runs: per JMH result (benchmark method and params), the ratio of
 * current to baseline with its confidence interval, the direction from the unit, a Mann-Whitney U
 * test on the per-iteration raw data, and a verdict that calls a regression only when it is
 * significant and beyond a threshold; plus whether each group's set of frontier splits changed. A
 * history (several runs, oldest first) pools the previous runs as the baseline and keeps a trend
 * per result.
 */
package io.paretopipe.reports.compare;
