/**
 * What files carry between the modules, in one place so that the writer and the reader cannot drift
 * apart: the link grammar and presets ({@link io.paretopipe.format.NetworkCondition}), the phase
 * names ({@link io.paretopipe.format.Phase}), the hlog file names ({@link
 * io.paretopipe.format.HlogFileName}), the run-folder layout ({@link
 * io.paretopipe.format.RunFolder}) and the cut-table JSON keys ({@link
 * io.paretopipe.format.CutTableJson}). Depends on the JDK only, so {@code reports}, which must not
 * depend on the harness, reads the same definitions the benchmarks write with.
 */
package io.paretopipe.format;
