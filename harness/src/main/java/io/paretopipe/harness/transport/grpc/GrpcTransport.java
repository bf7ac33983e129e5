package io.paretopipe.harness.transport.grpc;

import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.transport.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code grpc} transport: grpc-java over Netty to a {@link GrpcStageServer}. Stateless and
 * thread-safe; each {@link #connect} opens a new {@link GrpcStageChannel} with its own HTTP/2
 * connection.
 */
public final class GrpcTransport implements Transport {
  /** The transport's name, "grpc". */
  public static final String NAME = "grpc";

  private final Limits limits;

  /** Default limits. */
  public GrpcTransport() {
    this(Limits.DEFAULT);
  }

  /** @param limits what the channel accepts from the stage (also its max inbound message size) */
  public GrpcTransport(Limits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public GrpcStageChannel connect(String address, Duration connectTimeout) throws IOException {
    return GrpcStageChannel.connect(address, connectTimeout, limits);
  }
}
