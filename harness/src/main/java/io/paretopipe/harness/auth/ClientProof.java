package io.paretopipe.harness.auth;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * What a head sends to prove it holds the shared secret: the stage's challenge it answers, a fresh
 * nonce of its own and the proof, HMAC-SHA256 over both and the exchange's context (see {@link
 * Authenticator}). On the wire it is {@value #BYTES} bytes: challenge ({@value
 * Authenticator#CHALLENGE_BYTES}), client nonce ({@value Authenticator#NONCE_BYTES}), proof
 * ({@value Authenticator#PROOF_BYTES}), in that order; nothing in it is secret.
 *
 * <p>Immutable: the constructor and the accessors copy the arrays.
 *
 * @param challenge the stage's challenge, {@value Authenticator#CHALLENGE_BYTES} bytes
 * @param clientNonce random bytes chosen by the head, {@value Authenticator#NONCE_BYTES} bytes
 * @param proof HMAC-SHA256 over the challenge, the client nonce and the context, {@value
 *     Authenticator#PROOF_BYTES} bytes
 */
public record ClientProof(byte[] challenge, byte[] clientNonce, byte[] proof) {
  /** Size of the wire form. */
  public static final int BYTES =
      Authenticator.CHALLENGE_BYTES + Authenticator.NONCE_BYTES + Authenticator.PROOF_BYTES;

  /**
   * @throws IllegalArgumentException naming the field whose length is wrong
   */
  public ClientProof {
    challenge = checkLength("challenge", challenge, Authenticator.CHALLENGE_BYTES);
    clientNonce = checkLength("clientNonce", clientNonce, Authenticator.NONCE_BYTES);
    proof = checkLength("proof", proof, Authenticator.PROOF_BYTES);
  }

  /**
   * Parses the wire form.
   *
   * @throws AuthenticationException if {@code bytes} is not exactly {@value #BYTES} bytes long
   */
  public static ClientProof decode(byte[] bytes) throws AuthenticationException {
    if (bytes == null || bytes.length != BYTES) {
      throw new AuthenticationException(
          "malformed authentication proof: "
              + (bytes == null ? "none" : bytes.length + " bytes")
              + " where "
              + BYTES
              + " are expected");
    }
    int nonceAt = Authenticator.CHALLENGE_BYTES;
    int proofAt = nonceAt + Authenticator.NONCE_BYTES;
    return new ClientProof(
        Arrays.copyOfRange(bytes, 0, nonceAt),
        Arrays.copyOfRange(bytes, nonceAt, proofAt),
        Arrays.copyOfRange(bytes, proofAt, BYTES));
  }

  /** The {@value #BYTES}-byte wire form. */
  public byte[] encode() {
    byte[] out = new byte[BYTES];
    System.arraycopy(challenge, 0, out, 0, challenge.length);
    System.arraycopy(clientNonce, 0, out, Authenticator.CHALLENGE_BYTES, clientNonce.length);
    System.arraycopy(
        proof, 0, out, Authenticator.CHALLENGE_BYTES + Authenticator.NONCE_BYTES, proof.length);
    return out;
  }

  @Override
  public byte[] challenge() {
    return challenge.clone();
  }

  @Override
  public byte[] clientNonce() {
    return clientNonce.clone();
  }

  @Override
  public byte[] proof() {
    return proof.clone();
  }

  private static byte[] checkLength(String field, byte[] value, int expected) {
    if (value == null || value.length != expected) {
      throw new IllegalArgumentException(
          field
              + ": "
              + (value == null ? "null" : value.length + " bytes")
              + " (expected: "
              + expected
              + " bytes)");
    }
    return value.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientProof p && Arrays.equals(encode(), p.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "ClientProof[" + HexFormat.of().formatHex(encode()) + "]";
  }
}
