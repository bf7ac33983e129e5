package io.paretopipe.harness.transport;

import io.paretopipe.harness.transport.local.LocalTransport;
import io.paretopipe.harness.transport.nio.NioTransport;
import java.io.IOException;
import java.time.Duration;

/**
 * A way of reaching a stage: {@code nio} ({@link NioTransport}), {@code grpc} ({@link
 * io.paretopipe.harness.transport.grpc.GrpcTransport}), {@code local} ({@link LocalTransport}).
 */
public interface Transport {
  /** The name used on the command line and in results, e.g. "nio". */
  String name();

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
