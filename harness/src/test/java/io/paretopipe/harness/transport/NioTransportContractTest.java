package io.paretopipe.harness.transport;

import java.time.Duration;

/** The transport contract over {@code nio}: a real {@link NioStageServer} on loopback, real sockets. */
class NioTransportContractTest extends TransportContractTest {
  @Override
  protected Stage start(StageService service) throws Exception {
    NioStageServer server = NioStageServer.start(service);
    NioTransport transport = new NioTransport();
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

  @Override
  protected String transportName() {
    return NioTransport.NAME;
  }
}
