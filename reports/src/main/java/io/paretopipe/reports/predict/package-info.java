/**
 * Prediction before measurement: from per-unit compute profiles ({@code UnitProfileBenchmark}), the
 * bytes at each cut, a link ({@link io.paretopipe.reports.predict.LinkSpec}) and a calibrated
 * per-hop {@link io.paretopipe.reports.predict.Overhead}, the latency and pipelined throughput of
 * every cut combination of a model over two or more devices ({@link
 * io.paretopipe.reports.predict.PipelineModel}, with an exact dynamic program for the frontier when
 * there are too many combinations to list), the predicted frontier and best splits against
 * bandwidth ({@link io.paretopipe.reports.predict.PredictionReport}), and predicted next to
 * measured for the points of a measured run ({@link
 * io.paretopipe.reports.predict.PredictedVsMeasured}). Reads nothing itself but JMH results and cut
 * tables through the {@code run} package; every type is immutable. Formulas: docs/PREDICTION.md.
 */
package io.paretopipe.reports.predict;
