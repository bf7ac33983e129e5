package io.paretopipe.harness.server;

import io.paretopipe.harness.transport.HostPort;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.TransportKind;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A running stage server: it serves a {@link StageService} to heads over one transport, with the
 * {@link Admission} and {@link DispatchStrategy} its {@link StageServerOptions} configure. The
 * transports supply only their socket or Netty glue ({@code transport.nio.NioStageServer}, {@code
 * transport.grpc.GrpcStageServer}).
 *
 * <p>Lifecycle: listening from the moment it is returned; {@link #close} stops accepting, ends
 * every connection (closing its session and releasing its slot and request memory) and waits a
 * bounded time for the server's threads; closing twice is harmless. Thread-safe.
 */
public interface StageServer extends AutoCloseable {
  /** How a server of one transport is started. */
  @FunctionalInterface
  interface Factory {
    /**
     * @throws IOException naming the address if it cannot be bound
     * @throws IllegalArgumentException for options the transport cannot honour
     */
    StageServer start(StageService service, StageServerOptions options) throws IOException;
  }

  /** The transport it speaks. */
  TransportKind kind();

  /** Where it listens: the bind address with the actual port. */
  InetSocketAddress localAddress();

  /** The port it listens on (the actual one when bound to port 0). */
  default int port() {
    return localAddress().getPort();
  }

  /** Where it listens, as "HOST:PORT", usable with the transport's {@code connect}. */
  default String address() {
    return HostPort.format(localAddress());
  }

  /** Its slots, request memory and pool, with their counters. */
  Admission admission();

  @Override
  void close();
}
