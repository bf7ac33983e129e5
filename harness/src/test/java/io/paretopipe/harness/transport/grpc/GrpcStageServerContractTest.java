package io.paretopipe.harness.transport.grpc;

import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.server.StageServer;
import io.paretopipe.harness.server.StageServerContractTest;
import io.paretopipe.harness.transport.Transport;

/**
 * The stage-server contract over {@code grpc}: raw stub calls ({@link GrpcRawHead}) where a head
 * would not make them.
 */
class GrpcStageServerContractTest extends StageServerContractTest {

  @Override
  protected StageServer.Factory factory() {
    return GrpcStageServer::start;
  }

  @Override
  protected Transport head(Authenticator authenticator) {
    return new GrpcTransport(Limits.DEFAULT, authenticator, null);
  }

  @Override
  protected AutoCloseable stallBeforeReady(StageServer server) {
    GrpcRawHead raw = new GrpcRawHead(server.address());
    raw.openSession(); // and never claimed
    return raw;
  }

  @Override
  protected StageException sendMalformedRequest(StageServer server) throws Exception {
    try (GrpcRawHead raw = new GrpcRawHead(server.address())) {
      GrpcRawHead.Call call = raw.infer(raw.openSession());
      call.requests.onNext(GrpcRawHead.request(1, DType.FLOAT32, new long[] {10}, 41));
      return call.awaitError(); // an error status ends the call
    }
  }

  @Override
  protected StageException sendRequestBeforeHandshake(StageServer server) throws Exception {
    try (GrpcRawHead raw = new GrpcRawHead(server.address())) {
      GrpcRawHead.Call call = raw.infer(null);
      call.requests.onNext(GrpcRawHead.request(1, DType.UINT8, new long[] {4}, 4));
      return call.awaitError();
    }
  }
}
