package io.paretopipe.harness.protocol;

/**
 * The next stage of a pipeline, as named in a {@link Handshake}: where it listens and the end of
 * the unit range it runs (its start is the end of the previous stage's range).
 *
 * @param address "HOST:PORT" of the downstream stage server
 * @param unitEnd exclusive end of the downstream stage's unit range
 */
public record Downstream(String address, int unitEnd) {
  /**
   * @throws IllegalArgumentException if the address is empty or unitEnd is negative
   */
  public Downstream {
    if (address == null || address.isEmpty()) {
      throw new IllegalArgumentException(
          "downstream address must be HOST:PORT, got " + (address == null ? "null" : "\"\""));
    }
    if (unitEnd < 0) {
      throw new IllegalArgumentException(
          "downstream unitEnd " + unitEnd + " is negative: must be >= 0");
    }
  }
}
