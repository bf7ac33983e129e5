/**
 * The open-loop Server scenario's report: the sweep's {@code server-scenario.json} read ({@link
 * io.paretopipe.reports.server.ServerScenarioFile}), the peak rate predicted from each split's
 * bottleneck ({@link io.paretopipe.reports.server.ServerPeakPrediction}; M/G/1 with the
 * service-time spread a closed-loop run's hlogs measured, {@link
 * io.paretopipe.reports.server.ServiceTimeSpread}, else M/D/1), and the knee curves, the search's
 * bracket against its second-seed recheck, the drift and the SLO frontier written as Markdown and
 * CSV ({@link io.paretopipe.reports.server.ServerScenarioReport}).
 */
package io.paretopipe.reports.server;
