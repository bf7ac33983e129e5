/**
 * Diagnostics: per-step timestamps across the processes of a split on one machine ({@link
 * io.paretopipe.harness.trace.StepTrace}).
 */
package io.paretopipe.harness.trace;
