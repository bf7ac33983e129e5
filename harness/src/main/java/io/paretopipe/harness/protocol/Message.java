package io.paretopipe.harness.protocol;

/** One protocol message, carried by exactly one frame of type {@link #frameType()}. */
public sealed interface Message
    permits Handshake,
        HandshakeReply,
        InferenceRequest,
        InferenceResult,
        ErrorReport,
        AuthChallenge,
        AuthProof,
        AuthAccept {

  /** The frame type that carries this message. */
  FrameType frameType();
}
