package io.paretopipe.harness.protocol;

/**
 * One message a head and a stage exchange: {@link Handshake}, {@link HandshakeReply}, {@link
 * InferenceRequest}, {@link InferenceResult}, {@link ErrorReport}. Every transport carries these; a
 * transport may add messages of its own (the {@code nio} framing's authentication frames).
 */
public interface Message {}
