package io.paretopipe.harness.transport.grpc;

import io.paretopipe.harness.server.ServerTls;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * The TLS identity of a {@link GrpcStageServer}: a PEM certificate chain (the stage's certificate
 * first, then any intermediates) and the unencrypted PKCS#8 PEM private key of its first
 * certificate. Heads connect with a {@link GrpcClientTls} that trusts this certificate (or the CA
 * that signed it) and verify that it names the host they dial (or their authority override).
 *
 * <p>Making one validates the files as they are at that moment: both exist and are readable, the
 * chain holds at least one X.509 certificate and its first has not expired, the key is an RSA or EC
 * PKCS#8 key and belongs to the first certificate. The server reads the files again when it starts.
 * Immutable and thread-safe; it holds only the paths, never the key.
 *
 * @param certificateChain PEM file with the stage's certificate first
 * @param privateKey PEM file with the PKCS#8 private key of that certificate
 */
public record GrpcServerTls(Path certificateChain, Path privateKey) implements ServerTls {
  /**
   * Validates the files, see the class comment.
   *
   * @throws IllegalArgumentException naming the file, what is wrong with it, and how to make a good
   *     pair
   */
  public GrpcServerTls {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
    List<X509Certificate> chain =
        PemFiles.certificates(certificateChain, "TLS certificate chain", PemFiles.HOW_TO_MAKE);
    PemFiles.checkNotExpired(chain.get(0), certificateChain);
    PemFiles.privateKeyOf(privateKey, chain.get(0), certificateChain);
  }

  /**
   * The identity in {@code chain} and {@code key}, validated (see the class comment).
   *
   * @throws IllegalArgumentException naming the file, what is wrong with it, and how to make a good
   *     pair
   */
  public static GrpcServerTls of(Path chain, Path key) {
    return new GrpcServerTls(chain, key);
  }
}
