package io.paretopipe.harness.server;

import static io.paretopipe.harness.transport.TestStages.handshake;
import static io.paretopipe.harness.transport.TestStages.randomTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.auth.AuthenticatorTest;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.StageSession;
import io.paretopipe.harness.transport.TestStages;
import io.paretopipe.harness.transport.Transport;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every stage server guarantees, whatever its transport: the limits of its {@link Admission}
 * (slots, in-flight requests, request memory) answered with typed {@code BUSY}, the rule for
 * connections that have not proved themselves ({@link PendingConnections}: the oldest gives way
 * when their quota is full, a source over its cap is refused, proved heads are never displaced),
 * the handshake deadline, authentication, bad input answered with a typed error that ends only its
 * own connection, and everything released when a head or the server closes. One subclass per server
 * says how to start it, how a head reaches it, and how to send what a well-behaved head never
 * sends; checks that only make sense for one transport (nio's framing bytes, grpc's protobuf
 * messages and TLS) stay in that transport's own tests.
 */
public abstract class StageServerContractTest {
  protected static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final long MIB = 1 << 20;

  /** How the server under test is started. */
  protected abstract StageServer.Factory factory();

  /** A head's transport to the server, proving {@code authenticator}'s secret (null: none). */
  protected abstract Transport head(Authenticator authenticator);

  /**
   * Makes first contact and never becomes ready to send requests (nio: part of a HANDSHAKE frame;
   * grpc: a Handshake call whose session is never claimed); returns what to close afterwards.
   */
  protected abstract AutoCloseable stallBeforeReady(StageServer server) throws Exception;

  /**
   * Handshakes, then sends a request whose tensor data disagree with its shape (10 float32
   * elements, 41 bytes of data); returns the connection-level error the server answered with, after
   * checking that it ended the connection.
   */
  protected abstract StageException sendMalformedRequest(StageServer server) throws Exception;

  /** Sends a request with no handshake before it; returns the error the server answered with. */
  protected abstract StageException sendRequestBeforeHandshake(StageServer server) throws Exception;

  /**
   * A head that handshakes, sends {@code requests} requests of {@code floats} float32 elements
   * each, and never reads a result (nio: a socket with a small receive buffer that is never read;
   * grpc: an Infer call that requests no message).
   */
  protected abstract StalledHead stopReading(StageServer server, int requests, int floats)
      throws Exception;

  /**
   * {@code options} set so that the server holds at most {@code pending} connections that have not
   * proved themselves (no complete handshake; with a secret, no verified proof) while {@code heads}
   * proved heads are connected: {@code nio}, where pending connections share the head slots, {@code
   * optMaxConnections(pending + heads)}; {@code grpc}, where they have a quota of their own beside
   * up to 64 proved connections, {@code optMaxPendingConnections(pending)}.
   */
  protected abstract StageServerOptions.Builder withPendingQuota(
      StageServerOptions.Builder options, int pending, int heads);

  /** Connections of {@code server} that have not proved themselves, now. */
  protected abstract int pendingConnections(StageServer server);

  /** Pending connections {@code server} closed because newer ones took their place. */
  protected abstract int displacedConnections(StageServer server);

  /** Connections {@code server} refused because their source had its pending connections. */
  protected abstract int refusedPerSource(StageServer server);

  /** Why the server closed a connection that sent nothing. */
  protected enum Refusal {
    /** Every pending place was taken and a newer connection took this one's. */
    DISPLACED,
    /** Its source address already held {@code maxPendingPerSource} pending connections. */
    OVER_SOURCE_CAP
  }

  /**
   * Checks what a connection that sent nothing received before the server closed it for {@code
   * refusal} ({@code nio}: one {@code BUSY} ERROR frame naming the limit; {@code grpc}: no answer
   * of its own, the TCP connection closed beneath grpc).
   */
  protected abstract void assertRefused(byte[] received, Refusal refusal) throws Exception;

  /** A head that does not read its results. */
  protected interface StalledHead extends AutoCloseable {
    /** Returns once the head sees its connection (stream) ended by the server; fails otherwise. */
    void awaitEnded() throws Exception;

    @Override
    void close() throws IOException;
  }

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private StageServer start(StageService service, StageServerOptions.Builder options)
      throws IOException {
    StageServer server = factory().start(service, options.build());
    toClose.add(server);
    return server;
  }

  /** A server that requires {@link AuthenticatorTest#SECRET}. */
  private StageServer startWithSecret(StageService service) throws IOException {
    return start(
        service,
        StageServerOptions.builder()
            .optAuthenticator(Authenticator.create(AuthenticatorTest.SECRET)));
  }

  private StageChannel connect(StageServer server, Authenticator authenticator) throws Exception {
    StageChannel channel = head(authenticator).connect(server.address(), TIMEOUT);
    toClose.add(channel);
    return channel;
  }

  private StageChannel ready(StageServer server) throws Exception {
    StageChannel channel = connect(server, null);
    channel.handshake(handshake("resnet18"), TIMEOUT);
    return channel;
  }

  private static void assertEchoes(StageChannel channel, long requestId) throws Exception {
    Tensor t = randomTensor(DType.FLOAT32, new long[] {2, 8}, requestId);
    channel.send(new InferenceRequest(requestId, t));
    InferenceResult r = channel.receive(TIMEOUT);
    assertEquals(requestId, r.requestId());
    assertTrue(r.tensor().equalsBytes(t));
  }

  private static void assertMessage(StageException e, ErrorCode code, String... fragments) {
    assertEquals(code, e.code(), e.getMessage());
    for (String f : fragments) {
      assertTrue(
          e.getMessage().contains(f), "message \"" + e.getMessage() + "\" lacks \"" + f + "\"");
    }
  }

  private static void await(String what, LongSupplier actual, long expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (actual.getAsLong() != expected) {
      assertTrue(
          System.nanoTime() < deadline,
          what + " stayed at " + actual.getAsLong() + ", expected " + expected);
      Thread.sleep(5);
    }
  }

  private static void awaitAtLeast(String what, LongSupplier actual, long least) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (actual.getAsLong() < least) {
      assertTrue(
          System.nanoTime() < deadline,
          what + " stayed at " + actual.getAsLong() + ", expected at least " + least);
      Thread.sleep(5);
    }
  }

  /** A connection from 127.0.0.{@code source} that sends nothing, closed after the test. */
  private Socket silentConnection(StageServer server, int source) throws IOException {
    Socket s = TestStages.silentConnection(server.localAddress(), source, TIMEOUT);
    toClose.add(s);
    return s;
  }

  /**
   * What {@code socket} received until the server closed it; still open after the timeout: fails.
   */
  private static byte[] receivedUntilClosed(Socket socket) throws IOException {
    return TestStages.receivedUntilClosed(socket, TIMEOUT);
  }

  /** An echo server that requires the secret and two heads it served once each. */
  private record ServedHeads(
      TestStages.EchoService service,
      StageServer server,
      StageChannel first,
      StageChannel second) {}

  /**
   * An echo server requiring {@link AuthenticatorTest#SECRET} (handshake deadline far away, 60 s,
   * so that only the limits under test close anything), with two authenticated heads served once
   * each and nothing pending.
   */
  private ServedHeads twoHeadsWithPendingLimits(int pending, int perSource) throws Exception {
    TestStages.EchoService service = new TestStages.EchoService(1);
    StageServer server =
        start(
            service,
            withPendingQuota(
                StageServerOptions.builder()
                    .optAuthenticator(Authenticator.create(AuthenticatorTest.SECRET))
                    .optHandshakeTimeoutMillis(60_000)
                    .optMaxPendingPerSource(perSource),
                pending,
                2));
    StageChannel first = authenticatedHead(server);
    StageChannel second = authenticatedHead(server);
    assertEchoes(first, 1);
    assertEchoes(second, 2);
    await("pending connections", () -> pendingConnections(server), 0);
    return new ServedHeads(service, server, first, second);
  }

  private StageChannel authenticatedHead(StageServer server) throws Exception {
    StageChannel channel = connect(server, Authenticator.create(AuthenticatorTest.SECRET));
    channel.handshake(handshake("resnet18"), TIMEOUT);
    return channel;
  }

  @Test
  void whenThePendingQuotaIsFullTheOldestPendingConnectionIsClosedAndAuthenticatedHeadsAreServed()
      throws Exception {
    ServedHeads heads = twoHeadsWithPendingLimits(4, 4);
    StageServer server = heads.server();

    List<Socket> silent = new ArrayList<>();
    for (int i = 0; i < 4; i++) { // one per source, accepted one after the other: oldest first
      silent.add(silentConnection(server, 2 + i));
      int expected = i + 1;
      await("pending connections", () -> pendingConnections(server), expected);
    }
    silent.add(silentConnection(server, 6)); // one over the quota
    assertRefused(receivedUntilClosed(silent.get(0)), Refusal.DISPLACED);
    assertEquals(1, displacedConnections(server), "only the oldest pending connection gave way");
    await("pending connections", () -> pendingConnections(server), 4);

    assertEchoes(heads.first(), 3); // during: proved heads are never displaced
    assertEchoes(heads.second(), 4);
    StageChannel later = authenticatedHead(server); // after: a head connecting later gets in
    assertEchoes(later, 5);
    assertRefused(receivedUntilClosed(silent.get(1)), Refusal.DISPLACED);
    assertEquals(2, displacedConnections(server), "the later head took the next oldest place");
    await("pending connections", () -> pendingConnections(server), 3);
    assertEquals(0, refusedPerSource(server));
    assertEquals(3, heads.service().sessions.size());
    assertEchoes(heads.first(), 6);
    assertEchoes(heads.second(), 7);
  }

  @Test
  void aSourceOverItsPendingCapIsRefusedWhileOtherSourcesAndAuthenticatedHeadsGetIn()
      throws Exception {
    ServedHeads heads = twoHeadsWithPendingLimits(8, 2);
    StageServer server = heads.server();

    Socket a = silentConnection(server, 2);
    silentConnection(server, 2);
    await("pending connections", () -> pendingConnections(server), 2);
    Socket third = silentConnection(server, 2);
    assertRefused(receivedUntilClosed(third), Refusal.OVER_SOURCE_CAP);
    assertEquals(1, refusedPerSource(server));
    assertEquals(0, displacedConnections(server), "a refusal displaces nobody");
    assertEquals(2, pendingConnections(server));

    silentConnection(server, 3); // another source is not held to 127.0.0.2's cap
    await("pending connections", () -> pendingConnections(server), 3);
    assertEchoes(heads.first(), 3); // during
    StageChannel later = authenticatedHead(server); // after
    assertEchoes(later, 4);

    a.close(); // 127.0.0.2 gets its place back once one of its connections ends
    await("pending connections", () -> pendingConnections(server), 2);
    silentConnection(server, 2);
    await("pending connections", () -> pendingConnections(server), 3);
    assertEquals(1, refusedPerSource(server));
    assertEquals(0, displacedConnections(server));
    assertEquals(3, heads.service().sessions.size());
    assertEchoes(heads.first(), 5);
    assertEchoes(heads.second(), 6);
  }

  @Test
  void aHeadBeyondMaxConnectionsGetsBusyAndIsServedOnceAnotherLeaves() throws Exception {
    StageServer server =
        start(new TestStages.EchoService(1), StageServerOptions.builder().optMaxConnections(2));
    StageChannel a = ready(server);
    StageChannel b = ready(server);
    assertEquals(2, server.admission().heads());
    StageChannel c = connect(server, null);
    StageException busy =
        assertThrows(StageException.class, () -> c.handshake(handshake("resnet18"), TIMEOUT));
    assertMessage(busy, ErrorCode.BUSY, "already serves 2 heads (maxConnections 2");
    c.close();
    a.close();
    await("heads", () -> server.admission().heads(), 1);
    StageChannel d = ready(server);
    assertEchoes(d, 1);
    assertEchoes(b, 2);
  }

  @Test
  void aRequestBeyondMaxInFlightGetsARequestLevelBusyAndTheConnectionGoesOn() throws Exception {
    // the echo stage holds requests until three have come, so two stay unanswered
    StageServer server =
        start(new TestStages.EchoService(3), StageServerOptions.builder().optMaxInFlight(2));
    StageChannel channel = ready(server);
    for (long id = 1; id <= 3; id++) {
      channel.send(new InferenceRequest(id, randomTensor(DType.FLOAT32, new long[] {2, 4}, id)));
    }
    StageException busy = assertThrows(StageException.class, () -> channel.receive(TIMEOUT));
    assertMessage(
        busy, ErrorCode.BUSY, "2 requests of this connection are already in flight (maxInFlight)");
    assertEquals(3, busy.requestId());
    long tensorBytes = 2 * 4 * Float.BYTES;
    long reserved = server.admission().reservedBytes();
    assertTrue(
        reserved >= 2 * tensorBytes && reserved < 3 * tensorBytes + 1024,
        "the refused request must give its memory back: " + reserved + " bytes reserved");
    channel.send(new InferenceRequest(4, randomTensor(DType.FLOAT32, new long[] {2, 4}, 4)));
    StageException again = assertThrows(StageException.class, () -> channel.receive(TIMEOUT));
    assertEquals(ErrorCode.BUSY, again.code());
    assertEquals(4, again.requestId());
    assertEquals(1, server.admission().heads(), "a request-level BUSY keeps the connection");
  }

  @Test
  void aRequestThatDoesNotFitTheRequestMemoryGetsBusyAndEveryConnectionGoesOn() throws Exception {
    // each session holds its first request until a second arrives, so memory stays reserved
    StageServer server =
        start(
            new TestStages.EchoService(2),
            StageServerOptions.builder().optMaxRequestBytes(MIB + MIB / 2));
    StageChannel a = ready(server);
    StageChannel b = ready(server);
    Tensor big = randomTensor(DType.FLOAT32, new long[] {MIB / 4}, 1);
    Tensor small = randomTensor(DType.FLOAT32, new long[] {256}, 2);
    a.send(new InferenceRequest(1, big)); // held by A's session: a bit over 1 MiB of 1.5
    awaitAtLeast("reserved request memory", () -> server.admission().reservedBytes(), MIB);
    b.send(new InferenceRequest(10, big)); // does not fit, on another connection
    StageException refused = assertThrows(StageException.class, () -> b.receive(TIMEOUT));
    assertMessage(
        refused,
        ErrorCode.BUSY,
        "request 10 refused: its 1048576-byte tensor",
        "does not fit the stage's request memory",
        "shared by all connections");
    assertEquals(10, refused.requestId());
    b.send(new InferenceRequest(11, small)); // fits; held by B's session
    a.send(new InferenceRequest(2, small)); // completes A's pair: its 1 MiB is answered, released
    assertTrue(a.receive(TIMEOUT).tensor().equalsBytes(big));
    assertTrue(a.receive(TIMEOUT).tensor().equalsBytes(small));
    b.send(new InferenceRequest(12, big)); // fits now and completes B's pair
    InferenceResult first = b.receive(TIMEOUT);
    InferenceResult second = b.receive(TIMEOUT);
    assertEquals(Set.of(11L, 12L), Set.of(first.requestId(), second.requestId()));
    assertTrue((first.requestId() == 12 ? first : second).tensor().equalsBytes(big));
    await("reserved request memory", () -> server.admission().reservedBytes(), 0);
  }

  @Test
  void aHeadThatNeverBecomesReadyLosesItsSlotAtTheHandshakeDeadline() throws Exception {
    TestStages.EchoService service = new TestStages.EchoService(1);
    StageServer server =
        start(
            service,
            StageServerOptions.builder().optMaxConnections(1).optHandshakeTimeoutMillis(300));
    long start = System.nanoTime();
    try (AutoCloseable stalled = stallBeforeReady(server)) {
      await("heads", () -> server.admission().heads(), 1);
      await("heads", () -> server.admission().heads(), 0);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(millis >= 250, "the slot was freed after " + millis + " ms, before the deadline");
      for (TestStages.EchoSession s : service.sessions) {
        assertTrue(s.closed.await(10, TimeUnit.SECONDS), "the stalled head's session is open");
      }
      assertEchoes(ready(server), 1);
    }
  }

  @Test
  void aHeadThatStopsReadingItsResultsLosesItsConnectionAndRequestMemoryAtTheIdleDeadline()
      throws Exception {
    TestStages.EchoService service = new TestStages.EchoService(1);
    StageServer server =
        start(
            service,
            StageServerOptions.builder()
                .optMaxConnections(2)
                .optIdleTimeoutMillis(3_000)
                .optSocketBufferBytes(64 << 10));
    long capacity = server.admission().capacityBytes();
    try (StalledHead stalled = stopReading(server, 4, (int) (MIB / 4))) {
      // the results it does not read keep their requests' memory reserved until the deadline
      awaitAtLeast("request memory held by unread results", server.admission()::reservedBytes, MIB);
      StageChannel other = ready(server);
      assertEchoes(other, 1); // another head is served meanwhile
      other.close();
      assertTrue(
          service.sessions.get(0).closed.await(10, TimeUnit.SECONDS),
          "the stalled head's session is still open");
      await("reserved request memory", server.admission()::reservedBytes, 0);
      assertEquals(capacity, server.admission().requestMemory().freeBytes());
      await("heads", () -> server.admission().heads(), 0);
      stalled.awaitEnded();
      assertEchoes(ready(server), 2);
    }
  }

  @Test
  void aReadyHeadThatSendsNothingGetsTimeoutAtTheIdleDeadlineAndItsSlotIsFree() throws Exception {
    TestStages.EchoService service = new TestStages.EchoService(1);
    StageServer server =
        start(
            service, StageServerOptions.builder().optMaxConnections(1).optIdleTimeoutMillis(1_000));
    StageChannel idle = ready(server);
    assertEchoes(idle, 1);
    StageException e = assertThrows(StageException.class, () -> idle.receive(TIMEOUT));
    assertMessage(e, ErrorCode.TIMEOUT, "no request for 1000 ms", "serve --idle-timeout");
    assertTrue(
        service.sessions.get(0).closed.await(10, TimeUnit.SECONDS),
        "the idle head's session is still open");
    await("heads", () -> server.admission().heads(), 0);
    assertEchoes(ready(server), 2);
  }

  @Test
  void aRequestThatComputesLongerThanTheIdleTimeoutIsNotCut() throws Exception {
    // the echo stage holds the first request until the second comes
    TestStages.EchoService service = new TestStages.EchoService(2);
    StageServer server = start(service, StageServerOptions.builder().optIdleTimeoutMillis(1_000));
    StageChannel channel = ready(server);
    Tensor first = randomTensor(DType.FLOAT32, new long[] {8}, 1);
    channel.send(new InferenceRequest(1, first));
    Thread.sleep(3_000); // three idle timeouts with the request in flight
    Tensor second = randomTensor(DType.FLOAT32, new long[] {8}, 2);
    channel.send(new InferenceRequest(2, second));
    Set<Long> ids =
        Set.of(channel.receive(TIMEOUT).requestId(), channel.receive(TIMEOUT).requestId());
    assertEquals(Set.of(1L, 2L), ids);
    assertEquals(0, service.sessions.get(0).closeCount.get(), "the session was closed");
  }

  @Test
  void aHeadWithTheSecretIsServed() throws Exception {
    TestStages.EchoService service = new TestStages.EchoService(1);
    StageServer server = startWithSecret(service);
    StageChannel channel = connect(server, Authenticator.create(AuthenticatorTest.SECRET));
    channel.handshake(handshake("resnet18"), TIMEOUT);
    assertEchoes(channel, 1);
    assertEquals(1, service.sessions.size());
  }

  @Test
  void aHeadWithoutTheSecretIsRefusedUnauthenticatedAndNoSessionIsOpened() throws Exception {
    TestStages.EchoService service = new TestStages.EchoService(1);
    StageServer server = startWithSecret(service);
    StageChannel channel = connect(server, null);
    StageException e =
        assertThrows(StageException.class, () -> channel.handshake(handshake("resnet18"), TIMEOUT));
    assertMessage(
        e,
        ErrorCode.UNAUTHENTICATED,
        "stage at " + server.address() + " requires authentication",
        "--secret-file");
    assertEquals(0, service.sessions.size(), "no session may be opened for this head");
    channel.close();
    await("heads", () -> server.admission().heads(), 0);
  }

  @Test
  void aHeadWithAnotherSecretIsRefusedUnauthenticatedAndNoSessionIsOpened() throws Exception {
    TestStages.EchoService service = new TestStages.EchoService(1);
    StageServer server = startWithSecret(service);
    StageChannel channel = connect(server, Authenticator.create(AuthenticatorTest.OTHER));
    StageException e =
        assertThrows(StageException.class, () -> channel.handshake(handshake("resnet18"), TIMEOUT));
    assertMessage(e, ErrorCode.UNAUTHENTICATED, "different shared secret");
    assertEquals(0, service.sessions.size(), "no session may be opened for this head");
  }

  @Test
  void aMalformedRequestGetsBadFrameAndEndsOnlyItsOwnConnection() throws Exception {
    TestStages.EchoService service = new TestStages.EchoService(1);
    StageServer server = start(service, StageServerOptions.builder());
    StageChannel bystander = ready(server);
    StageException e = sendMalformedRequest(server);
    assertMessage(e, ErrorCode.BAD_FRAME, "needs 40", "41");
    assertEquals(2, service.sessions.size());
    assertTrue(
        service.sessions.get(1).closed.await(10, TimeUnit.SECONDS),
        "the session of the bad connection was not closed");
    assertEquals(0, service.sessions.get(0).closeCount.get(), "the bystander's session stays");
    assertEchoes(bystander, 3);
    await("heads", () -> server.admission().heads(), 1);
  }

  @Test
  void aRequestBeforeTheHandshakeIsNotReadyAndOpensNoSession() throws Exception {
    TestStages.EchoService service = new TestStages.EchoService(1);
    StageServer server = start(service, StageServerOptions.builder());
    assertEquals(ErrorCode.NOT_READY, sendRequestBeforeHandshake(server).code());
    assertEquals(0, service.sessions.size());
    assertEchoes(ready(server), 1);
  }

  /** Echoes each request 300 ms after it arrives, from another thread. */
  private static final class SlowEchoService implements StageService {
    final List<SlowEchoSession> sessions = new CopyOnWriteArrayList<>();

    @Override
    public StageSession open(Handshake handshake) {
      SlowEchoSession s = new SlowEchoSession(TestStages.replyFor(handshake));
      sessions.add(s);
      return s;
    }
  }

  private static final class SlowEchoSession implements StageSession {
    private final HandshakeReply reply;
    final AtomicInteger closeCount = new AtomicInteger();
    final CountDownLatch closed = new CountDownLatch(1);

    SlowEchoSession(HandshakeReply reply) {
      this.reply = reply;
    }

    @Override
    public HandshakeReply reply() {
      return reply;
    }

    @Override
    public CompletableFuture<InferenceResult> process(InferenceRequest request) {
      return CompletableFuture.supplyAsync(
          () -> new InferenceResult(request.requestId(), request.tensor(), List.of()),
          CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
    }

    @Override
    public void close() {
      closeCount.incrementAndGet();
      closed.countDown();
    }
  }

  @Test
  void aHeadThatLeavesWithARequestUnansweredGivesBackItsSessionSlotAndRequestMemory()
      throws Exception {
    SlowEchoService service = new SlowEchoService();
    StageServer server = start(service, StageServerOptions.builder());
    StageChannel channel = ready(server);
    channel.send(new InferenceRequest(1, randomTensor(DType.FLOAT32, new long[] {64 << 10}, 1)));
    awaitAtLeast("reserved request memory", () -> server.admission().reservedBytes(), 256 << 10);
    channel.close(); // before the answer comes
    SlowEchoSession session = service.sessions.get(0);
    assertTrue(session.closed.await(10, TimeUnit.SECONDS), "session still open");
    await("heads", () -> server.admission().heads(), 0);
    await("reserved request memory", () -> server.admission().reservedBytes(), 0);
    Thread.sleep(500); // the answer has come and gone by now
    assertEquals(1, session.closeCount.get(), "the session is closed once");
    assertEquals(0, server.admission().reservedBytes());
  }

  @Test
  void closingTheServerEndsEveryHeadAndReleasesEverythingAndClosingTwiceIsHarmless()
      throws Exception {
    TestStages.EchoService service = new TestStages.EchoService(2);
    StageServer server = start(service, StageServerOptions.builder());
    StageChannel a = ready(server);
    StageChannel b = ready(server);
    a.send(new InferenceRequest(1, randomTensor(DType.FLOAT32, new long[] {1024}, 1))); // held
    awaitAtLeast("reserved request memory", () -> server.admission().reservedBytes(), 4096);
    server.close();
    for (TestStages.EchoSession s : service.sessions) {
      assertTrue(s.closed.await(10, TimeUnit.SECONDS), "a session outlived the server");
      assertEquals(1, s.closeCount.get(), "a session was closed more than once");
    }
    assertEquals(0, server.admission().heads());
    assertEquals(0, server.admission().reservedBytes());
    server.close();
    assertThrows(Exception.class, () -> a.receive(TIMEOUT));
    assertThrows(Exception.class, () -> assertEchoes(b, 2));
  }
}
