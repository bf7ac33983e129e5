package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.ProtocolException;

/** The kind of a frame, with its stable wire code (one unsigned byte). */
public enum FrameType {
  /** Head to stage, first frame of a connection: {@link Handshake}. */
  HANDSHAKE(1),
  /** Stage to head, answer to a successful handshake: {@link HandshakeReply}. */
  HANDSHAKE_REPLY(2),
  /** Head to stage: {@link InferenceRequest}, with a tensor payload. */
  REQUEST(3),
  /** Stage to head: {@link InferenceResult}, with a tensor payload. */
  RESULT(4),
  /** Stage to head: {@link ErrorReport} about one request or the whole connection. */
  ERROR(5),
  /**
   * Stage to head, instead of HANDSHAKE_REPLY when the stage requires a shared secret: {@link
   * AuthChallenge}.
   */
  AUTH_CHALLENGE(6),
  /** Head to stage, the answer to AUTH_CHALLENGE: {@link AuthProof}. */
  AUTH_PROOF(7),
  /** Stage to head after a valid AUTH_PROOF, before HANDSHAKE_REPLY: {@link AuthAccept}. */
  AUTH_ACCEPT(8);

  private static final FrameType[] BY_CODE = {
    null,
    HANDSHAKE,
    HANDSHAKE_REPLY,
    REQUEST,
    RESULT,
    ERROR,
    AUTH_CHALLENGE,
    AUTH_PROOF,
    AUTH_ACCEPT
  };

  private final int code;

  FrameType(int code) {
    this.code = code;
  }

  /** The stable wire code. */
  public int code() {
    return code;
  }

  /** True if frames of this type carry a tensor payload after the metadata. */
  public boolean hasPayload() {
    return this == REQUEST || this == RESULT;
  }

  /**
   * The frame type that carries {@code message}.
   *
   * @throws IllegalArgumentException for a message this framing does not carry
   */
  public static FrameType of(Message message) {
    if (message instanceof Handshake) {
      return HANDSHAKE;
    } else if (message instanceof HandshakeReply) {
      return HANDSHAKE_REPLY;
    } else if (message instanceof InferenceRequest) {
      return REQUEST;
    } else if (message instanceof InferenceResult) {
      return RESULT;
    } else if (message instanceof ErrorReport) {
      return ERROR;
    } else if (message instanceof AuthChallenge) {
      return AUTH_CHALLENGE;
    } else if (message instanceof AuthProof) {
      return AUTH_PROOF;
    } else if (message instanceof AuthAccept) {
      return AUTH_ACCEPT;
    }
    throw new IllegalArgumentException(
        "no frame type carries a " + message.getClass().getSimpleName());
  }

  /**
   * The frame type with this wire code.
   *
   * @throws ProtocolException ({@link ErrorCode#BAD_FRAME}) for an unknown code
   */
  public static FrameType fromCode(int code) throws ProtocolException {
    if (code > 0 && code < BY_CODE.length) {
      return BY_CODE[code];
    }
    throw new ProtocolException(
        ErrorCode.BAD_FRAME,
        "unknown frame type "
            + code
            + ": valid types are 1..8 (HANDSHAKE=1, HANDSHAKE_REPLY=2, REQUEST=3, RESULT=4, ERROR=5,"
            + " AUTH_CHALLENGE=6, AUTH_PROOF=7, AUTH_ACCEPT=8)");
  }
}
