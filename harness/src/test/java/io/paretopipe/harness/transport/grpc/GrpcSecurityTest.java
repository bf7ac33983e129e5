package io.paretopipe.harness.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.auth.SharedSecret;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.server.GrpcTuning;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.TestStages;
import io.paretopipe.harness.transport.grpc.proto.HandshakeResponse;
import io.paretopipe.harness.transport.grpc.proto.InferReply;
import io.paretopipe.harness.transport.grpc.proto.InferRequest;
import io.paretopipe.harness.transport.grpc.proto.StageGrpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared-secret authentication and TLS of the {@code grpc} transport, between a real {@link
 * GrpcStageServer} and real {@link GrpcStageChannel}s over loopback, with certificates made by
 * {@code openssl} in the test. Every mismatch (no secret, another secret, a secret on one side
 * only, TLS on one side only, an untrusted or misnamed certificate) ends in a typed error that
 * names the stage and the fix, within the connect or handshake timeout; the stage opens no session
 * for a call that did not authenticate.
 */
class GrpcSecurityTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** Every failure must be reported well within this; the timeouts it runs under are 10 s. */
  private static final long FAIL_WITHIN_MILLIS = 8_000;

  private static final long DEADLINE_SECONDS = 10;

  @TempDir static Path certDir;
  private static Certificates certificates;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final TestStages.EchoService service = new TestStages.EchoService(1);

  private static SharedSecret secret(int seed) {
    byte[] bytes = new byte[32];
    new Random(seed).nextBytes(bytes);
    try {
      return SharedSecret.of(bytes, "test secret " + seed);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static final Authenticator SECRET_A = Authenticator.create(secret(1));
  private static final Authenticator SECRET_A_AGAIN = Authenticator.create(secret(1));
  private static final Authenticator SECRET_B = Authenticator.create(secret(2));

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private GrpcStageServer stage(Authenticator auth, GrpcServerTls tls) throws IOException {
    GrpcStageServer server =
        GrpcStageServer.start(
            service, StageServerOptions.builder().optAuthenticator(auth).optTls(tls).build());
    toClose.add(server);
    return server;
  }

  private GrpcStageChannel connect(GrpcStageServer server, Authenticator auth, GrpcClientTls tls)
      throws IOException {
    return connect(server.address(), auth, tls);
  }

  private GrpcStageChannel connect(String address, Authenticator auth, GrpcClientTls tls)
      throws IOException {
    GrpcStageChannel channel =
        new GrpcTransport(Limits.DEFAULT, auth, tls).connect(address, TIMEOUT);
    toClose.add(channel);
    return channel;
  }

  private static Handshake handshake() {
    return new Handshake(
        "resnet18", 1000, new int[] {3, 224, 224}, 4, 9, 2, DType.FLOAT32, 42L, 1, "", List.of());
  }

  /** Handshakes, sends one random tensor and checks that exactly its bytes come back. */
  private static void roundTrip(GrpcStageChannel channel) throws Exception {
    HandshakeReply reply = channel.handshake(handshake(), TIMEOUT);
    assertEquals("resnet18", reply.model());
    long[] shape = {2, 128, 28, 28};
    Tensor sent = randomTensor(shape, 7);
    byte[] sentBytes = bytes(sent);
    channel.send(new InferenceRequest(5, sent));
    InferenceResult result = channel.receive(TIMEOUT);
    assertEquals(5, result.requestId());
    assertArrayEquals(shape, result.tensor().shape());
    assertArrayEquals(sentBytes, bytes(result.tensor()));
    assertEquals(List.of(TestStages.ECHO_TIMING), result.stageTimings());
    channel.release(result.tensor());
  }

  private static Tensor randomTensor(long[] shape, long seed) {
    return TestStages.randomTensor(DType.FLOAT32, shape, seed);
  }

  private static byte[] bytes(Tensor t) {
    return TestStages.bytes(t);
  }

  /** The handshake fails with UNAUTHENTICATED, in time; returns its message. */
  private String refusedHandshake(GrpcStageChannel channel) {
    long start = System.nanoTime();
    StageException e =
        assertThrows(StageException.class, () -> channel.handshake(handshake(), TIMEOUT));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(millis < FAIL_WITHIN_MILLIS, "refused after " + millis + " ms");
    assertEquals(ErrorCode.UNAUTHENTICATED, e.code(), e.toString());
    assertEquals(StageException.NO_REQUEST, e.requestId());
    InferenceRequest request = new InferenceRequest(1, randomTensor(new long[] {1}, 1));
    assertThrows(
        IllegalStateException.class, () -> channel.send(request), "a refused channel cannot send");
    return e.getMessage();
  }

  /** Connecting fails with an IOException, in time; returns its message. */
  private String failedConnect(String address, Authenticator auth, GrpcClientTls tls) {
    long start = System.nanoTime();
    IOException e = assertThrows(IOException.class, () -> connect(address, auth, tls));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(millis < FAIL_WITHIN_MILLIS, "failed after " + millis + " ms: " + e);
    return e.getMessage();
  }

  // ---- shared secret, plaintext ----

  @Test
  void theSameSecretOnBothSidesRoundTripsExactBytes() throws Exception {
    GrpcStageServer server = stage(SECRET_A, null);
    assertTrue(server.authenticates());
    roundTrip(connect(server, SECRET_A_AGAIN, null));
    assertEquals(1, service.sessions.size());
    assertEquals(1, server.admission().headsAdmitted());
  }

  @Test
  void aHeadWithASecretRefusesAStageWithoutOne() throws Exception {
    GrpcStageServer server = stage(null, null);
    String message = refusedHandshake(connect(server, SECRET_A, null));
    assertTrue(
        message.startsWith(
            "stage at "
                + server.address()
                + " did not prove it holds the shared secret: it "
                + "runs without one (start it with --secret-file FILE"),
        message);
    assertEquals(
        0, service.sessions.size(), "the head sends no handshake to a stage it cannot trust");
  }

  /**
   * A session id leaked from an authenticated handshake does not let an unauthenticated client
   * claim the session: its Infer call is refused before the stage looks at the id, and the session
   * is still there for the head that opened it.
   */
  @Test
  void anInferCallWithoutAProofCannotClaimASession() throws Exception {
    GrpcStageServer server = stage(SECRET_A, null);
    ManagedChannel raw =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    toClose.add(() -> raw.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    Channel authenticated =
        ClientInterceptors.intercept(raw, GrpcAuth.clientInterceptor(SECRET_A_AGAIN, true));
    HandshakeResponse opened =
        StageGrpc.newBlockingStub(authenticated)
            .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
            .handshake(GrpcMessages.toProto(handshake()));
    assertEquals(1, server.admission().headsAdmitted());

    Status stranger = infer(raw, opened.getSessionId());
    assertEquals(Status.Code.UNAUTHENTICATED, stranger.getCode(), stranger.toString());
    assertTrue(
        stranger.getDescription().startsWith("this stage requires authentication"),
        stranger.toString());
    assertEquals(0, server.streamCount());

    Status owner = infer(authenticated, opened.getSessionId());
    assertTrue(owner.isOk(), "the session was still there for its owner: " + owner);
  }

  /**
   * Opens an Infer stream for {@code sessionId}, sends one request, half-closes, and returns how it
   * ended.
   */
  private static Status infer(Channel channel, String sessionId) throws Exception {
    Metadata headers = new Metadata();
    headers.put(GrpcMessages.SESSION, sessionId);
    Channel withSession =
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    CompletableFuture<Status> ended = new CompletableFuture<>();
    AtomicInteger replies = new AtomicInteger();
    StreamObserver<InferRequest> requests =
        ClientCalls.asyncBidiStreamingCall(
            withSession.newCall(
                StageGrpc.getInferMethod(),
                CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)),
            new StreamObserver<InferReply>() {
              @Override
              public void onNext(InferReply value) {
                assertTrue(value.hasResult(), value.toString());
                replies.incrementAndGet();
              }

              @Override
              public void onError(Throwable t) {
                ended.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                ended.complete(
                    replies.get() == 1
                        ? Status.OK
                        : Status.INTERNAL.withDescription(replies + " replies"));
              }
            });
    requests.onNext(
        GrpcMessages.toProto(new InferenceRequest(1, randomTensor(new long[] {2, 3}, 3))));
    requests.onCompleted();
    return ended.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  // ---- TLS ----

  @Test
  void tlsWithoutASecretRoundTripsExactBytes() throws Exception {
    Certificates c = certificates();
    GrpcStageServer server = stage(null, GrpcServerTls.of(c.stageCert, c.stageKey));
    assertTrue(server.tls());
    roundTrip(connect(server, null, GrpcClientTls.of(c.stageCert, null)));
  }

  @Test
  void tlsWithASecretRoundTripsExactBytesAndStillRefusesOtherSecrets() throws Exception {
    Certificates c = certificates();
    GrpcStageServer server = stage(SECRET_A, GrpcServerTls.of(c.stageCert, c.stageKey));
    roundTrip(connect(server, SECRET_A_AGAIN, GrpcClientTls.of(c.stageCert, null)));
    refusedHandshake(connect(server, SECRET_B, GrpcClientTls.of(c.stageCert, null)));
    refusedHandshake(connect(server, null, GrpcClientTls.of(c.stageCert, null)));
    assertEquals(1, service.sessions.size());
  }

  /**
   * With TLS grpc adds its HTTP/2 handlers after the TLS handshake, inside a read: the composite
   * cumulator still reaches both.
   */
  @Test
  void tlsWithTunedCompositeGathersReadsOnBothSides() throws Exception {
    Certificates c = certificates();
    GrpcStageServer server =
        GrpcStageServer.start(
            service,
            StageServerOptions.builder()
                .optTls(GrpcServerTls.of(c.stageCert, c.stageKey))
                .optGrpcTuning(GrpcTuning.TUNED_COMPOSITE)
                .build());
    toClose.add(server);
    GrpcStageChannel head =
        new GrpcTransport(
                Limits.DEFAULT,
                null,
                GrpcClientTls.of(c.stageCert, null),
                GrpcTuning.TUNED_COMPOSITE)
            .connect(server.address(), TIMEOUT);
    toClose.add(head);
    roundTrip(head);
    GrpcCompositeCumulatorTest.assertCumulator(
        server.connections().channels().get(0), ByteToMessageDecoder.COMPOSITE_CUMULATOR, "stage");
    GrpcCompositeCumulatorTest.assertCumulator(
        head.nettyChannels().get(0), ByteToMessageDecoder.COMPOSITE_CUMULATOR, "head");
  }

  @Test
  void aTlsHeadRefusesAPlaintextStage() throws Exception {
    Certificates c = certificates();
    GrpcStageServer server = stage(null, null);
    String message = failedConnect(server.address(), null, GrpcClientTls.of(c.stageCert, null));
    assertEquals(
        "stage at "
            + server.address()
            + " does not speak TLS: it answered in plaintext (a stage started "
            + "without a TLS certificate). Connect to it without TLS (no --tls-trust), or restart it with a certificate"
            + " and key (serve --tls-cert FILE --tls-key FILE)",
        message);
  }

  @Test
  void aPlaintextHeadIsToldThatTheStageSpeaksTls() throws Exception {
    Certificates c = certificates();
    GrpcStageServer server = stage(SECRET_A, GrpcServerTls.of(c.stageCert, c.stageKey));
    String message = failedConnect(server.address(), SECRET_A_AGAIN, null);
    assertEquals(
        "stage at "
            + server.address()
            + " speaks TLS, but this head connects in plaintext: connect with "
            + "TLS, trusting the stage's certificate (or the CA that signed it): --tls-trust FILE",
        message);
    assertEquals(0, service.sessions.size());
  }

  @Test
  void aHeadRefusesAStageWhoseCertificateItDoesNotTrust() throws Exception {
    Certificates c = certificates();
    GrpcStageServer server = stage(SECRET_A, GrpcServerTls.of(c.stageCert, c.stageKey));
    String message =
        failedConnect(server.address(), SECRET_A_AGAIN, GrpcClientTls.of(c.otherCert, null));
    assertTrue(
        message.startsWith(
            "stage at "
                + server.address()
                + " presented a TLS certificate this head does not "
                + "trust ("),
        message);
    assertTrue(
        message.endsWith(
            "): put the stage's certificate, or the CA that signed it, in " + c.otherCert),
        message);
    assertEquals(0, service.sessions.size());
  }

  @Test
  void aCertificateMustNameTheHostDialedOrTheAuthorityOverride() throws Exception {
    Certificates c = certificates();
    GrpcStageServer server = stage(null, GrpcServerTls.of(c.namedCert, c.namedKey));
    String message = failedConnect(server.address(), null, GrpcClientTls.of(c.namedCert, null));
    assertTrue(
        message.startsWith(
            "stage at "
                + server.address()
                + " presented a TLS certificate that does not name "
                + "the host this head dialed ("),
        message);
    assertTrue(
        message.contains("stage.test"),
        "the message lists the names the certificate has: " + message);
    assertTrue(message.endsWith("give the stage a certificate for 127.0.0.1"), message);
    roundTrip(connect(server, null, GrpcClientTls.of(c.namedCert, "stage.test")));
  }

  @Test
  void aPlaintextHeadWithNobodyListeningGetsTheUsualMessage() throws Exception {
    int port;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String message = failedConnect("127.0.0.1:" + port, null, null);
    assertTrue(
        message.startsWith(
            "cannot connect to grpc stage at 127.0.0.1:" + port + " (plaintext): UNAVAILABLE"),
        message);
    assertTrue(
        message.endsWith("Is a stage server with --transport grpc listening there?"), message);
  }

  // ---- bad TLS files ----

  @Test
  void serverTlsFilesAreCheckedWhenNamed() throws Exception {
    Certificates c = certificates();
    Path missing = certDir.resolve("missing.pem");
    assertBad(
        () -> GrpcServerTls.of(missing, c.stageKey),
        "TLS certificate chain "
            + missing
            + " does not exist; "
            + "make a self-signed certificate and key with: openssl req -x509 -newkey ec -pkeyopt "
            + "ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem -days 365 -subj /CN=HOST -addext "
            + "subjectAltName=DNS:HOST,IP:ADDR");
    assertBad(
        () -> GrpcServerTls.of(c.stageCert, missing),
        "TLS private key " + missing + " does not exist; ");
    assertBad(
        () -> GrpcServerTls.of(c.stageKey, c.stageCert),
        "TLS certificate chain "
            + c.stageKey
            + " holds a private key but no certificate (are the certificate and key files swapped?)");
    assertBad(
        () -> GrpcServerTls.of(c.stageCert, c.otherKey),
        "TLS private key "
            + c.otherKey
            + " does not belong "
            + "to the first certificate in "
            + c.stageCert
            + " (CN=localhost)");
    assertBad(
        () -> GrpcServerTls.of(c.stageCert, c.sec1Key),
        "TLS private key "
            + c.sec1Key
            + " holds a -----BEGIN EC "
            + "PRIVATE KEY----- block (PKCS#1 or SEC1), but grpc reads only PKCS#8 (-----BEGIN PRIVATE KEY-----): "
            + "convert it with: openssl pkcs8 -topk8 -nocrypt -in "
            + c.sec1Key
            + " -out key.pem");
    assertBad(
        () -> GrpcServerTls.of(c.stageCert, c.encryptedKey),
        "TLS private key "
            + c.encryptedKey
            + " is "
            + "encrypted, and a stage cannot ask for a password: decrypt it with: openssl pkey -in "
            + c.encryptedKey
            + " -out key.pem");
    Path garbage =
        Files.writeString(
            certDir.resolve("garbage.pem"),
            "-----BEGIN CERTIFICATE-----\nAAAA\n" + "-----END CERTIFICATE-----\n");
    assertBad(
        () -> GrpcServerTls.of(garbage, c.stageKey),
        "TLS certificate chain "
            + garbage
            + " has a certificate "
            + "(number 1) that does not parse as X.509");
    assertEquals(
        new GrpcServerTls(c.stageCert, c.stageKey), GrpcServerTls.of(c.stageCert, c.stageKey));
  }

  @Test
  void clientTlsFilesAreCheckedWhenNamed() throws Exception {
    Certificates c = certificates();
    Path empty = Files.writeString(certDir.resolve("empty.pem"), "nothing here\n");
    assertBad(
        () -> GrpcClientTls.of(empty, null),
        "TLS trusted certificates file "
            + empty
            + " holds no PEM "
            + "certificate (no -----BEGIN CERTIFICATE----- block; a DER certificate converts with: openssl x509 -inform "
            + "der -in "
            + empty
            + " -out cert.pem); give the head the stage's certificate (its cert.pem) or the CA "
            + "that signed it");
    assertBad(
        () -> GrpcClientTls.of(c.stageCert, "two words"),
        "TLS authority override \"two words\" is not a " + "host name");
    assertNull(GrpcClientTls.of(c.stageCert, null).authorityOverride());
  }

  private static void assertBad(
      org.junit.jupiter.api.function.Executable make, String messageStart) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make);
    assertTrue(
        e.getMessage().startsWith(messageStart),
        "expected a message starting with\n  " + messageStart + "\nbut got\n  " + e.getMessage());
  }

  // ---- fixtures ----

  private static synchronized Certificates certificates() throws Exception {
    if (certificates == null) {
      certificates = Certificates.make(certDir);
    }
    return certificates;
  }

  /** Key pairs and self-signed certificates made by openssl. */
  private record Certificates(
      Path stageCert,
      Path stageKey,
      Path otherCert,
      Path otherKey,
      Path namedCert,
      Path namedKey,
      Path sec1Key,
      Path encryptedKey) {
    static Certificates make(Path dir) throws Exception {
      Assumptions.assumeTrue(
          opensslAvailable(), "openssl is not installed: apt-get install openssl");
      selfSigned(dir, "stage", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1");
      selfSigned(dir, "other", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1");
      selfSigned(dir, "named", "/CN=stage.test", "subjectAltName=DNS:stage.test");
      run(
          dir,
          "openssl",
          "ecparam",
          "-name",
          "prime256v1",
          "-genkey",
          "-noout",
          "-out",
          "sec1-key.pem");
      run(
          dir,
          "openssl",
          "pkcs8",
          "-topk8",
          "-in",
          "stage-key.pem",
          "-passout",
          "pass:test",
          "-out",
          "encrypted-key.pem");
      return new Certificates(
          dir.resolve("stage-cert.pem"),
          dir.resolve("stage-key.pem"),
          dir.resolve("other-cert.pem"),
          dir.resolve("other-key.pem"),
          dir.resolve("named-cert.pem"),
          dir.resolve("named-key.pem"),
          dir.resolve("sec1-key.pem"),
          dir.resolve("encrypted-key.pem"));
    }

    private static void selfSigned(Path dir, String name, String subject, String san)
        throws Exception {
      run(
          dir,
          "openssl",
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          name + "-key.pem",
          "-out",
          name + "-cert.pem",
          "-days",
          "2",
          "-subj",
          subject,
          "-addext",
          san);
    }

    private static boolean opensslAvailable() {
      try {
        Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    private static void run(Path dir, String... command) throws Exception {
      Process p =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      byte[] output = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within 30 s");
      }
      assertEquals(
          0,
          p.exitValue(),
          String.join(" ", command) + ": " + new String(output, StandardCharsets.UTF_8));
    }
  }
}
