package io.paretopipe.harness.transport.grpc;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a head connects to {@code grpc} stages over TLS: which certificates it trusts, and optionally
 * which name it expects the stage's certificate to carry.
 *
 * <p>The head accepts a stage only if the stage's certificate chains up to one of {@code
 * trustedCertificates} (the stage's own self-signed certificate, or the CA that signed it) and
 * names the host the head dials, as a DNS name or IP address in its subjectAltName; with an {@code
 * authorityOverride} it must name that instead (useful when dialing an IP address that the
 * certificate does not list). Nothing else is trusted: not the JDK's CA store.
 *
 * <p>Making one validates the file as it is at that moment (exists, readable, at least one PEM
 * X.509 certificate); connections read it again. Immutable and thread-safe.
 *
 * @param trustedCertificates PEM file with the certificates the head trusts
 * @param authorityOverride the name (HOST or HOST:PORT) the stage's certificate must carry and the
 *     head sends as the HTTP/2 {@code :authority}, or null to use the address dialed
 */
public record GrpcClientTls(Path trustedCertificates, String authorityOverride) {
  private static final String HOW_TO_FIX =
      "give the head the stage's certificate (its cert.pem) or the CA that "
          + "signed it; a stage can "
          + PemFiles.HOW_TO_MAKE;

  /**
   * Validates the file and the override, see the class comment.
   *
   * @throws IllegalArgumentException naming the file or override and what is wrong with it
   */
  public GrpcClientTls {
    Objects.requireNonNull(trustedCertificates, "trustedCertificates");
    PemFiles.certificates(trustedCertificates, "TLS trusted certificates file", HOW_TO_FIX);
    if (authorityOverride != null
        && (authorityOverride.isBlank()
            || !authorityOverride.matches("[A-Za-z0-9._~%!$&'()*+,;=:\\[\\]-]+"))) {
      throw new IllegalArgumentException(
          "TLS authority override \""
              + authorityOverride
              + "\" is not a host name: "
              + "expected the DNS name or IP address the stage's certificate lists, e.g. stage1.lab or stage1.lab:7000");
    }
  }

  /**
   * Trust {@code trusted}, expecting the stage's certificate to name {@code authorityOverride} (or,
   * if null, the host dialed).
   *
   * @throws IllegalArgumentException naming the file or override and what is wrong with it
   */
  public static GrpcClientTls of(Path trusted, String authorityOverride) {
    return new GrpcClientTls(trusted, authorityOverride);
  }

  /** grpc's credentials for this trust, read now. */
  ChannelCredentials credentials() throws IOException {
    try {
      return TlsChannelCredentials.newBuilder().trustManager(trustedCertificates.toFile()).build();
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          "cannot read the TLS trusted certificates " + trustedCertificates + ": " + e.getMessage(),
          e);
    }
  }
}
