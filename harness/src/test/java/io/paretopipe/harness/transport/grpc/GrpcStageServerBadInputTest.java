package io.paretopipe.harness.transport.grpc;

import static io.paretopipe.harness.transport.TestStages.handshake;
import static io.paretopipe.harness.transport.TestStages.randomTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.TestStages;
import io.paretopipe.harness.transport.grpc.proto.HandshakeRequest;
import io.paretopipe.harness.transport.grpc.proto.InferRequest;
import io.paretopipe.harness.transport.grpc.proto.StageGrpc;
import io.paretopipe.harness.transport.grpc.proto.Tensor;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real {@link GrpcStageServer} on loopback fed bad input the way a grpc peer can send it: over
 * the size limit, malformed or inconsistent protobuf, requests without a handshake, raw non-HTTP/2
 * bytes, a client that vanishes. Each case ends in a typed error (the {@code paretopipe-error-code}
 * trailer, or grpc's own status mapped to a code), quickly; afterwards the same server still serves
 * a well-behaved client ({@link #serverStillServes()}).
 */
class GrpcStageServerBadInputTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The server under test accepts tensors up to 1 MiB. */
  private static final Limits LIMITS = Limits.DEFAULT.withMaxTensorBytes(1 << 20);

  private TestStages.EchoService service;
  private GrpcStageServer server;
  private GrpcRawHead head;

  @BeforeEach
  void startServer() throws IOException {
    service = new TestStages.EchoService(1);
    server =
        GrpcStageServer.start(
            service,
            StageServerOptions.builder()
                .optLimits(LIMITS)
                .optHandshakeTimeoutMillis(2_000)
                .build());
    head = new GrpcRawHead(server.address());
  }

  @AfterEach
  void serverStillServes() throws Exception {
    try {
      GrpcRawHead.assertServed(new GrpcTransport(), server.address());
    } finally {
      head.close();
      server.close();
    }
  }

  // ---- helpers ----

  private static void assertError(StageException e, ErrorCode code, String... fragments) {
    assertEquals(code, e.code(), e.getMessage());
    for (String f : fragments) {
      assertTrue(
          e.getMessage().contains(f), "message \"" + e.getMessage() + "\" lacks \"" + f + "\"");
    }
  }

  // ---- cases ----

  @Test
  void tensorOverTheMessageLimitIsFrameTooLarge() throws Exception {
    long[] shape = {16 << 20}; // 16 MiB, the server accepts 1 MiB
    io.paretopipe.harness.protocol.Tensor big = randomTensor(DType.UINT8, shape, 1);
    try (StageChannel channel =
        new GrpcTransport().connect(server.address(), Duration.ofSeconds(5))) {
      channel.handshake(handshake("resnet18"), TIMEOUT);
      channel.send(new InferenceRequest(1, big));
      StageException e = assertThrows(StageException.class, () -> channel.receive(TIMEOUT));
      // grpc rejects it from the 5-byte length prefix, before the stage's code or buffers see it
      assertError(
          e,
          ErrorCode.FRAME_TOO_LARGE,
          "exceeds maximum size " + (LIMITS.maxTensorBytes() + LIMITS.maxMetaBytes()));
      assertThrows(
          IOException.class, () -> channel.receive(TIMEOUT), "the stream is over after the error");
    }
    assertEquals(1, service.sessions.size());
    assertTrue(
        service.sessions.get(0).closed.await(10, TimeUnit.SECONDS),
        "session not closed after the error");
  }

  @Test
  void shapeOfTwoToTheFortyBytesIsFrameTooLarge() throws Exception {
    GrpcRawHead.Call call = head.infer(head.openSession());
    call.requests.onNext(GrpcRawHead.request(1, DType.UINT8, new long[] {1L << 40}, 0));
    assertError(
        call.awaitError(),
        ErrorCode.FRAME_TOO_LARGE,
        "1099511627776 bytes",
        "maxTensorBytes=1048576");
    assertTrue(
        service.sessions.get(0).closed.await(10, TimeUnit.SECONDS),
        "session not closed after the error");
  }

  @Test
  void hugeRankIsFrameTooLarge() throws Exception {
    GrpcRawHead.Call call = head.infer(head.openSession());
    call.requests.onNext(GrpcRawHead.request(1, DType.FLOAT32, new long[20], 0));
    assertError(call.awaitError(), ErrorCode.FRAME_TOO_LARGE, "rank 20", "maxRank=8");
  }

  /**
   * A million packed shape dims (1 MB on the wire, 8 MB and more as protobuf's list) are refused by
   * their count before protobuf parses them, and the request memory the message reserved is given
   * back.
   */
  @Test
  void aRequestWithAMillionPackedShapeDimsIsRefusedByItsFieldCountBeforeParsing() throws Exception {
    GrpcRawHead.Call call = head.infer(head.openSession());
    call.requests.onNext(GrpcRawHead.request(1, DType.FLOAT32, new long[1_000_000], 0));
    assertError(
        call.awaitError(),
        ErrorCode.FRAME_TOO_LARGE,
        "fields (shape dims and unknown fields count one each)",
        "more than the " + RequestSkimmer.MAX_FIELDS);
    assertTrue(
        service.sessions.get(0).closed.await(10, TimeUnit.SECONDS),
        "session not closed after the error");
    assertEquals(0, server.admission().reservedBytes());
  }

  /**
   * A handshake over {@code maxMetaBytes} (here 1.5 MiB of an unknown field, which protobuf would
   * keep) is refused by its size, before it is parsed, and opens no session.
   */
  @Test
  void aHandshakeOverMaxMetaBytesIsFrameTooLargeAndOpensNoSession() {
    HandshakeRequest big =
        GrpcRawHead.handshakeRequest()
            .setUnknownFields(
                com.google.protobuf.UnknownFieldSet.newBuilder()
                    .addField(
                        99,
                        com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                            .addLengthDelimited(
                                com.google.protobuf.ByteString.copyFrom(new byte[3 << 19]))
                            .build())
                    .build())
            .build();
    io.grpc.StatusRuntimeException e =
        assertThrows(io.grpc.StatusRuntimeException.class, () -> head.handshake(big));
    assertEquals(
        Integer.toString(ErrorCode.FRAME_TOO_LARGE.code()),
        e.getTrailers()
            .get(Metadata.Key.of("paretopipe-error-code", Metadata.ASCII_STRING_MARSHALLER)));
    assertTrue(
        e.getStatus()
            .getDescription()
            .contains(
                "a handshake of "
                    + big.getSerializedSize()
                    + " bytes is larger than the "
                    + LIMITS.maxMetaBytes()
                    + " bytes"),
        e.getStatus().toString());
    assertEquals(0, service.sessions.size());
    assertEquals(0, server.admission().heads());
  }

  @Test
  void unknownDtypeIsBadFrame() throws Exception {
    GrpcRawHead.Call call = head.infer(head.openSession());
    call.requests.onNext(
        InferRequest.newBuilder()
            .setRequestId(1)
            .setTensor(Tensor.newBuilder().setDtype(99).addShape(1))
            .build());
    assertError(call.awaitError(), ErrorCode.BAD_FRAME, "unknown dtype code 99");
  }

  @Test
  void garbageMessageIsBadFrame() throws Exception {
    MethodDescriptor.Marshaller<byte[]> bytes = GrpcRawHead.BYTES;
    MethodDescriptor<byte[], byte[]> method =
        StageGrpc.getInferMethod().toBuilder(bytes, bytes).build();
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("paretopipe-session", Metadata.ASCII_STRING_MARSHALLER),
        head.openSession());
    LinkedBlockingQueue<Throwable> end = new LinkedBlockingQueue<>();
    StreamObserver<byte[]> out =
        ClientCalls.asyncBidiStreamingCall(
            ClientInterceptors.intercept(
                    head.channel, MetadataUtils.newAttachHeadersInterceptor(headers))
                .newCall(method, CallOptions.DEFAULT),
            new StreamObserver<>() {
              @Override
              public void onNext(byte[] value) {
                end.add(
                    new IllegalStateException("unexpected reply of " + value.length + " bytes"));
              }

              @Override
              public void onError(Throwable t) {
                end.add(t);
              }

              @Override
              public void onCompleted() {
                end.add(new IllegalStateException("completed"));
              }
            });
    byte[] garbage = new byte[64];
    java.util.Arrays.fill(garbage, (byte) 0xFF); // a varint that never ends
    out.onNext(garbage);
    Throwable t = end.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertTrue(t != null, "no answer to a garbage message");
    assertEquals(
        Integer.toString(ErrorCode.BAD_FRAME.code()),
        Status.trailersFromThrowable(t)
            .get(Metadata.Key.of("paretopipe-error-code", Metadata.ASCII_STRING_MARSHALLER)),
        String.valueOf(t));
    assertTrue(
        Status.fromThrowable(t).getDescription().contains("is not a valid InferRequest"),
        String.valueOf(t));
    assertTrue(
        service.sessions.get(0).closed.await(10, TimeUnit.SECONDS),
        "session not closed after garbage");
  }

  @Test
  void inferWithAnUnknownSessionIsNotReady() throws Exception {
    GrpcRawHead.Call call = head.infer("no-such-session");
    assertError(call.awaitError(), ErrorCode.NOT_READY, "no open session no-such-session");
  }

  @Test
  void aSessionCanBeClaimedOnlyOnce() throws Exception {
    String id = head.openSession();
    GrpcRawHead.Call first = head.infer(id);
    first.requests.onNext(GrpcRawHead.request(1, DType.UINT8, new long[] {4}, 4));
    assertEquals(
        1, first.replies.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS).getResult().getRequestId());
    assertError(head.infer(id).awaitError(), ErrorCode.NOT_READY, "already in use");
    first.requests.onCompleted();
  }

  @Test
  void invalidHandshakeFieldIsBadHandshake() {
    io.grpc.StatusRuntimeException e =
        assertThrows(
            io.grpc.StatusRuntimeException.class,
            () ->
                StageGrpc.newBlockingStub(head.channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .handshake(
                        HandshakeRequest.newBuilder()
                            .setModel("resnet18")
                            .setClasses(1000)
                            .addInputShape(3)
                            .setUnitStart(4)
                            .setUnitEnd(9)
                            .setBatch(0)
                            .setDtype(DType.FLOAT32.code())
                            .build()));
    assertEquals(
        Integer.toString(ErrorCode.BAD_HANDSHAKE.code()),
        e.getTrailers()
            .get(Metadata.Key.of("paretopipe-error-code", Metadata.ASCII_STRING_MARSHALLER)));
    assertTrue(
        e.getStatus().getDescription().contains("batch 0 must be >= 1"), e.getStatus().toString());
    assertEquals(0, service.sessions.size());
  }

  @Test
  void rawBytesThatAreNotHttp2OnlyEndTheirOwnConnection() throws Exception {
    try (Socket s = new Socket(server.localAddress().getAddress(), server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: stage\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      long start = System.nanoTime();
      try {
        while (s.getInputStream().read() >= 0) {
          // whatever Netty answers, the connection must end
        }
      } catch (SocketException reset) {
        // a reset is an end too
      }
      assertTrue(
          System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10),
          "garbage connection not closed");
    }
  }

  @Test
  void clientVanishingMidStreamOnlyEndsItsOwnSession() throws Exception {
    try (StageChannel bystander =
        new GrpcTransport().connect(server.address(), Duration.ofSeconds(5))) {
      bystander.handshake(handshake("resnet18"), TIMEOUT);
      GrpcRawHead.Call vanishing = head.infer(head.openSession());
      vanishing.requests.onNext(GrpcRawHead.request(1, DType.UINT8, new long[] {1 << 19}, 1 << 19));
      assertEquals(
          1,
          vanishing.replies.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS).getResult().getRequestId());
      head.close(); // vanish: the connection drops with the stream open
      assertEquals(2, service.sessions.size());
      assertTrue(
          service.sessions.get(1).closed.await(10, TimeUnit.SECONDS),
          "the vanished client's session was not closed within 10 s");
      assertEquals(
          0, service.sessions.get(0).closeCount.get(), "the bystander's session must stay open");
      bystander.send(new InferenceRequest(2, randomTensor(DType.INT64, new long[] {3, 3}, 2)));
      assertEquals(2, bystander.receive(TIMEOUT).requestId());
    }
    awaitStreamCount(0);
  }

  private void awaitStreamCount(int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.streamCount() != expected) {
      if (System.nanoTime() > deadline) {
        fail("server still has " + server.streamCount() + " streams, expected " + expected);
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }
}
