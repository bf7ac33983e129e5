package io.paretopipe.harness.energy;

import java.util.Locale;

/** How an energy figure was obtained; every figure carries one. */
public enum EnergyLabel {
  /** Read from the hardware's own counters on this host (RAPL via powercap or perf). */
  MEASURED,
  /** Integrated from an external power meter's samples (a CSV of timestamps and watts). */
  IMPORTED,
  /** Computed from CPU time and a device's published watts; a model, not a reading. */
  ESTIMATED,
  /** No tier applies; the figure is absent (never 0), and the reading says why. */
  UNAVAILABLE;

  /** The JSON and CSV spelling: {@code measured}, {@code imported}, ... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Checks that a figure labelled {@code label} has a number exactly when it is not {@code
   * UNAVAILABLE}, and a reason when it is.
   *
   * @param name the figure's name, for the message
   * @throws IllegalArgumentException naming the figure, its value and the label otherwise
   */
  public static void checkFigure(EnergyLabel label, String name, Double figure, String reason) {
    if ((label == UNAVAILABLE) != (figure == null)) {
      throw new IllegalArgumentException(
          name
              + " "
              + figure
              + " with label "
              + label.label()
              + " (expected: null exactly when unavailable)");
    }
    if (label == UNAVAILABLE && (reason == null || reason.isBlank())) {
      throw new IllegalArgumentException("an unavailable " + name + " needs its reason");
    }
  }
}
