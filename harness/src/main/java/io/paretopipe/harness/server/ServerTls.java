package io.paretopipe.harness.server;

import java.nio.file.Path;

/**
 * A stage's TLS identity as {@link StageServerOptions} carries it: a PEM certificate chain and its
 * PKCS#8 private key. Only the {@code grpc} server speaks TLS ({@code transport.grpc.GrpcServerTls}
 * validates the files when it is made); the {@code nio} server refuses options that name one.
 */
public interface ServerTls {
  /** PEM file with the stage's certificate first, then any intermediates. */
  Path certificateChain();

  /** PEM file with the unencrypted PKCS#8 private key of the first certificate. */
  Path privateKey();
}
