package io.paretopipe.harness.transport.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.TransportContractTest;
import io.paretopipe.harness.transport.TransportKind;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The transport contract over {@code nio}: a real {@link NioStageServer} on loopback, real sockets.
 */
class NioTransportContractTest extends TransportContractTest {
  @Override
  protected Stage start(StageService service) throws Exception {
    NioStageServer server = NioStageServer.start(service);
    NioTransport transport = transport();
    return new Stage() {
      @Override
      public StageChannel connect() throws Exception {
        return transport.connect(server.address(), Duration.ofSeconds(10));
      }

      @Override
      public void close() {
        server.close();
      }
    };
  }

  /** The head's transport under test. */
  protected NioTransport transport() {
    return new NioTransport();
  }

  @Override
  protected String transportName() {
    return TransportKind.NIO.toString();
  }

  @Test
  void connectingToAPortNobodyListensOnFailsAtOnceSayingWhatToStart() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress("127.0.0.1", 0));
      port = probe.getLocalPort();
    }
    String address = "127.0.0.1:" + port;
    long start = System.nanoTime();
    IOException e =
        assertThrows(
            IOException.class, () -> new NioTransport().connect(address, Duration.ofSeconds(20)));
    assertTrue(
        (System.nanoTime() - start) / 1_000_000 < 10_000,
        "a refused connection must not wait for the timeout");
    assertEquals(
        "cannot connect to stage at "
            + address
            + ": connection refused (Connection refused). Is a stage "
            + "server (paretopipe.jar serve --listen "
            + address
            + ") running there?",
        e.getMessage());
  }
}
