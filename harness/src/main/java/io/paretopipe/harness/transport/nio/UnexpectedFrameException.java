package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ProtocolException;
import java.util.Set;

/**
 * A well-formed frame header of a type the receiver does not accept at this point of the
 * conversation (e.g. a REQUEST before the handshake), rejected by {@link FrameReader#read(Set)}
 * from its header alone, before its metadata or payload is read or allocated. Code {@link
 * ErrorCode#BAD_FRAME}; the receiver may answer with a more specific code ({@link #frameType()}).
 */
public final class UnexpectedFrameException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  private final FrameType frameType;

  public UnexpectedFrameException(FrameType frameType, Set<FrameType> expected) {
    super(
        ErrorCode.BAD_FRAME,
        "got a "
            + frameType
            + " frame where "
            + (expected.size() == 1 ? "a " : "one of ")
            + (expected.size() == 1 ? expected.iterator().next().toString() : expected.toString())
            + " was expected");
    this.frameType = frameType;
  }

  /** The type of the frame that was refused. */
  public FrameType frameType() {
    return frameType;
  }
}
