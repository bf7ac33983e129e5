package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ProtocolException;

/**
 * The byte stream ended inside a frame: the peer closed (or half-closed) its side after sending
 * only part of a frame. Code {@link ErrorCode#BAD_FRAME}.
 */
public final class TruncatedFrameException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  public TruncatedFrameException(String message) {
    super(ErrorCode.BAD_FRAME, message);
  }
}
