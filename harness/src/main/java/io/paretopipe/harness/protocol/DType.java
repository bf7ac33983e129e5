package io.paretopipe.harness.protocol;

/**
 * Element type of a {@link Tensor}, with a stable wire code (one unsigned byte) that never changes
 * meaning once released.
 */
public enum DType {
  FLOAT32(1, 4),
  FLOAT64(2, 8),
  FLOAT16(3, 2),
  BFLOAT16(4, 2),
  INT8(5, 1),
  UINT8(6, 1),
  INT32(7, 4),
  INT64(8, 8),
  /** One byte per element, 0 = false, anything else = true. */
  BOOLEAN(9, 1);

  private static final DType[] BY_CODE = new DType[10];

  static {
    for (DType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final int code;
  private final int byteSize;

  DType(int code, int byteSize) {
    this.code = code;
    this.byteSize = byteSize;
  }

  /** The stable wire code, 1..255. */
  public int code() {
    return code;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /**
   * The dtype with this wire code.
   *
   * @throws ProtocolException ({@link ErrorCode#BAD_FRAME}) for a code that names no dtype
   */
  public static DType fromCode(int code) throws ProtocolException {
    if (code > 0 && code < BY_CODE.length && BY_CODE[code] != null) {
      return BY_CODE[code];
    }
    throw new ProtocolException(
        ErrorCode.BAD_FRAME,
        "unknown dtype code "
            + code
            + ": valid codes are 1..9 (FLOAT32=1, FLOAT64=2, FLOAT16=3, BFLOAT16=4, "
            + "INT8=5, UINT8=6, INT32=7, INT64=8, BOOLEAN=9)");
  }
}
