package io.paretopipe.harness.energy;

import io.paretopipe.harness.metrics.CpuReport;
import java.io.IOException;
import java.util.Optional;

/**
 * One tier of energy measurement. {@link #unavailableReason()} says, before a run, whether the tier
 * can work here; {@link #start()} opens a window around the measured requests and {@link
 * Window#stop(CpuReport)} closes it (the CPU report is the same window's, which the model tier
 * needs and the others ignore).
 */
public interface EnergyMeter {

  /** {@code rapl}, {@code perf}, {@code csv} or {@code model}. */
  String tier();

  /** Why this tier cannot work on this host or with this input; empty when it can. */
  Optional<String> unavailableReason();

  /**
   * Opens a window.
   *
   * @throws IOException if the first reading fails
   * @throws IllegalStateException if the tier is unavailable ({@link #unavailableReason()})
   */
  Window start() throws IOException;

  /** An open window; stop it once. */
  interface Window {
    /** Closes the window; a failed reading comes back {@code unavailable} with the reason. */
    EnergyReading stop(CpuReport cpu);
  }
}
