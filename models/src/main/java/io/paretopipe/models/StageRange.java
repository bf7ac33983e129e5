package io.paretopipe.models;

/**
 * The part of a model one pipeline stage runs: units {@code [unitStart, unitEnd)}, plus the prefix
 * if it is the first stage and the suffix if it is the last.
 *
 * @param stage 0 for the head
 * @param unitStart first unit, inclusive
 * @param unitEnd last unit, exclusive
 * @param prefix whether this stage runs the prefix (only the head does)
 * @param suffix whether this stage runs the suffix (only the last stage does)
 */
public record StageRange(int stage, int unitStart, int unitEnd, boolean prefix, boolean suffix) {

  public StageRange {
    if (unitStart < 0 || unitEnd < unitStart) {
      throw new IllegalArgumentException(
          "unit range [" + unitStart + ", " + unitEnd + ") (expected: 0 <= start <= end)");
    }
  }

  /** Units this stage runs, not counting prefix and suffix. */
  public int unitCount() {
    return unitEnd - unitStart;
  }

  /**
   * The stage that runs units {@code [unitStart, unitEnd)} of an {@code n}-unit model, as a remote
   * stage would.
   */
  public static StageRange remote(int stage, int unitStart, int unitEnd, int n) {
    return new StageRange(stage, unitStart, unitEnd, false, unitEnd == n);
  }

  @Override
  public String toString() {
    return "stage "
        + stage
        + " ("
        + (prefix ? "prefix + " : "")
        + "units ["
        + unitStart
        + ", "
        + unitEnd
        + ")"
        + (suffix ? " + suffix" : "")
        + ")";
  }
}
