package io.paretopipe.harness.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.server.StageServer;
import io.paretopipe.harness.server.StageServerContractTest;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.Transport;
import io.paretopipe.harness.transport.grpc.proto.InferReply;
import io.paretopipe.harness.transport.grpc.proto.InferRequest;
import io.paretopipe.harness.transport.grpc.proto.StageGrpc;
import java.nio.ByteBuffer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

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
  protected StageServerOptions.Builder withPendingQuota(
      StageServerOptions.Builder options, int pending, int heads) {
    return options.optMaxPendingConnections(pending);
  }

  @Override
  protected int pendingConnections(StageServer server) {
    return ((GrpcStageServer) server).connections().pendingConnections();
  }

  @Override
  protected int displacedConnections(StageServer server) {
    return ((GrpcStageServer) server).connections().displacedConnections();
  }

  @Override
  protected int refusedPerSource(StageServer server) {
    return ((GrpcStageServer) server).connections().refusedPerSource();
  }

  /** HTTP/2 frame types a connection may carry before any call: SETTINGS, WINDOW_UPDATE. */
  private static final int SETTINGS = 0x4;

  private static final int WINDOW_UPDATE = 0x8;

  /**
   * Closed beneath grpc: over the source cap at accept, before grpc's HTTP/2 SETTINGS (no byte at
   * all); displaced with at most the connection-level frames grpc sends unasked (SETTINGS,
   * WINDOW_UPDATE on stream 0), never a GOAWAY, a stream or an answer.
   */
  @Override
  protected void assertRefused(byte[] received, Refusal refusal) {
    if (refusal == Refusal.OVER_SOURCE_CAP) {
      assertEquals(0, received.length, "closed at accept: not even grpc's HTTP/2 SETTINGS came");
      return;
    }
    ByteBuffer frames = ByteBuffer.wrap(received);
    while (frames.remaining() >= 9) {
      int length = (frames.getShort() & 0xffff) << 8 | (frames.get() & 0xff);
      int type = frames.get() & 0xff;
      frames.get(); // flags
      int stream = frames.getInt() & 0x7fffffff;
      assertTrue(
          (type == SETTINGS || type == WINDOW_UPDATE) && stream == 0,
          "a displaced connection got HTTP/2 frame type " + type + " on stream " + stream);
      frames.position(Math.min(frames.limit(), frames.position() + length));
    }
    assertEquals(0, frames.remaining(), "a partial HTTP/2 frame");
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
  protected StalledHead stopReading(StageServer server, int requests, int floats) {
    GrpcRawHead raw = new GrpcRawHead(server.address());
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("paretopipe-session", Metadata.ASCII_STRING_MARSHALLER), raw.openSession());
    ClientCall<InferRequest, InferReply> call =
        raw.channel.newCall(StageGrpc.getInferMethod(), CallOptions.DEFAULT);
    LinkedBlockingQueue<Status> end = new LinkedBlockingQueue<>();
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            end.add(status);
          }
        },
        headers);
    // no call.request(n): the results stay in the transport, unread
    for (int id = 1; id <= requests; id++) {
      call.sendMessage(GrpcRawHead.request(id, DType.FLOAT32, new long[] {floats}, floats * 4));
    }
    return new StalledHead() {
      @Override
      public void awaitEnded() throws Exception {
        call.request(Integer.MAX_VALUE); // read what is left, up to the end
        Status status = end.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(status, "the stalled call did not end");
        assertFalse(status.isOk(), "the stalled call ended OK");
      }

      @Override
      public void close() {
        call.cancel("test over", null);
        raw.close();
      }
    };
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
