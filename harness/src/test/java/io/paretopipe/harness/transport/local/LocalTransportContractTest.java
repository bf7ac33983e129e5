package io.paretopipe.harness.transport.local;

import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.TransportContractTest;
import io.paretopipe.harness.transport.TransportKind;
import java.time.Duration;

/** The transport contract over {@code local}: the service is called in this process. */
class LocalTransportContractTest extends TransportContractTest {
  @Override
  protected Stage start(StageService service) {
    LocalTransport transport = new LocalTransport(service);
    return new Stage() {
      @Override
      public StageChannel connect() {
        return transport.connect("ignored:0", Duration.ofSeconds(1));
      }

      @Override
      public void close() {}
    };
  }

  @Override
  protected String transportName() {
    return TransportKind.LOCAL.toString();
  }
}
