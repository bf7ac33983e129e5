package io.paretopipe.harness.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Zero-copy conversion between DJL arrays and wire tensors (float32 only: the catalog computes in
 * float32).
 */
public final class TensorBridge {

  private TensorBridge() {}

  /**
   * A wire view of {@code array}'s own memory (no copy where DJL allows: contiguous tensors). The
   * view is valid only while {@code array} is open.
   */
  public static Tensor view(NDArray array) {
    if (array.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException("dtype " + array.getDataType() + " (expected: float32)");
    }
    ByteBuffer bytes = array.toByteBuffer(true).order(ByteOrder.nativeOrder());
    return new Tensor(DType.FLOAT32, array.getShape().getShape(), bytes);
  }

  /** A copy of {@code array} in a fresh direct buffer that outlives the array. */
  public static Tensor copy(NDArray array) {
    Tensor view = view(array);
    ByteBuffer copy =
        ByteBuffer.allocateDirect(Math.toIntExact(view.byteSize())).order(ByteOrder.nativeOrder());
    copy.put(view.data().duplicate()).flip();
    return new Tensor(DType.FLOAT32, view.shape(), copy);
  }

  /**
   * The elements of a float32 tensor as a new Java array, read straight from its buffer: no engine
   * call, so decoding a result touches no native code (after a stage's compute has evicted the
   * caches, a DJL round trip for 320 bytes costs about 0.2 ms here, this about 0.03 ms).
   *
   * @throws IllegalArgumentException for a dtype other than float32
   */
  public static float[] toFloatArray(Tensor tensor) {
    if (tensor.dtype() != DType.FLOAT32) {
      throw new IllegalArgumentException("dtype " + tensor.dtype() + " (expected: FLOAT32)");
    }
    java.nio.FloatBuffer floats = tensor.data().asFloatBuffer();
    float[] out = new float[floats.remaining()];
    floats.get(out);
    return out;
  }

  /**
   * Wraps a received tensor as an array of {@code manager} without copying; the array reads the
   * tensor's buffer, which must stay untouched while the array is open.
   *
   * @throws IllegalArgumentException for a dtype other than float32
   */
  public static NDArray wrap(Tensor tensor, NDManager manager) {
    if (tensor.dtype() != DType.FLOAT32) {
      throw new IllegalArgumentException("dtype " + tensor.dtype() + " (expected: FLOAT32)");
    }
    ByteBuffer data = tensor.data();
    if (data.order() != ByteOrder.nativeOrder()) {
      data = data.duplicate().order(ByteOrder.nativeOrder());
    }
    return manager.create(data, new Shape(tensor.shape()), DataType.FLOAT32);
  }
}
