package io.paretopipe.harness.transport.grpc;

import static io.paretopipe.harness.transport.TestStages.handshake;
import static io.paretopipe.harness.transport.TestStages.randomTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.auth.AuthenticatorTest;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.TestStages;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code grpc} stage server's TCP connections ({@link GrpcConnectionGate}), against a real
 * server and real sockets on loopback: raw sockets that never send a byte (counted at accept,
 * before HTTP/2) from several 127.x source addresses, which Linux loopback accepts as sources.
 * Defaults: 16 pending connections, 4 per source. Handshake deadlines are set far away (60 s) so
 * that only the limits under test close anything.
 */
class GrpcConnectionLimitsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Authenticator SECRET = Authenticator.create(AuthenticatorTest.SECRET);
  private static final int FLOOD = 100;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private GrpcStageServer stage(Authenticator authenticator) throws IOException {
    GrpcStageServer server =
        GrpcStageServer.start(
            new TestStages.EchoService(1),
            StageServerOptions.builder()
                .optAuthenticator(authenticator)
                .optHandshakeTimeoutMillis(60_000)
                .build());
    toClose.add(server);
    return server;
  }

  /** A TCP connection to {@code server} from 127.0.0.{@code source} that sends nothing. */
  private Socket raw(GrpcStageServer server, int source) throws IOException {
    Socket s = TestStages.silentConnection(server.localAddress(), source, TIMEOUT);
    toClose.add(s);
    return s;
  }

  /** {@code count} raw connections, 4 from each of 127.0.0.2, 127.0.0.3, ... in turn. */
  private List<Socket> flood(GrpcStageServer server, int count) throws IOException {
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sockets.add(raw(server, 2 + i / 4));
    }
    return sockets;
  }

  private StageChannel head(GrpcStageServer server, Authenticator authenticator) throws Exception {
    StageChannel channel =
        new GrpcTransport(Limits.DEFAULT, authenticator, null).connect(server.address(), TIMEOUT);
    toClose.add(channel);
    return channel;
  }

  private static void assertEchoes(StageChannel channel, long requestId) throws Exception {
    Tensor t = randomTensor(DType.FLOAT32, new long[] {2, 8}, requestId);
    channel.send(new InferenceRequest(requestId, t));
    assertTrue(channel.receive(TIMEOUT).tensor().equalsBytes(t));
  }

  /**
   * Reads until the server closes {@code socket} (end of stream or reset); returns the bytes that
   * came before (a grpc connection's HTTP/2 SETTINGS, or none for one closed at accept).
   */
  private static int bytesUntilClosed(Socket socket) throws IOException {
    return TestStages.receivedUntilClosed(socket, TIMEOUT).length;
  }

  /** Waits (up to the timeout) until {@code actual} reaches {@code expected}. */
  private static void await(String what, IntSupplier actual, int expected) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (actual.getAsInt() != expected && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(expected, actual.getAsInt(), what);
  }

  @Test
  void aFloodOfUnauthenticatedConnectionsStaysWithinThePendingQuotaAndALaterHeadIsServed()
      throws Exception {
    GrpcStageServer server = stage(SECRET);
    GrpcConnectionGate gate = server.connections();

    // a grpc head without the secret: its call is refused and does not prove its connection
    StageChannel stranger = head(server, null);
    StageException refused =
        assertThrows(
            StageException.class, () -> stranger.handshake(handshake("resnet18"), TIMEOUT));
    assertEquals(ErrorCode.UNAUTHENTICATED, refused.code(), refused.getMessage());
    assertEquals(0, gate.provedConnections());
    assertEquals(1, gate.pendingConnections());

    List<Socket> sockets = flood(server, FLOOD);
    await("connections accepted", gate::acceptedConnections, FLOOD + 1);
    assertEquals(16, gate.pendingConnections(), "pending connections after the flood");
    assertTrue(
        gate.peakOpenConnections() <= 16,
        "open connections peaked at " + gate.peakOpenConnections() + ", over the quota of 16");
    assertEquals(FLOOD + 1 - 16, gate.displacedConnections(), "the oldest pending ones closed");
    assertEquals(0, gate.refusedPerSource());
    bytesUntilClosed(sockets.get(0)); // the oldest flood socket is closed (else a read timeout)

    // a head with the secret, connecting after the flood, is served
    StageChannel head = head(server, SECRET);
    head.handshake(handshake("resnet18"), TIMEOUT);
    assertEchoes(head, 1);
    assertEquals(1, gate.provedConnections());
    assertEquals(1, server.admission().heads());
    assertTrue(gate.peakOpenConnections() <= 17, "peak " + gate.peakOpenConnections());
  }

  @Test
  void aFifthPendingConnectionFromOneSourceIsClosedAtAcceptWhileAnotherSourceGetsIn()
      throws Exception {
    GrpcStageServer server = stage(SECRET);
    GrpcConnectionGate gate = server.connections();
    for (int i = 0; i < 4; i++) {
      raw(server, 1);
    }
    await("connections accepted", gate::acceptedConnections, 4);
    assertEquals(4, gate.pendingConnections());

    Socket fifth = raw(server, 1);
    assertEquals(
        0, bytesUntilClosed(fifth), "closed at accept: not even grpc's HTTP/2 SETTINGS came");
    assertEquals(1, gate.refusedPerSource());
    assertEquals(4, gate.pendingConnections());

    Socket other = raw(server, 2);
    await("connections accepted", gate::acceptedConnections, 6);
    assertEquals(5, gate.pendingConnections(), "127.0.0.2 is not held to 127.0.0.1's limit");
    assertEquals(1, gate.refusedPerSource());
    assertEquals(0, gate.displacedConnections());
    assertTrue(other.isConnected());
  }

  @Test
  void anAuthenticatedHeadIsNeverDisplacedByAHundredLaterPendingConnections() throws Exception {
    assertAProvedHeadOutlivesAFlood(SECRET);
  }

  @Test
  void withoutASecretAHeadProvedByItsHandshakeIsNeverDisplacedEither() throws Exception {
    assertAProvedHeadOutlivesAFlood(null);
  }

  private void assertAProvedHeadOutlivesAFlood(Authenticator authenticator) throws Exception {
    GrpcStageServer server = stage(authenticator);
    GrpcConnectionGate gate = server.connections();
    StageChannel head = head(server, authenticator);
    head.handshake(handshake("resnet18"), TIMEOUT);
    assertEchoes(head, 1);
    await("proved connections", gate::provedConnections, 1);
    assertEquals(0, gate.pendingConnections());

    flood(server, FLOOD);
    await("connections accepted", gate::acceptedConnections, FLOOD + 1);
    assertEquals(FLOOD - 16, gate.displacedConnections(), "only flood connections were closed");
    assertEquals(1, gate.provedConnections(), "the head's connection is still open and proved");
    assertEquals(16, gate.pendingConnections());
    assertTrue(gate.peakOpenConnections() <= 17, "peak " + gate.peakOpenConnections());
    for (long id = 2; id <= 4; id++) {
      assertEchoes(head, id); // the same Infer stream on the same connection
    }
    assertEquals(1, server.admission().heads());
  }
}
