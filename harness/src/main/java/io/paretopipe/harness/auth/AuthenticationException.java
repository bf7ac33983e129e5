package io.paretopipe.harness.auth;

/**
 * A peer failed to authenticate: no proof, a malformed one, one for another challenge or another
 * call, an expired or replayed challenge, or a proof made with a different secret. The message says
 * which, for logs and for the peer; it never contains secret material.
 *
 * <p>On the wire this is a connection-level refusal: the stage answers with an error whose code the
 * transport maps (the frame protocol's ERROR with request id -1, grpc's {@code UNAUTHENTICATED}
 * status) and closes.
 */
public final class AuthenticationException extends Exception {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(String message) {
    super(message);
  }
}
