package io.paretopipe.harness.transport.nio;

import static io.paretopipe.harness.transport.TestStages.handshake;
import static io.paretopipe.harness.transport.TestStages.randomTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.TestStages;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real {@link NioStageServer} on loopback fed bad bytes over real sockets. Every case must end in
 * a typed ERROR frame followed by the server closing the connection, quickly, and afterwards the
 * same server must still serve a well-behaved client ({@link #serverStillServes()}).
 */
class NioStageServerBadInputTest {
  private static final int SOCKET_TIMEOUT_MILLIS = 10_000;

  /** The server under test accepts tensors up to 1 MiB, so absurd lengths are far over it. */
  private static final Limits LIMITS = Limits.DEFAULT.withMaxTensorBytes(1 << 20);

  private TestStages.EchoService service;
  private NioStageServer server;

  @BeforeEach
  void startServer() throws IOException {
    service = new TestStages.EchoService(1);
    server =
        NioStageServer.start(
            service, StageServerOptions.builder().optLimits(LIMITS).optMaxConnections(4).build());
  }

  @AfterEach
  void serverStillServes() throws Exception {
    try (StageChannel channel =
        new NioTransport().connect(server.address(), Duration.ofSeconds(5))) {
      channel.handshake(handshake("resnet18"), Duration.ofSeconds(10));
      channel.send(new InferenceRequest(9, randomTensor(DType.FLOAT32, new long[] {2, 8}, 9)));
      assertTrue(
          channel
              .receive(Duration.ofSeconds(10))
              .tensor()
              .equalsBytes(randomTensor(DType.FLOAT32, new long[] {2, 8}, 9)));
    } finally {
      server.close();
    }
  }

  // ---- helpers ----

  private Socket rawClient() throws IOException {
    Socket s = new Socket(server.localAddress().getAddress(), server.port());
    s.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
    s.setTcpNoDelay(true);
    return s;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private static byte[] validHandshake() throws StageException {
    return bytes(FrameCodec.encode(handshake("resnet18"), Limits.DEFAULT));
  }

  private static byte[] header(
      int magic, int version, int type, int flags, long metaLength, long payloadLength) {
    return ByteBuffer.allocate(FrameCodec.HEADER_BYTES)
        .putInt(magic)
        .putShort((short) version)
        .put((byte) type)
        .put((byte) flags)
        .putInt((int) metaLength)
        .putLong(payloadLength)
        .array();
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  /**
   * Sends {@code bytes} (then half-closes if asked) and returns the ERROR frame the server answers
   * with.
   */
  private ErrorReport sendAndExpectError(byte[] bytes, boolean halfClose, boolean handshakeFirst)
      throws Exception {
    long start = System.nanoTime();
    try (Socket s = rawClient()) {
      OutputStream out = s.getOutputStream();
      FrameReader reader = new FrameReader(Channels.newChannel(s.getInputStream()), Limits.DEFAULT);
      if (handshakeFirst) {
        out.write(validHandshake());
        Message reply = reader.read();
        assertTrue(reply instanceof HandshakeReply, "expected a handshake reply, got " + reply);
      }
      out.write(bytes);
      out.flush();
      if (halfClose) {
        s.shutdownOutput();
      }
      Message m = reader.read();
      assertTrue(m instanceof ErrorReport, "expected an ERROR frame, got " + m);
      ErrorReport error = (ErrorReport) m;
      assertEquals(StageException.NO_REQUEST, error.requestId());
      try {
        assertNull(
            reader.read(), "the server must close the connection after a connection-level error");
      } catch (SocketException reset) {
        // a reset is a close too
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(millis < 5_000, "bad input took " + millis + " ms to be rejected");
      return error;
    }
  }

  private static void assertError(ErrorReport e, ErrorCode code, String... fragments) {
    assertEquals(code, e.code(), e.message());
    for (String f : fragments) {
      assertTrue(e.message().contains(f), "message \"" + e.message() + "\" lacks \"" + f + "\"");
    }
  }

  // ---- cases ----

  @Test
  void httpRequestIsRejectedAsBadMagic() throws Exception {
    ErrorReport e =
        sendAndExpectError(
            "GET / HTTP/1.1\r\nHost: stage\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            false,
            false);
    assertError(e, ErrorCode.BAD_FRAME, "bad magic 0x47455420", "0x50504950");
  }

  @Test
  void randomGarbageIsRejected() throws Exception {
    byte[] garbage = new byte[4096];
    new Random(3).nextBytes(garbage);
    assertError(sendAndExpectError(garbage, false, false), ErrorCode.BAD_FRAME, "bad magic");
  }

  @Test
  void wrongMagicIsRejected() throws Exception {
    byte[] frame = validHandshake();
    frame[0] = 'X';
    assertError(
        sendAndExpectError(frame, false, false), ErrorCode.BAD_FRAME, "bad magic 0x58504950");
  }

  @Test
  void wrongVersionIsRejected() throws Exception {
    byte[] frame = validHandshake();
    frame[5] = 2;
    assertError(
        sendAndExpectError(frame, false, false),
        ErrorCode.UNSUPPORTED_VERSION,
        "protocol version 2 is not supported: this side speaks version 1");
  }

  @Test
  void unknownFrameTypeIsRejected() throws Exception {
    byte[] frame = validHandshake();
    frame[6] = 99;
    assertError(
        sendAndExpectError(frame, false, false), ErrorCode.BAD_FRAME, "unknown frame type 99");
  }

  @Test
  void truncatedHeaderIsRejected() throws Exception {
    byte[] frame = Arrays.copyOf(validHandshake(), 7);
    assertError(
        sendAndExpectError(frame, true, false),
        ErrorCode.BAD_FRAME,
        "connection ended after 7 of the 20 bytes of a frame header");
  }

  @Test
  void truncatedMetadataIsRejected() throws Exception {
    byte[] full = validHandshake();
    byte[] frame = Arrays.copyOf(full, 30);
    assertError(
        sendAndExpectError(frame, true, false),
        ErrorCode.BAD_FRAME,
        "connection ended after 10 of the "
            + (full.length - 20)
            + " metadata bytes of a HANDSHAKE frame");
  }

  @Test
  void truncatedPayloadIsRejected() throws Exception {
    byte[] request =
        bytes(
            FrameCodec.encode(
                new InferenceRequest(1, randomTensor(DType.FLOAT32, new long[] {1000}, 1)),
                Limits.DEFAULT));
    byte[] frame = Arrays.copyOf(request, request.length - 1000);
    assertError(
        sendAndExpectError(frame, true, true),
        ErrorCode.BAD_FRAME,
        "connection ended after 3000 of the 4000 payload bytes of a REQUEST frame");
  }

  @Test
  void tensorOfTwoToTheFortyBytesIsRejectedBeforeAllocation() throws Exception {
    long absurd = 1L << 40;
    ByteBuffer meta =
        ByteBuffer.allocate(8 + 2 + 1 + 8)
            .putLong(1)
            .put((byte) DType.UINT8.code())
            .put((byte) 1)
            .put((byte) 1)
            .putLong(absurd);
    byte[] frame =
        concat(
            header(FrameCodec.MAGIC, 1, FrameType.REQUEST.code(), 0, meta.capacity(), absurd),
            meta.array());
    assertError(
        sendAndExpectError(frame, false, true),
        ErrorCode.FRAME_TOO_LARGE,
        "REQUEST frame declares 1099511627776 payload bytes",
        "maxTensorBytes=1048576");
  }

  @Test
  void payloadOverTheLimitAllocatesNothing() throws Exception {
    BufferPoolMXBean direct =
        ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(p -> p.getName().equals("direct"))
            .findFirst()
            .orElseThrow();
    long declared = 64L << 20; // 64 MiB: allocatable in this JVM, but over the server's 1 MiB limit
    ByteBuffer meta =
        ByteBuffer.allocate(8 + 2 + 1 + 8)
            .putLong(1)
            .put((byte) DType.UINT8.code())
            .put((byte) 1)
            .put((byte) 1)
            .putLong(declared);
    byte[] frame =
        concat(
            header(FrameCodec.MAGIC, 1, FrameType.REQUEST.code(), 0, meta.capacity(), declared),
            meta.array());
    long before = direct.getTotalCapacity();
    ErrorReport e = sendAndExpectError(frame, false, true);
    long grownBytes = direct.getTotalCapacity() - before;
    assertError(e, ErrorCode.FRAME_TOO_LARGE, "67108864 payload bytes");
    assertTrue(
        grownBytes < declared / 2,
        "direct memory grew by " + grownBytes + " bytes for a rejected frame");
  }

  @Test
  void absurdMetadataLengthIsRejected() throws Exception {
    byte[] frame = header(FrameCodec.MAGIC, 1, FrameType.HANDSHAKE.code(), 0, 0xFFFF_FFFFL, 0);
    assertError(
        sendAndExpectError(frame, false, false),
        ErrorCode.FRAME_TOO_LARGE,
        "HANDSHAKE frame declares 4294967295 metadata bytes",
        "maxMetaBytes=1048576");
  }

  @Test
  void hugeRankIsRejected() throws Exception {
    ByteBuffer meta =
        ByteBuffer.allocate(8 + 3)
            .putLong(1)
            .put((byte) DType.FLOAT32.code())
            .put((byte) 1)
            .put((byte) 200);
    byte[] frame =
        concat(
            header(FrameCodec.MAGIC, 1, FrameType.REQUEST.code(), 0, meta.capacity(), 0),
            meta.array());
    assertError(
        sendAndExpectError(frame, false, true), ErrorCode.FRAME_TOO_LARGE, "rank 200", "maxRank=8");
  }

  @Test
  void hugeStringLengthIsRejected() throws Exception {
    ByteBuffer meta = ByteBuffer.allocate(4 + 16).putInt(0x7FFF_FFFF).put(new byte[16]);
    byte[] frame =
        concat(
            header(FrameCodec.MAGIC, 1, FrameType.HANDSHAKE.code(), 0, meta.capacity(), 0),
            meta.array());
    assertError(
        sendAndExpectError(frame, false, false),
        ErrorCode.FRAME_TOO_LARGE,
        "model is 2147483647 bytes long",
        "maxStringBytes=65536");
  }

  @Test
  void invalidHandshakeFieldIsBadHandshake() throws Exception {
    byte[] frame = validHandshake();
    // batch is the i32 after model(4+8) classes(4) inputShape(4+12) unitStart(4) unitEnd(4)
    int batchOffset = FrameCodec.HEADER_BYTES + 12 + 4 + 16 + 4 + 4;
    ByteBuffer.wrap(frame).putInt(batchOffset, 0);
    assertError(
        sendAndExpectError(frame, false, false), ErrorCode.BAD_HANDSHAKE, "batch 0 must be >= 1");
  }

  @Test
  void aConnectionThatNeverCompletesItsHandshakeIsClosedAfterTheTimeout() throws Exception {
    try (NioStageServer strict =
            NioStageServer.start(
                new TestStages.EchoService(1),
                StageServerOptions.builder()
                    .optLimits(LIMITS)
                    .optHandshakeTimeoutMillis(300)
                    .build());
        Socket s = new Socket(strict.localAddress().getAddress(), strict.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(Arrays.copyOf(validHandshake(), 7));
      long start = System.nanoTime();
      FrameReader reader = new FrameReader(Channels.newChannel(s.getInputStream()), Limits.DEFAULT);
      Message m = reader.read();
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(m instanceof ErrorReport, "expected an ERROR frame, got " + m);
      assertError((ErrorReport) m, ErrorCode.TIMEOUT, "no complete HANDSHAKE within 300 ms");
      assertTrue(millis >= 250 && millis < 5_000, "closed after " + millis + " ms");
      try {
        assertNull(reader.read());
      } catch (SocketException reset) {
        // a reset is a close too
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (strict.admission().heads() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(0, strict.admission().heads());
    }
  }

  @Test
  void aRequestBeforeTheHandshakeIsRefusedFromItsHeaderWithoutWaitingForItsPayload()
      throws Exception {
    byte[] full =
        bytes(
            FrameCodec.encode(
                new InferenceRequest(5, randomTensor(DType.UINT8, new long[] {1 << 20}, 5)),
                LIMITS));
    // header and metadata only: the server must answer without reading (or allocating) the 1 MiB
    // payload
    byte[] headerAndMeta = Arrays.copyOf(full, full.length - (1 << 20));
    assertError(
        sendAndExpectError(headerAndMeta, false, false),
        ErrorCode.NOT_READY,
        "got a REQUEST frame before the handshake");
  }

  @Test
  void secondHandshakeIsRejected() throws Exception {
    assertError(
        sendAndExpectError(validHandshake(), false, true),
        ErrorCode.BAD_FRAME,
        "HANDSHAKE frame after the handshake");
  }

  @Test
  void clientVanishingMidFrameOnlyEndsItsOwnConnection() throws Exception {
    try (StageChannel bystander =
        new NioTransport().connect(server.address(), Duration.ofSeconds(5))) {
      bystander.handshake(handshake("resnet18"), Duration.ofSeconds(10));
      byte[] request =
          bytes(
              FrameCodec.encode(
                  new InferenceRequest(1, randomTensor(DType.UINT8, new long[] {1 << 20}, 1)),
                  Limits.DEFAULT));
      try (Socket s = rawClient()) {
        s.getOutputStream().write(validHandshake());
        assertTrue(
            new FrameReader(Channels.newChannel(s.getInputStream()), Limits.DEFAULT).read()
                instanceof HandshakeReply);
        s.getOutputStream().write(request, 0, request.length / 2);
        s.setSoLinger(true, 0); // vanish: reset, no orderly close
      }
      assertEquals(2, service.sessions.size());
      assertTrue(
          service.sessions.get(1).closed.await(10, TimeUnit.SECONDS),
          "the vanished client's session was not closed within 10 s");
      awaitConnectionCount(1);
      assertEquals(
          0, service.sessions.get(0).closeCount.get(), "the bystander's session must stay open");
      bystander.send(new InferenceRequest(2, randomTensor(DType.INT64, new long[] {3, 3}, 2)));
      assertEquals(2, bystander.receive(Duration.ofSeconds(10)).requestId());
    }
    awaitConnectionCount(0);
  }

  @Test
  void clientClosingRightAfterConnectingIsHarmless() throws Exception {
    for (int i = 0; i < 5; i++) {
      try (Socket s = rawClient()) {
        s.getOutputStream().flush();
      }
    }
    awaitConnectionCount(0);
  }

  private void awaitConnectionCount(int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.admission().heads() != expected) {
      if (System.nanoTime() > deadline) {
        fail(
            "server still has "
                + server.admission().heads()
                + " connections, expected "
                + expected);
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  @Test
  void acceptedSocketsProbeASilentPeerWithTcpKeepalive() throws Exception {
    try (Socket s = rawClient()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (server.acceptedSocketOption(StandardSocketOptions.SO_KEEPALIVE).isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "the connection was never accepted");
        Thread.sleep(5);
      }
      assertEquals(List.of(true), server.acceptedSocketOption(StandardSocketOptions.SO_KEEPALIVE));
      Assumptions.assumeTrue(
          s.supportedOptions().contains(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE),
          "this OS does not let Java set the keepalive timings");
      assertEquals(
          List.of(NioStageServer.KEEPALIVE_IDLE_SECONDS),
          server.acceptedSocketOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE));
      assertEquals(
          List.of(NioStageServer.KEEPALIVE_INTERVAL_SECONDS),
          server.acceptedSocketOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL));
      assertEquals(
          List.of(NioStageServer.KEEPALIVE_PROBES),
          server.acceptedSocketOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT));
    }
  }
}
