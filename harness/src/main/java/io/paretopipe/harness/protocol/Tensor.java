package io.paretopipe.harness.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An n-dimensional array as it travels between stages: a {@link DType}, a shape of rank 0..{@value
 * #MAX_RANK} and the raw element bytes, row-major, in the byte order of the buffer ({@link
 * ByteBuffer#order()}).
 *
 * <p><b>Memory and ownership.</b> A tensor is a view: it neither copies nor frees its bytes. The
 * constructor takes the bytes between the buffer's position and limit (which must be exactly {@link
 * #byteSize()}); {@link #data()} returns a fresh view of them, position 0, limit {@code
 * byteSize()}, in the original byte order, so callers cannot disturb each other's positions. The
 * contents are shared with whoever created the buffer and must be treated as read-only while the
 * tensor is in flight (a transport may be writing them to a socket).
 *
 * <ul>
 *   <li>Send side: any buffer works; a <em>direct</em> buffer (e.g. an NDArray's own memory from
 *       {@code NDArray.toByteBuffer(true)}) is written straight to the socket with no copy.
 *   <li>Receive side ({@code nio}): a freshly allocated direct buffer in native order, owned by the
 *       receiver, which may wrap it (e.g. {@code NDManager.create(buffer, shape, type)}) without a
 *       copy. A payload sent in the other byte order is converted in place on receipt.
 *   <li>{@code local}: the very buffer the sender passed, by reference.
 * </ul>
 *
 * <p>Immutable apart from the shared contents; safe to pass between threads.
 */
public final class Tensor {
  /** The highest rank a tensor may have. */
  public static final int MAX_RANK = 8;

  private final DType dtype;
  private final long[] shape;
  private final ByteBuffer data;

  /**
   * A tensor over the remaining bytes of {@code data}.
   *
   * @param dtype element type
   * @param shape dimensions, each &gt;= 0, at most {@value #MAX_RANK}; copied
   * @param data exactly {@code product(shape) * dtype.byteSize()} bytes between position and limit;
   *     not copied, and the caller's position and limit are left untouched
   * @throws IllegalArgumentException naming the expected and actual values when the shape or byte
   *     count is invalid
   */
  public Tensor(DType dtype, long[] shape, ByteBuffer data) {
    if (dtype == null) {
      throw new NullPointerException("dtype");
    }
    if (shape == null) {
      throw new NullPointerException("shape");
    }
    if (data == null) {
      throw new NullPointerException("data");
    }
    this.dtype = dtype;
    this.shape = shape.clone();
    long expected = byteSize(dtype, this.shape);
    if (data.remaining() != expected) {
      throw new IllegalArgumentException(
          "tensor data has "
              + data.remaining()
              + " bytes but shape "
              + Arrays.toString(this.shape)
              + " of "
              + dtype
              + " needs "
              + expected
              + " bytes");
    }
    this.data = data.slice().order(data.order());
  }

  /**
   * A zero-filled tensor backed by a new direct buffer in native byte order.
   *
   * @throws IllegalArgumentException for an invalid shape or one larger than 2^31-1 bytes
   */
  public static Tensor allocate(DType dtype, long... shape) {
    long bytes = byteSize(dtype, shape);
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "tensor of " + bytes + " bytes is larger than one buffer (2^31-1 bytes)");
    }
    return new Tensor(
        dtype, shape, ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder()));
  }

  /**
   * The number of bytes a tensor of this dtype and shape occupies.
   *
   * @throws IllegalArgumentException for a rank over {@value #MAX_RANK}, a negative dimension, or a
   *     size that overflows a long
   */
  public static long byteSize(DType dtype, long[] shape) {
    if (shape.length > MAX_RANK) {
      throw new IllegalArgumentException(
          "tensor rank " + shape.length + " is too high: valid ranks are 0.." + MAX_RANK);
    }
    long elements = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw new IllegalArgumentException(
            "dimension "
                + i
                + " of shape "
                + Arrays.toString(shape)
                + " is negative: dimensions must be >= 0");
      }
      try {
        elements = Math.multiplyExact(elements, shape[i]);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " has more than 2^63-1 elements", e);
      }
    }
    try {
      return Math.multiplyExact(elements, (long) dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " of " + dtype + " is larger than 2^63-1 bytes", e);
    }
  }

  public DType dtype() {
    return dtype;
  }

  /** A copy of the dimensions. */
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /** Dimension {@code axis}, 0-based. */
  public long dim(int axis) {
    return shape[axis];
  }

  /** Size of the payload in bytes. */
  public long byteSize() {
    return data.capacity();
  }

  /** Byte order of the payload. */
  public ByteOrder byteOrder() {
    return data.order();
  }

  /**
   * A new view of the payload: position 0, limit {@link #byteSize()}, the tensor's byte order,
   * sharing the tensor's memory (no copy). Direct exactly when the tensor's buffer is direct.
   */
  public ByteBuffer data() {
    return data.duplicate().order(data.order());
  }

  /**
   * True if {@code other} has the same dtype, shape and payload bytes (compared byte by byte, so a
   * big-endian and a little-endian tensor holding the same values are not equal).
   */
  public boolean equalsBytes(Tensor other) {
    return other != null
        && dtype == other.dtype
        && Arrays.equals(shape, other.shape)
        && data.duplicate().equals(other.data.duplicate());
  }

  @Override
  public String toString() {
    return "Tensor["
        + dtype
        + " "
        + Arrays.toString(shape)
        + ", "
        + byteSize()
        + " bytes, "
        + data.order()
        + (data.isDirect() ? ", direct" : ", heap")
        + "]";
  }
}
