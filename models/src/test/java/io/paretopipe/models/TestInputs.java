package io.paretopipe.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/** Seeded inputs for tests. */
final class TestInputs {

  private TestInputs() {}

  /**
   * A standard-normal float32 batch of shape {@code batch x C x H x W}, the same for a given seed.
   */
  static NDArray normal(NDManager manager, long seed, int batch, int[] chw) {
    int n = batch * chw[0] * chw[1] * chw[2];
    float[] values = new float[n];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      double u1 = random.nextDouble();
      double u2 = random.nextDouble();
      values[i] = (float) (Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
    }
    return manager.create(values, new Shape(batch, chw[0], chw[1], chw[2]));
  }

  /** Largest absolute element-wise difference. */
  static float maxAbsDiff(NDArray a, NDArray b) {
    return a.sub(b).abs().max().getFloat();
  }
}
