package io.paretopipe.harness.transport.nio;

import static io.paretopipe.harness.transport.TestStages.handshake;
import static io.paretopipe.harness.transport.TestStages.randomTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.auth.ClientProof;
import io.paretopipe.harness.auth.SecretException;
import io.paretopipe.harness.auth.SharedSecret;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.TestStages;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Shared-secret authentication on a real {@link NioStageServer} over loopback: heads with the
 * secret are served; a head without it, with another secret, with a replayed or re-bound proof, or
 * one that does not answer the challenge gets {@code UNAUTHENTICATED} (or {@code TIMEOUT}) and no
 * session is opened for it; a head with a secret refuses a stage without one. After every case the
 * server still serves an authenticated head.
 */
class NioAuthenticationTest {
  private static final SharedSecret SECRET =
      secret("0123456789abcdef0123456789abcdef-stage-secret");
  private static final SharedSecret OTHER = secret("0123456789abcdef0123456789abcdef-stage-secreT");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final long HANDSHAKE_TIMEOUT_MILLIS = 1_500;

  private TestStages.EchoService service;
  private NioStageServer server;

  private static SharedSecret secret(String s) {
    try {
      return SharedSecret.of(s.getBytes(StandardCharsets.UTF_8), "test secret");
    } catch (SecretException e) {
      throw new AssertionError(e);
    }
  }

  @BeforeEach
  void start() throws IOException {
    service = new TestStages.EchoService(1);
    server =
        NioStageServer.start(
            service,
            StageServerOptions.builder()
                .optAuthenticator(Authenticator.create(SECRET))
                .optHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS)
                .build());
  }

  @AfterEach
  void serverStillServesAnAuthenticatedHead() throws Exception {
    try {
      int before = service.sessions.size();
      roundTrip(new NioTransport(Authenticator.create(SECRET)), server.address());
      assertEquals(before + 1, service.sessions.size());
    } finally {
      server.close();
    }
  }

  private static void roundTrip(NioTransport transport, String address) throws Exception {
    try (StageChannel channel = transport.connect(address, TIMEOUT)) {
      HandshakeReply reply = channel.handshake(handshake("resnet18"), TIMEOUT);
      assertEquals("resnet18", reply.model());
      Tensor sent = randomTensor(DType.FLOAT32, new long[] {2, 64}, 7);
      channel.send(new InferenceRequest(1, sent));
      assertTrue(
          channel.receive(TIMEOUT).tensor().equalsBytes(sent), "the tensor came back changed");
    }
  }

  private StageException handshakeFails(NioTransport transport, String address) throws Exception {
    try (StageChannel channel = transport.connect(address, TIMEOUT)) {
      return assertThrows(
          StageException.class, () -> channel.handshake(handshake("resnet18"), TIMEOUT));
    }
  }

  /**
   * Connections that never complete a handshake hold every slot (with a deadline far away, so only
   * displacement can let anyone in): a head with the secret is still served, the oldest idle
   * connection is refused with BUSY, and a ready head's slot is never taken.
   */
  @Test
  void idleConnectionsHoldingEverySlotCannotKeepAnAuthenticatedHeadOut() throws Exception {
    server.close();
    server =
        NioStageServer.start(
            service,
            StageServerOptions.builder()
                .optAuthenticator(Authenticator.create(SECRET))
                .optHandshakeTimeoutMillis(600_000)
                .optMaxConnections(2)
                .build());
    try (RawClient oldest = new RawClient()) {
      oldest.out.write('P'); // one byte of a frame header, then nothing
      oldest.out.flush();
      awaitHeads(1);
      try (RawClient newer = new RawClient()) {
        newer.out.write('P');
        newer.out.flush();
        awaitHeads(2);
        NioTransport head = new NioTransport(Authenticator.create(SECRET));
        try (StageChannel ready = head.connect(server.address(), TIMEOUT)) {
          ready.handshake(handshake("resnet18"), TIMEOUT);
          ErrorReport e = oldest.expectErrorAndClose();
          assertEquals(ErrorCode.BUSY, e.code());
          assertTrue(
              e.message().contains("the oldest without a complete handshake and authentication"),
              e.message());
          assertEquals(1, server.admission().displaced());
          // the ready head keeps its slot: the next newcomer displaces the idle one, not it
          roundTrip(head, server.address());
          ErrorReport second = newer.expectErrorAndClose();
          assertEquals(ErrorCode.BUSY, second.code());
          Tensor sent = randomTensor(DType.FLOAT32, new long[] {2, 64}, 9);
          ready.send(new InferenceRequest(2, sent));
          assertTrue(ready.receive(TIMEOUT).tensor().equalsBytes(sent));
        }
      }
    }
    awaitHeads(0);
  }

  private void awaitHeads(int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (server.admission().heads() != expected) {
      assertTrue(
          System.nanoTime() < deadline,
          "heads " + server.admission().heads() + ", expected " + expected);
      Thread.sleep(5);
    }
  }

  @Test
  void aHeadWithASecretRefusesAStageWithoutOne() throws Exception {
    TestStages.EchoService open = new TestStages.EchoService(1);
    try (NioStageServer unauthenticated = NioStageServer.start(open)) {
      StageException e =
          handshakeFails(new NioTransport(Authenticator.create(SECRET)), unauthenticated.address());
      assertEquals(ErrorCode.UNAUTHENTICATED, e.code());
      assertTrue(e.getMessage().contains("did not ask this head to authenticate"), e.getMessage());
      // and without a secret the same stage serves as before
      roundTrip(new NioTransport(), unauthenticated.address());
    }
  }

  @Test
  void aProofForAnotherHandshakeIsRefused() throws Exception {
    try (RawClient c = new RawClient()) {
      byte[] challenge = c.sendHandshakeAndGetChallenge(handshake("resnet18"));
      // proved over a handshake for other units than the one sent: the binding must catch it
      Handshake other =
          new Handshake(
              "resnet18",
              1000,
              new int[] {3, 224, 224},
              2,
              9,
              8,
              DType.FLOAT32,
              42L,
              1,
              "",
              java.util.List.of());
      ClientProof proof =
          Authenticator.create(SECRET).prove(challenge, HandshakeBinding.of(other, Limits.DEFAULT));
      c.write(new AuthProof(proof.encode()));
      ErrorReport e = c.expectErrorAndClose();
      assertEquals(ErrorCode.UNAUTHENTICATED, e.code());
      assertTrue(e.message().contains("the proof is wrong"), e.message());
    }
    assertEquals(0, service.sessions.size());
  }

  @Test
  void aProofReplayedOnAnotherConnectionIsRefused() throws Exception {
    Handshake h = handshake("resnet18");
    AuthProof captured;
    try (RawClient first = new RawClient()) {
      byte[] challenge = first.sendHandshakeAndGetChallenge(h);
      captured =
          new AuthProof(
              Authenticator.create(SECRET)
                  .prove(challenge, HandshakeBinding.of(h, Limits.DEFAULT))
                  .encode());
      first.write(captured);
      assertInstanceOf(AuthAccept.class, first.read());
      assertInstanceOf(HandshakeReply.class, first.read());
    }
    try (RawClient second = new RawClient()) {
      second.sendHandshakeAndGetChallenge(h);
      second.write(captured);
      ErrorReport e = second.expectErrorAndClose();
      assertEquals(ErrorCode.UNAUTHENTICATED, e.code());
      assertTrue(e.message().contains("answers another challenge"), e.message());
    }
    assertEquals(
        1, service.sessions.size(), "only the first, authenticated connection has a session");
  }

  @Test
  void aRequestInsteadOfTheProofIsRefusedWithoutReadingItsPayload() throws Exception {
    try (RawClient c = new RawClient()) {
      c.sendHandshakeAndGetChallenge(handshake("resnet18"));
      byte[] request =
          bytes(
              FrameCodec.encode(
                  new InferenceRequest(1, randomTensor(DType.UINT8, new long[] {1 << 20}, 3)),
                  Limits.DEFAULT));
      c.out.write(request, 0, request.length - (1 << 20));
      c.out.flush();
      ErrorReport e = c.expectErrorAndClose();
      assertEquals(ErrorCode.UNAUTHENTICATED, e.code());
      assertTrue(
          e.message().contains("got a REQUEST frame where AUTH_PROOF was expected"), e.message());
    }
    assertEquals(0, service.sessions.size());
  }

  @Test
  void aHeadThatNeverAnswersTheChallengeIsClosedAfterTheHandshakeDeadline() throws Exception {
    try (RawClient c = new RawClient()) {
      long start = System.nanoTime();
      c.sendHandshakeAndGetChallenge(handshake("resnet18"));
      ErrorReport e = c.expectErrorAndClose();
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(ErrorCode.TIMEOUT, e.code());
      assertTrue(
          e.message()
              .contains("no complete HANDSHAKE and AUTH_PROOF within " + HANDSHAKE_TIMEOUT_MILLIS),
          e.message());
      assertTrue(millis >= HANDSHAKE_TIMEOUT_MILLIS - 100 && millis < 8_000, millis + " ms");
    }
    assertEquals(0, service.sessions.size());
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  /**
   * A client speaking raw frames over a blocking socket, for exchanges the real channel never
   * makes.
   */
  private final class RawClient implements AutoCloseable {
    final Socket socket;
    final OutputStream out;
    final FrameReader reader;

    RawClient() throws IOException {
      socket = new Socket(server.localAddress().getAddress(), server.port());
      socket.setSoTimeout(10_000);
      out = socket.getOutputStream();
      reader = new FrameReader(Channels.newChannel(socket.getInputStream()), Limits.DEFAULT);
    }

    void write(Message m) throws Exception {
      out.write(bytes(FrameCodec.encode(m, Limits.DEFAULT)));
      out.flush();
    }

    Message read() throws Exception {
      return reader.read();
    }

    byte[] sendHandshakeAndGetChallenge(Handshake h) throws Exception {
      write(h);
      Message m = read();
      assertInstanceOf(
          AuthChallenge.class, m, "a stage with a secret answers the handshake with a challenge");
      byte[] challenge = ((AuthChallenge) m).challenge();
      assertEquals(Authenticator.CHALLENGE_BYTES, challenge.length);
      return challenge;
    }

    ErrorReport expectErrorAndClose() throws Exception {
      Message m = read();
      assertInstanceOf(ErrorReport.class, m);
      try {
        assertNull(read(), "the stage must close the connection after refusing it");
      } catch (SocketException reset) {
        // a reset is a close too
      }
      return (ErrorReport) m;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
