package io.paretopipe.models;

/**
 * Static cost of one unit for a batch of one image.
 *
 * @param name unit name
 * @param role {@code prefix}, {@code unit} or {@code suffix}
 * @param params trainable parameters (weights, biases, BatchNorm scale and shift; not running
 *     statistics)
 * @param macs multiply-accumulates of its convolutions and linear layers for one image
 * @param outputShape per-image output shape (without the batch dimension)
 */
public record UnitCost(String name, String role, long params, long macs, long[] outputShape) {

  /** float32 bytes of this unit's output for one image. */
  public long outputBytesPerImage() {
    long n = 4;
    for (long d : outputShape) {
      n *= d;
    }
    return n;
  }
}
