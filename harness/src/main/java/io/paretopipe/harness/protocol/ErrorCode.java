package io.paretopipe.harness.protocol;

/**
 * Why a stage refused a connection or a request. Each constant has a stable wire code (an unsigned
 * 16-bit number in ERROR frames) that never changes meaning once released; new codes are only ever
 * appended.
 *
 * <p>A peer that receives a code it does not know decodes it as {@link #UNKNOWN} and keeps the
 * message, so a newer stage can add codes without breaking an older head.
 */
public enum ErrorCode {
  /** A code this side does not know (sent by a newer peer); the message says what happened. */
  UNKNOWN(0),
  /**
   * The bytes are not a valid frame: bad magic, unknown frame type, inconsistent lengths,
   * truncation.
   */
  BAD_FRAME(1),
  /** The frame header names a protocol version this side does not speak. */
  UNSUPPORTED_VERSION(2),
  /**
   * A declared length (header, string, list, rank, tensor bytes) exceeds the receiver's {@link
   * Limits}.
   */
  FRAME_TOO_LARGE(3),
  /** The handshake is malformed or asks for something inconsistent (e.g. batch 0). */
  BAD_HANDSHAKE(4),
  /** The handshake names a model the stage does not have. */
  UNKNOWN_MODEL(5),
  /** The unit range of the handshake is not valid for the model. */
  BAD_SPLIT(6),
  /** A request tensor's dtype or shape does not fit the units the stage loaded. */
  SHAPE_MISMATCH(7),
  /** A request arrived before a successful handshake. */
  NOT_READY(8),
  /** The stage failed while computing; the message carries the cause. */
  INTERNAL(9),
  /** A middle stage could not reach, or got an error from, its downstream stage. */
  DOWNSTREAM_FAILED(10),
  /** Something took longer than its deadline. */
  TIMEOUT(11),
  /** The stage or connection is shutting down. */
  CLOSED(12),
  /**
   * The stage refused the connection because it already serves its maximum number of connections.
   */
  BUSY(13),
  /**
   * The request needs a feature this stage does not support (e.g. a dtype its engine cannot run).
   */
  UNSUPPORTED(14),
  /**
   * Authentication failed: the stage requires a shared secret the head did not prove, the proof was
   * wrong or stale, or the head requires a proof the stage could not give.
   */
  UNAUTHENTICATED(15);

  private static final ErrorCode[] BY_CODE;

  static {
    int max = 0;
    for (ErrorCode c : values()) {
      max = Math.max(max, c.code);
    }
    BY_CODE = new ErrorCode[max + 1];
    for (ErrorCode c : values()) {
      BY_CODE[c.code] = c;
    }
  }

  private final int code;

  ErrorCode(int code) {
    this.code = code;
  }

  /** The stable wire code, 0..65535. */
  public int code() {
    return code;
  }

  /**
   * The constant for a wire code; codes this version does not know map to {@link #UNKNOWN} (never
   * throws), so that errors from newer peers still surface with their message.
   */
  public static ErrorCode fromCode(int code) {
    if (code >= 0 && code < BY_CODE.length && BY_CODE[code] != null) {
      return BY_CODE[code];
    }
    return UNKNOWN;
  }
}
