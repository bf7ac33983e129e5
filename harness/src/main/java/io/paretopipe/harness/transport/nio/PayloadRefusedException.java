package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.memory.MemoryBudget;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ProtocolException;

/**
 * A REQUEST whose payload did not fit the stage's {@link MemoryBudget}: {@link FrameReader} read
 * and discarded its payload without allocating it, so the stream is still in step and the reader
 * can go on (unlike after other {@link ProtocolException}s). Code {@link ErrorCode#BUSY}, about
 * request {@link #requestId()}; the stage answers it with a request-level BUSY.
 */
public final class PayloadRefusedException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  public PayloadRefusedException(long requestId, String message) {
    super(ErrorCode.BUSY, message, requestId);
  }
}
