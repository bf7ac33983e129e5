/**
 * Turns input paths into a {@link io.paretopipe.reports.model.Run}: finds the JMH JSON files of a
 * run folder (or takes the files given), reads them, matches each partition result to its hlog by
 * the naming contract, merges the latency and throughput results and hlogs of one parameter set
 * into one point, and fills in bytes at the cut from the hlog comments or {@code
 * cuts/<model>.json}. Also owns unit conversion of JMH units.
 */
package io.paretopipe.reports.run;
