package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.protocol.Message;

/**
 * Head to stage, the answer to an {@link AuthChallenge}: the encoded {@code auth.ClientProof}
 * (challenge, client nonce and HMAC) over the HANDSHAKE frame.
 *
 * <p>The bytes are opaque to the protocol (1..{@value AuthBytes#MAX_BYTES}); {@code
 * io.paretopipe.harness.auth.Authenticator} gives them meaning. Immutable: the array is copied in
 * and out.
 *
 * @param proof the bytes, 1..{@value AuthBytes#MAX_BYTES} of them
 */
public record AuthProof(byte[] proof) implements Message {
  public AuthProof {
    proof = AuthBytes.check("proof", proof);
  }

  /** A copy of the bytes. */
  @Override
  public byte[] proof() {
    return proof.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AuthProof other && AuthBytes.equal(proof, other.proof);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(proof);
  }

  @Override
  public String toString() {
    return AuthBytes.describe("AuthProof", "proof", proof);
  }
}
