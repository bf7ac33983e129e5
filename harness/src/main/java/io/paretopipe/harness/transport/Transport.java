package io.paretopipe.harness.transport;

import java.io.IOException;
import java.time.Duration;

/**
 * A way of reaching a stage, one implementation per {@link TransportKind}: {@code
 * transport.nio.NioTransport}, {@code transport.grpc.GrpcTransport}, {@code
 * transport.local.LocalTransport}.
 */
public interface Transport {
  /** Which transport this is. */
  TransportKind kind();

  /**
   * Opens a channel to the stage at {@code address}; the channel still needs its handshake.
   *
   * @param address "HOST:PORT" (ignored by {@code local})
   * @param connectTimeout how long to wait for the connection to be established
   * @throws IOException if the stage cannot be reached in time (the message names the address)
   * @throws IllegalArgumentException if {@code address} is not HOST:PORT
   */
  StageChannel connect(String address, Duration connectTimeout) throws IOException;
}
