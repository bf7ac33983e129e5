package io.paretopipe.harness.protocol;

import io.paretopipe.harness.transport.nio.PayloadRefusedException;

/**
 * Malformed input on the wire: bad magic, unsupported version, unknown frame type, a length over
 * its {@link Limits}, inconsistent or truncated content. The code is one of {@link
 * ErrorCode#BAD_FRAME}, {@link ErrorCode#UNSUPPORTED_VERSION}, {@link ErrorCode#FRAME_TOO_LARGE} or
 * {@link ErrorCode#BAD_HANDSHAKE}. After a {@code ProtocolException} the byte stream can no longer
 * be trusted: the connection is answered with an ERROR frame (where possible) and closed.
 */
public class ProtocolException extends StageException {
  private static final long serialVersionUID = 1L;

  /** A connection-level protocol error. */
  public ProtocolException(ErrorCode code, String message) {
    super(code, message);
  }

  /** A protocol error about one request (see {@link PayloadRefusedException}). */
  protected ProtocolException(ErrorCode code, String message, long requestId) {
    super(code, message, requestId, null);
  }

  /** A protocol error with a cause (e.g. the validation failure of a decoded record). */
  public ProtocolException(ErrorCode code, String message, Throwable cause) {
    super(code, message, NO_REQUEST, cause);
  }
}
