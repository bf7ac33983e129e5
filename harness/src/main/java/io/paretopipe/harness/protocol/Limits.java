package io.paretopipe.harness.protocol;

/**
 * The largest values a receiver accepts from the wire. Every length, count and rank read from a
 * frame is checked against these before anything is allocated for it; a value over its limit is
 * answered with {@link ErrorCode#FRAME_TOO_LARGE} and the connection is closed. A sender checks its
 * own limits too, so it never starts writing a frame it would itself reject.
 *
 * <p>The defaults ({@link #DEFAULT}) admit a batch of 64 ImageNet images as float32 (38.5 MB) many
 * times over, while bounding what one connection can make a stage allocate: at most {@code
 * maxMetaBytes + maxTensorBytes} per frame in flight.
 *
 * @param maxMetaBytes largest metadata section of one frame (everything between the 20-byte header
 *     and the tensor payload), bytes; default 1 MiB
 * @param maxTensorBytes largest tensor payload, bytes; default 512 MiB
 * @param maxRank largest tensor rank, 0..{@value Tensor#MAX_RANK}; default {@value Tensor#MAX_RANK}
 * @param maxStringBytes largest string, UTF-8 bytes; default 64 KiB
 * @param maxListSize largest list (unit names, downstream stages, stage timings, shape dims);
 *     default 4096
 */
public record Limits(
    int maxMetaBytes, long maxTensorBytes, int maxRank, int maxStringBytes, int maxListSize) {
  /** 1 MiB metadata, 512 MiB tensors, rank 8, 64 KiB strings, 4096 list entries. */
  public static final Limits DEFAULT =
      new Limits(1 << 20, 512L << 20, Tensor.MAX_RANK, 64 << 10, 4096);

  /**
   * @throws IllegalArgumentException naming the limit, the value and the valid range
   */
  public Limits {
    if (maxMetaBytes < 64) {
      throw new IllegalArgumentException("maxMetaBytes: " + maxMetaBytes + " (expected: >= 64)");
    }
    if (maxTensorBytes < 0) {
      throw new IllegalArgumentException("maxTensorBytes: " + maxTensorBytes + " (expected: >= 0)");
    }
    if (maxTensorBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "maxTensorBytes: "
              + maxTensorBytes
              + " (expected: <= 2^31-1, the largest single ByteBuffer)");
    }
    if (maxRank < 0 || maxRank > Tensor.MAX_RANK) {
      throw new IllegalArgumentException(
          "maxRank: " + maxRank + " (expected: 0.." + Tensor.MAX_RANK + ")");
    }
    if (maxStringBytes < 0) {
      throw new IllegalArgumentException("maxStringBytes: " + maxStringBytes + " (expected: >= 0)");
    }
    if (maxListSize < 0) {
      throw new IllegalArgumentException("maxListSize: " + maxListSize + " (expected: >= 0)");
    }
  }

  public Limits withMaxMetaBytes(int value) {
    return new Limits(value, maxTensorBytes, maxRank, maxStringBytes, maxListSize);
  }

  public Limits withMaxTensorBytes(long value) {
    return new Limits(maxMetaBytes, value, maxRank, maxStringBytes, maxListSize);
  }

  public Limits withMaxRank(int value) {
    return new Limits(maxMetaBytes, maxTensorBytes, value, maxStringBytes, maxListSize);
  }

  public Limits withMaxStringBytes(int value) {
    return new Limits(maxMetaBytes, maxTensorBytes, maxRank, value, maxListSize);
  }

  public Limits withMaxListSize(int value) {
    return new Limits(maxMetaBytes, maxTensorBytes, maxRank, maxStringBytes, value);
  }
}
