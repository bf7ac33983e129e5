package io.paretopipe.harness.driver;

import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.auth.SecretException;
import io.paretopipe.harness.auth.SharedSecret;
import io.paretopipe.harness.transport.grpc.GrpcClientTls;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a head proves and checks when it reaches its stages: an optional shared secret (HMAC
 * challenge-response on {@code nio} and {@code grpc}, see {@code io.paretopipe.harness.auth}) and,
 * for {@code grpc}, optional TLS with the certificates the head trusts. A {@link Pipeline} hands
 * the secret on to the stage servers it spawns and to middle stages (in their own configuration).
 *
 * <p>Immutable and thread-safe; one {@link Authenticator} per instance.
 */
public final class Credentials {
  /** No secret, no TLS: reaches only stages that require neither. */
  public static final Credentials NONE = new Credentials(null, null);

  private final SharedSecret secret;
  private final Authenticator authenticator;
  private final GrpcClientTls tls;

  private Credentials(SharedSecret secret, GrpcClientTls tls) {
    this.secret = secret;
    this.authenticator = secret == null ? null : Authenticator.create(secret);
    this.tls = tls;
  }

  /**
   * @param secret the shared secret, or null for none
   * @param tls the certificates to trust for TLS to {@code grpc} stages, or null for plaintext
   */
  public static Credentials of(SharedSecret secret, GrpcClientTls tls) {
    return secret == null && tls == null ? NONE : new Credentials(secret, tls);
  }

  /**
   * The secret configured by {@code --secret-file} (null if not given) or, failing that, the
   * environment ({@value SharedSecret#ENV_SECRET_FILE}, {@value SharedSecret#ENV_SECRET}); no TLS.
   *
   * @throws SecretException if the configured secret is unusable (the message says why and how to
   *     fix it)
   */
  public static Credentials resolve(Path secretFile, Map<String, String> environment)
      throws SecretException {
    return of(SharedSecret.resolve(secretFile, environment).orElse(null), null);
  }

  /**
   * As {@link #resolve} with no {@code --secret-file}: the secret of {@value
   * SharedSecret#ENV_SECRET_FILE} or {@value SharedSecret#ENV_SECRET}, or none if neither is set.
   *
   * @throws IllegalArgumentException if the configured secret is unusable (the message says why)
   */
  public static Credentials fromEnvironment() {
    try {
      return resolve(null, System.getenv());
    } catch (SecretException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** This with {@code tls} (null: plaintext). */
  public Credentials withTls(GrpcClientTls tls) {
    return of(secret, tls);
  }

  /** The shared secret, if any. */
  public Optional<SharedSecret> secret() {
    return Optional.ofNullable(secret);
  }

  /** The TLS settings for {@code grpc}, if any. */
  public Optional<GrpcClientTls> tls() {
    return Optional.ofNullable(tls);
  }

  /** The authenticator of the secret, or null without one. */
  public Authenticator authenticator() {
    return authenticator;
  }

  @Override
  public String toString() {
    return "Credentials[secret="
        + (secret == null ? "none" : secret.fingerprint())
        + ", tls="
        + (tls == null ? "none" : "on")
        + "]";
  }
}
