package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.ProtocolException;
import java.nio.ByteBuffer;

/**
 * The contexts proofs are bound to, computed identically by both sides, so that a proof made for
 * one exchange verifies for no other.
 */
public final class HandshakeBinding {
  private HandshakeBinding() {}

  /**
   * The context of a frame-protocol handshake: the HANDSHAKE frame exactly as {@link
   * FrameCodec#encode} writes it (header included, so the protocol version is bound too). The head
   * computes it from the handshake it sends, the stage from the one it decoded; both get the bytes
   * that were on the wire, because the encoding of a handshake is canonical (decoding then
   * re-encoding gives the same bytes, which {@code HandshakeFuzzTest} checks on every input).
   *
   * @param limits the limits the handshake was sent or received under
   * @throws ProtocolException if the handshake exceeds {@code limits} (it could not have been sent)
   */
  public static byte[] of(Handshake handshake, Limits limits) throws ProtocolException {
    ByteBuffer frame = FrameCodec.encode(handshake, limits);
    byte[] bytes = new byte[frame.remaining()];
    frame.get(bytes);
    return bytes;
  }
}
