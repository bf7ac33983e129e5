package io.paretopipe.harness.transport.grpc;

import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.server.GrpcTuning;
import io.paretopipe.harness.transport.Transport;
import io.paretopipe.harness.transport.TransportKind;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code grpc} transport: grpc-java over Netty to a {@link GrpcStageServer}. Stateless and
 * thread-safe; each {@link #connect} opens a new {@link GrpcStageChannel} with its own HTTP/2
 * connection, plaintext or TLS, authenticating every call or not, as configured here.
 */
public final class GrpcTransport implements Transport {
  private final Limits limits;
  private final Authenticator authenticator;
  private final GrpcClientTls tls;
  private final GrpcTuning tuning;

  /** Default limits, plaintext, no authentication. */
  public GrpcTransport() {
    this(Limits.DEFAULT);
  }

  /**
   * Plaintext, no authentication.
   *
   * @param limits what the channel accepts from the stage (also its max inbound message size)
   */
  public GrpcTransport(Limits limits) {
    this(limits, null, null);
  }

  /**
   * A transport that authenticates and encrypts as asked.
   *
   * @param limits what the channel accepts from the stage (also its max inbound message size)
   * @param authenticator null for none; else every call proves the shared secret to the stage, and
   *     the stage must prove it back (a stage without the secret, or with another, is refused with
   *     {@link io.paretopipe.harness.protocol.ErrorCode#UNAUTHENTICATED}). Used, not owned: it may
   *     be shared with other transports and a stage server of the same process.
   * @param tls null for plaintext HTTP/2; else TLS, trusting only the certificates it names
   */
  public GrpcTransport(Limits limits, Authenticator authenticator, GrpcClientTls tls) {
    this(limits, authenticator, tls, GrpcTuning.DEFAULT);
  }

  /**
   * As {@link #GrpcTransport(Limits, Authenticator, GrpcClientTls)}, with the channel's HTTP/2
   * layer configured by {@code tuning} (the stage server's is its own {@link
   * io.paretopipe.harness.server.StageServerOptions#grpcTuning()}).
   */
  public GrpcTransport(
      Limits limits, Authenticator authenticator, GrpcClientTls tls, GrpcTuning tuning) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.authenticator = authenticator;
    this.tls = tls;
    this.tuning = Objects.requireNonNull(tuning, "tuning");
  }

  @Override
  public TransportKind kind() {
    return TransportKind.GRPC;
  }

  /**
   * Connects to the grpc stage at {@code address} ("HOST:PORT"), waiting until the HTTP/2
   * connection (and the TLS handshake, with TLS) is up. Authentication happens later, with each
   * call.
   *
   * @throws IOException naming the address, within about {@code connectTimeout}, if the stage
   *     cannot be reached or the TLS handshake fails (saying whether the stage speaks TLS and is
   *     trusted)
   */
  @Override
  public GrpcStageChannel connect(String address, Duration connectTimeout) throws IOException {
    return GrpcStageChannel.connect(address, connectTimeout, limits, authenticator, tls, tuning);
  }
}
