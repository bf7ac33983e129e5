/**
 * The statistics behind every figure: per-request value distributions ({@link
 * io.paretopipe.reports.stats.ValueCounts}), distribution-free percentile intervals from order
 * statistics ({@link io.paretopipe.reports.stats.PercentileEstimate}), Student-t intervals of a
 * mean over the replication units a point was measured in ({@link
 * io.paretopipe.reports.stats.MeanInterval}) and the multiple-test correction of {@code compare}
 * ({@link io.paretopipe.reports.stats.Holm}). docs/REPORTS.md ("Statistics") explains the choices.
 */
package io.paretopipe.reports.stats;
