package io.paretopipe.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * Deterministic random weights: every parameter's values depend only on the model seed, the unit's
 * ordinal and the parameter's position in the unit, never on which other units were built or on the
 * engine's RNG. So a head built on one machine and a tail built on another form the same network.
 *
 * <p>Convolution and linear weights are He-uniform ({@code U(-sqrt(6/fanIn), +sqrt(6/fanIn))}),
 * biases {@code U(-0.05, 0.05)}; BatchNorm scale {@code U(0.9, 1.1)}, shift and running mean {@code
 * U(-0.05, 0.05)}, running variance {@code U(0.9, 1.1)}.
 */
public final class SeededWeights {

  private SeededWeights() {}

  /**
   * Sets a seeded initializer on every parameter of {@code unit}; the block's own {@code
   * initialize} then creates the values.
   *
   * @param ordinal the unit's position in the model: 0 for the prefix, {@code 1 + i} for unit i,
   *     {@code n + 1} for the suffix
   */
  public static void assign(Unit unit, long seed, int ordinal) {
    int index = 0;
    for (Pair<String, Parameter> p : unit.block().getParameters()) {
      Parameter parameter = p.getValue();
      parameter.setInitializer(new Seeded(mix(seed, ordinal, index++), parameter.getType()));
    }
  }

  static long mix(long seed, int ordinal, int index) {
    long z =
        seed * 0x9E3779B97F4A7C15L
            + (ordinal + 1L) * 0xBF58476D1CE4E5B9L
            + (index + 1L) * 0x94D049BB133111EBL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static final class Seeded implements Initializer {
    private final long seed;
    private final Parameter.Type type;

    Seeded(long seed, Parameter.Type type) {
      this.seed = seed;
      this.type = type;
    }

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
      if (dataType != DataType.FLOAT32) {
        throw new IllegalArgumentException("dataType: " + dataType + " (expected: float32)");
      }
      long size = shape.size();
      float low;
      float high;
      switch (type) {
        case WEIGHT -> {
          long fanIn = shape.dimension() > 1 ? size / shape.get(0) : size;
          high = (float) Math.sqrt(6.0 / fanIn);
          low = -high;
        }
        case GAMMA, RUNNING_VAR -> {
          low = 0.9f;
          high = 1.1f;
        }
        default -> {
          low = -0.05f;
          high = 0.05f;
        }
      }
      SplittableRandom random = new SplittableRandom(seed);
      // The values are written straight into the tensor's own (torch-allocated) memory, which is
      // freed when the tensor's manager closes. Wrapping a direct ByteBuffer instead left that
      // memory owned by the JVM: freed only once a garbage collection found the buffer
      // unreachable, so a stage server that evicted stages kept their weights resident.
      NDArray array = manager.create(shape, DataType.FLOAT32);
      ByteBuffer bytes = array.toByteBuffer(true).order(ByteOrder.nativeOrder());
      if (!bytes.isDirect() || bytes.capacity() != size * 4) {
        array.close();
        throw new IllegalStateException(
            "the engine gave no direct view of a new "
                + shape
                + " float32 tensor ("
                + bytes.capacity()
                + " bytes, direct "
                + bytes.isDirect()
                + "): seeded weights need one");
      }
      FloatBuffer floats = bytes.asFloatBuffer();
      float scale = (high - low) * 0x1.0p-24f;
      float[] chunk = new float[(int) Math.min(size, 1 << 16)];
      long remaining = size;
      while (remaining > 0) {
        int n = (int) Math.min(remaining, chunk.length);
        for (int i = 0; i < n; i += 2) {
          long bits = random.nextLong();
          chunk[i] = low + scale * (int) (bits >>> 40);
          if (i + 1 < n) {
            chunk[i + 1] = low + scale * (int) ((bits >>> 8) & 0xFFFFFF);
          }
        }
        floats.put(chunk, 0, n);
        remaining -= n;
      }
      return array;
    }
  }
}
