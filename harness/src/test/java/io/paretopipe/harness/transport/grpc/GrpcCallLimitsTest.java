package io.paretopipe.harness.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.auth.AuthenticatorTest;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.TestStages;
import io.paretopipe.harness.transport.grpc.proto.StageGrpc;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The limits a grpc stage server sets per call and per connection ({@link GrpcCallLimits}, {@link
 * StageServerOptions#maxCallsPerConnection()}), on a real server with a shared secret and the
 * default 512 MiB tensor limit, probed by a peer without the secret; after each case a head with
 * the secret is served.
 */
class GrpcCallLimitsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** Raw bytes, any size: what a hostile peer sends as a message. */
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = GrpcRawHead.BYTES;

  private GrpcStageServer server;
  private GrpcRawHead peer;

  @BeforeEach
  void startServer() throws IOException {
    server =
        GrpcStageServer.start(
            new TestStages.EchoService(1),
            StageServerOptions.builder()
                .optAuthenticator(Authenticator.create(AuthenticatorTest.SECRET))
                .optMaxCallsPerConnection(2)
                .build());
    peer = new GrpcRawHead(server.address());
  }

  @AfterEach
  void aHeadWithTheSecretIsStillServed() throws Exception {
    try {
      GrpcRawHead.assertServed(
          new GrpcTransport(
              io.paretopipe.harness.protocol.Limits.DEFAULT,
              Authenticator.create(AuthenticatorTest.SECRET),
              null),
          server.address());
    } finally {
      peer.close();
      server.close();
    }
  }

  /** A call of {@code method} with raw bytes; the listener collects its status. */
  private static final class RawCall extends ClientCall.Listener<byte[]> {
    final LinkedBlockingQueue<Status> end = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();
    final ClientCall<byte[], byte[]> call;

    RawCall(GrpcRawHead head, String fullMethodName, MethodDescriptor.MethodType type) {
      MethodDescriptor<byte[], byte[]> method =
          MethodDescriptor.<byte[], byte[]>newBuilder()
              .setType(type)
              .setFullMethodName(fullMethodName)
              .setRequestMarshaller(BYTES)
              .setResponseMarshaller(BYTES)
              .build();
      call = head.channel.newCall(method, CallOptions.DEFAULT);
      call.start(this, new Metadata());
      call.request(1);
    }

    @Override
    public void onMessage(byte[] message) {
      messages.add(message);
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      end.add(status);
    }

    Status send(byte[] message) throws InterruptedException {
      call.sendMessage(message);
      call.halfClose();
      Status status = end.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertNotNull(status, "the call did not end");
      return status;
    }
  }

  @Test
  void aChallengeRequestOfSixteenMebibytesIsResetBeforeItIsWholeNotRefusedAfterward()
      throws Exception {
    RawCall c =
        new RawCall(
            peer, GrpcAuth.CHALLENGE.getFullMethodName(), MethodDescriptor.MethodType.UNARY);
    Status status = c.send(new byte[16 << 20]);
    // had grpc buffered the whole message, the challenge service would have answered
    // INVALID_ARGUMENT "a challenge request must be empty"
    assertEquals(Status.Code.CANCELLED, status.getCode(), status.toString());
  }

  @Test
  void aHandshakeOfSixteenMebibytesIsResetBeforeItIsWhole() throws Exception {
    // without a secret the Handshake method reads its message (with one, the proof in the headers
    // is checked first and a call without one ends before its message is read)
    try (GrpcStageServer open =
            GrpcStageServer.start(new TestStages.EchoService(1), StageServerOptions.defaults());
        GrpcRawHead head = new GrpcRawHead(open.address())) {
      RawCall c =
          new RawCall(
              head,
              StageGrpc.getHandshakeMethod().getFullMethodName(),
              MethodDescriptor.MethodType.UNARY);
      Status status = c.send(new byte[16 << 20]);
      // had grpc buffered the whole message, BoundedMarshaller would have refused it as
      // FRAME_TOO_LARGE (INVALID_ARGUMENT); over 2 x maxMetaBytes it is reset as its bytes arrive
      assertEquals(Status.Code.CANCELLED, status.getCode(), status.toString());
    }
  }

  @Test
  void anEmptyChallengeIsAnswered() throws Exception {
    RawCall c =
        new RawCall(
            peer, GrpcAuth.CHALLENGE.getFullMethodName(), MethodDescriptor.MethodType.UNARY);
    assertEquals(Status.Code.OK, c.send(new byte[0]).getCode());
    assertEquals(Authenticator.CHALLENGE_BYTES, c.messages.poll().length);
  }

  @Test
  void aConnectionGetsNoMoreThanMaxCallsPerConnectionStreamsAtOnce() throws Exception {
    // one call to the end first: the connection is up and the server's SETTINGS are in, so the
    // next calls open their streams on it in the order they start (calls started before the
    // connection is ready wait in grpc's delayed transport and may be given streams in any order,
    // the third before the other two)
    assertEquals(
        Status.Code.OK,
        new RawCall(peer, GrpcAuth.CHALLENGE.getFullMethodName(), MethodDescriptor.MethodType.UNARY)
            .send(new byte[0])
            .getCode());
    // two calls that never send their request hold both streams of the connection
    RawCall a =
        new RawCall(
            peer, GrpcAuth.CHALLENGE.getFullMethodName(), MethodDescriptor.MethodType.UNARY);
    RawCall b =
        new RawCall(
            peer, GrpcAuth.CHALLENGE.getFullMethodName(), MethodDescriptor.MethodType.UNARY);
    RawCall third =
        new RawCall(
            peer, GrpcAuth.CHALLENGE.getFullMethodName(), MethodDescriptor.MethodType.UNARY);
    third.call.sendMessage(new byte[0]);
    third.call.halfClose();
    // the server announced SETTINGS_MAX_CONCURRENT_STREAMS 2: the third waits for a free stream
    assertNull(third.end.poll(1, TimeUnit.SECONDS), "a third stream was served at once");
    a.call.cancel("free a stream", null);
    b.call.cancel("free a stream", null);
    Status status = third.end.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertNotNull(status, "the third call never ended");
  }
}
