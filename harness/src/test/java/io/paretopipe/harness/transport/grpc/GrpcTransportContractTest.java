package io.paretopipe.harness.transport.grpc;

import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.server.GrpcTuning;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.TransportContractTest;
import io.paretopipe.harness.transport.TransportKind;
import java.time.Duration;

/**
 * The transport contract over {@code grpc}: a real {@link GrpcStageServer} on loopback, real HTTP/2
 * connections.
 */
class GrpcTransportContractTest extends TransportContractTest {
  @Override
  protected Stage start(StageService service) throws Exception {
    GrpcStageServer server =
        GrpcStageServer.start(
            service, StageServerOptions.builder().optGrpcTuning(tuning()).build());
    GrpcTransport transport = new GrpcTransport(Limits.DEFAULT, null, null, tuning());
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

  /** Both ends' HTTP/2 settings. */
  protected GrpcTuning tuning() {
    return GrpcTuning.DEFAULT;
  }

  @Override
  protected String transportName() {
    return TransportKind.GRPC.toString();
  }
}
