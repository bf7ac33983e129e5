package io.paretopipe.harness.driver;

import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.server.GrpcTuning;
import io.paretopipe.harness.transport.Transport;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.harness.transport.grpc.GrpcTransport;
import io.paretopipe.harness.transport.nio.NioTransport;
import java.util.Objects;

/**
 * The head's side of each network transport, made from a {@link TransportKind} and the {@link
 * Credentials} to prove: the one place that knows which class implements which kind (the local
 * transport needs a stage service instead, see {@code transport.local.LocalTransport}).
 */
public final class Transports {
  private Transports() {}

  /**
   * A network transport proving {@code credentials} to the stages it reaches.
   *
   * @throws IllegalArgumentException for {@code local} (no network), or TLS with {@code nio} (which
   *     has none)
   */
  public static Transport network(TransportKind kind, Credentials credentials) {
    return network(kind, credentials, GrpcTuning.DEFAULT);
  }

  /**
   * As {@link #network(TransportKind, Credentials)}, a grpc channel configured by {@code tuning}.
   */
  public static Transport network(TransportKind kind, Credentials credentials, GrpcTuning tuning) {
    return network(kind, credentials, tuning, false);
  }

  /**
   * As {@link #network(TransportKind, Credentials, GrpcTuning)}; with {@code spinForAnswers} a nio
   * channel's receiving thread spins for answers ({@link SpinWaitPolicy} decides when that is safe;
   * other transports ignore it).
   */
  public static Transport network(
      TransportKind kind, Credentials credentials, GrpcTuning tuning, boolean spinForAnswers) {
    Objects.requireNonNull(kind, "kind");
    return switch (kind) {
      case GRPC ->
          new GrpcTransport(
              Limits.DEFAULT, credentials.authenticator(), credentials.tls().orElse(null), tuning);
      case NIO -> {
        if (credentials.tls().isPresent()) {
          throw new IllegalArgumentException(
              "TLS is offered by the grpc transport only: use --transport grpc, or"
                  + " drop the TLS option (nio authenticates with the shared secret but does not encrypt)");
        }
        yield new NioTransport(Limits.DEFAULT, 0, credentials.authenticator(), spinForAnswers);
      }
      case LOCAL ->
          throw new IllegalArgumentException(
              "transport 'local' has no network credentials: valid are nio, grpc");
    };
  }
}
