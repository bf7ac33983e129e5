/**
 * The post-processor: reads JMH JSON result files and HdrHistogram logs (files only, never a model
 * or a socket), merges them into partition {@linkplain io.paretopipe.reports.model.Point points},
 * computes Pareto frontiers and writes reports; {@code compare} decides with statistics what
 * regressed between runs.
 *
 * <p>This package owns the one error type every reader throws for bad input, {@link
 * ReportInputException}.
 */
package io.paretopipe.reports;
