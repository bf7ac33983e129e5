package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.protocol.Message;

/**
 * Stage to head after a valid {@link AuthProof}: the stage's own proof that it holds the secret,
 * which the head checks before it accepts the HANDSHAKE_REPLY that follows.
 *
 * <p>The bytes are opaque to the protocol (1..{@value AuthBytes#MAX_BYTES}); {@code
 * io.paretopipe.harness.auth.Authenticator} gives them meaning. Immutable: the array is copied in
 * and out.
 *
 * @param serverProof the bytes, 1..{@value AuthBytes#MAX_BYTES} of them
 */
public record AuthAccept(byte[] serverProof) implements Message {
  public AuthAccept {
    serverProof = AuthBytes.check("serverProof", serverProof);
  }

  /** A copy of the bytes. */
  @Override
  public byte[] serverProof() {
    return serverProof.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AuthAccept other && AuthBytes.equal(serverProof, other.serverProof);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(serverProof);
  }

  @Override
  public String toString() {
    return AuthBytes.describe("AuthAccept", "serverProof", serverProof);
  }
}
