package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.protocol.Message;

/**
 * Stage to head, in place of the HANDSHAKE_REPLY when the stage requires a shared secret: a fresh
 * challenge the head must answer with an {@link AuthProof} computed over the HANDSHAKE frame it
 * sent.
 *
 * <p>The bytes are opaque to the protocol (1..{@value AuthBytes#MAX_BYTES}); {@code
 * io.paretopipe.harness.auth.Authenticator} gives them meaning. Immutable: the array is copied in
 * and out.
 *
 * @param challenge the bytes, 1..{@value AuthBytes#MAX_BYTES} of them
 */
public record AuthChallenge(byte[] challenge) implements Message {
  public AuthChallenge {
    challenge = AuthBytes.check("challenge", challenge);
  }

  /** A copy of the bytes. */
  @Override
  public byte[] challenge() {
    return challenge.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AuthChallenge other && AuthBytes.equal(challenge, other.challenge);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(challenge);
  }

  @Override
  public String toString() {
    return AuthBytes.describe("AuthChallenge", "challenge", challenge);
  }
}
