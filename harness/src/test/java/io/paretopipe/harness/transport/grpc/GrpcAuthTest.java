package io.paretopipe.harness.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.auth.AuthenticatorTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The grpc interceptors between real grpc-java servers and channels on loopback: a head and a stage
 * with the same secret talk (unary and streaming); without a secret, with another secret, with a
 * replayed or re-targeted proof, or against a stage that cannot prove itself, the call fails with
 * {@code UNAUTHENTICATED} and a description saying why.
 */
class GrpcAuthTest {
  private static final long DEADLINE_SECONDS = 10;
  private static final Metadata.Key<String> SESSION =
      Metadata.Key.of("paretopipe-session", Metadata.ASCII_STRING_MARSHALLER);

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = GrpcRawHead.BYTES;
  private static final MethodDescriptor<byte[], byte[]> SAY =
      method("Say", MethodDescriptor.MethodType.UNARY);
  private static final MethodDescriptor<byte[], byte[]> FAIL =
      method("Fail", MethodDescriptor.MethodType.UNARY);
  private static final MethodDescriptor<byte[], byte[]> STREAM =
      method("Stream", MethodDescriptor.MethodType.BIDI_STREAMING);

  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  /** Proof headers the stage received, in order. */
  private final List<byte[]> receivedProofs = new CopyOnWriteArrayList<>();

  private final Authenticator stageAuth = Authenticator.create(AuthenticatorTest.SECRET);
  private final Authenticator headAuth = Authenticator.create(AuthenticatorTest.SECRET);

  private static MethodDescriptor<byte[], byte[]> method(
      String name, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Echo", name))
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Say answers "echo:" + request; Fail ends with NOT_FOUND before any header; Stream echoes each
   * message.
   */
  private static ServerServiceDefinition echoService() {
    return ServerServiceDefinition.builder("test.Echo")
        .addMethod(
            SAY,
            ServerCalls.asyncUnaryCall(
                (req, out) -> {
                  out.onNext(utf8("echo:" + new String(req, StandardCharsets.UTF_8)));
                  out.onCompleted();
                }))
        .addMethod(
            FAIL,
            ServerCalls.asyncUnaryCall(
                (req, out) ->
                    out.onError(
                        Status.NOT_FOUND.withDescription("no such thing").asRuntimeException())))
        .addMethod(
            STREAM,
            ServerCalls.asyncBidiStreamingCall(
                (StreamObserver<byte[]> out) ->
                    new StreamObserver<byte[]>() {
                      @Override
                      public void onNext(byte[] value) {
                        out.onNext(value);
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {
                        out.onCompleted();
                      }
                    }))
        .build();
  }

  /** Records the proof header of every call that reaches it (installed outside the auth check). */
  private ServerInterceptor recordProofs() {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        byte[] proof = headers.get(GrpcAuth.PROOF);
        if (proof != null) {
          receivedProofs.add(proof);
        }
        return next.startCall(call, headers);
      }
    };
  }

  private int start(ServerServiceDefinition... services) throws IOException {
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    for (ServerServiceDefinition s : services) {
      b.addService(s);
    }
    Server server = b.build().start();
    servers.add(server);
    return server.getPort();
  }

  /**
   * A stage like the real one: challenge service plus the protected service behind the interceptor.
   */
  private int secureStage(Authenticator auth) throws IOException {
    return start(
        GrpcAuth.challengeService(auth),
        ServerInterceptors.intercept(
            echoService(), GrpcAuth.serverInterceptor(auth), recordProofs()));
  }

  private ManagedChannel channel(int port, ClientInterceptor... closestToTransport) {
    ManagedChannel c =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .intercept(closestToTransport)
            .build();
    channels.add(c);
    return c;
  }

  private static CallOptions deadline() {
    return CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static byte[] say(Channel channel, String text) {
    return ClientCalls.blockingUnaryCall(channel, SAY, deadline(), utf8(text));
  }

  private static StatusRuntimeException failure(
      Channel channel, MethodDescriptor<byte[], byte[]> method) {
    return assertThrows(
        StatusRuntimeException.class,
        () -> ClientCalls.blockingUnaryCall(channel, method, deadline(), utf8("hi")));
  }

  @AfterEach
  void close() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void theSameSecretOnBothSidesGetsThrough() throws Exception {
    int port = secureStage(stageAuth);
    ManagedChannel c = channel(port, GrpcAuth.clientInterceptor(headAuth, true));
    assertArrayEquals(utf8("echo:hello"), say(c, "hello"));
    assertArrayEquals(utf8("echo:again"), say(c, "again"));
    assertEquals(2, receivedProofs.size(), "each call carries its own proof");
    assertTrue(!java.util.Arrays.equals(receivedProofs.get(0), receivedProofs.get(1)));
  }

  @Test
  void aStreamStartedBeforeTheChallengeArrivesDeliversEverythingInOrder() throws Exception {
    int port = secureStage(stageAuth);
    ManagedChannel c = channel(port, GrpcAuth.clientInterceptor(headAuth, true));
    List<String> got = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncBidiStreamingCall(
            c.newCall(STREAM, deadline()),
            new StreamObserver<>() {
              @Override
              public void onNext(byte[] value) {
                got.add(new String(value, StandardCharsets.UTF_8));
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(null);
              }
            });
    for (int i = 0; i < 5; i++) {
      requests.onNext(utf8("m" + i));
    }
    requests.onCompleted();
    done.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), got);
  }

  @Test
  void aHeadWithoutASecretIsRefused() throws Exception {
    int port = secureStage(stageAuth);
    StatusRuntimeException e = failure(channel(port), SAY);
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertEquals(
        "this stage requires authentication: give the head the stage's shared secret (--secret-file "
            + "FILE, or PARETOPIPE_SECRET_FILE or PARETOPIPE_SECRET in its environment)",
        e.getStatus().getDescription());
  }

  @Test
  void aHeadWithAnotherSecretIsRefused() throws Exception {
    int port = secureStage(stageAuth);
    ManagedChannel c =
        channel(
            port, GrpcAuth.clientInterceptor(Authenticator.create(AuthenticatorTest.OTHER), true));
    StatusRuntimeException e = failure(c, SAY);
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertTrue(
        e.getStatus()
            .getDescription()
            .startsWith("the proof is wrong: the peer holds a different shared " + "secret"),
        e.getStatus().getDescription());
  }

  @Test
  void aReplayedProofIsRefusedAndAProofOpensOnlyItsOwnSession() throws Exception {
    int port = secureStage(stageAuth);
    ManagedChannel authenticated = channel(port, GrpcAuth.clientInterceptor(headAuth, true));
    Metadata session = new Metadata();
    session.put(SESSION, "session-1");
    Channel withSession =
        ClientInterceptors.intercept(
            authenticated, MetadataUtils.newAttachHeadersInterceptor(session));
    assertArrayEquals(utf8("echo:first"), say(withSession, "first"));
    byte[] captured = receivedProofs.get(0);

    ManagedChannel raw = channel(port);
    Metadata replay = new Metadata();
    replay.put(GrpcAuth.PROOF, captured);
    replay.put(SESSION, "session-1");
    StatusRuntimeException replayed =
        failure(
            ClientInterceptors.intercept(raw, MetadataUtils.newAttachHeadersInterceptor(replay)),
            SAY);
    assertEquals(Status.Code.UNAUTHENTICATED, replayed.getStatus().getCode());
    assertEquals(
        "the challenge was already answered: a replayed proof is refused",
        replayed.getStatus().getDescription());

    Metadata otherSession = new Metadata();
    otherSession.put(GrpcAuth.PROOF, captured);
    otherSession.put(SESSION, "session-2");
    StatusRuntimeException retargeted =
        failure(
            ClientInterceptors.intercept(
                raw, MetadataUtils.newAttachHeadersInterceptor(otherSession)),
            SAY);
    assertTrue(
        retargeted.getStatus().getDescription().startsWith("the proof is wrong"),
        retargeted.getStatus().getDescription());
    StatusRuntimeException otherMethod =
        failure(
            ClientInterceptors.intercept(raw, MetadataUtils.newAttachHeadersInterceptor(replay)),
            FAIL);
    assertTrue(
        otherMethod.getStatus().getDescription().startsWith("the proof is wrong"),
        otherMethod.getStatus().getDescription());
  }

  @Test
  void anInterceptorThatCannotSeeTheSessionHeaderFailsLoudly() throws Exception {
    int port = secureStage(stageAuth);
    Metadata session = new Metadata();
    session.put(SESSION, "session-1");
    // wrong order: the session header is attached after (closer to the transport than) the auth
    // interceptor
    ManagedChannel c =
        channel(
            port,
            MetadataUtils.newAttachHeadersInterceptor(session),
            GrpcAuth.clientInterceptor(headAuth, true));
    StatusRuntimeException e = failure(c, SAY);
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().startsWith("the proof is wrong"),
        e.getStatus().getDescription());
  }

  @Test
  void aStageWithoutAuthenticationIsRefusedByAHeadWithASecret() throws Exception {
    int port = start(echoService());
    StatusRuntimeException e =
        failure(channel(port, GrpcAuth.clientInterceptor(headAuth, true)), SAY);
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertEquals(
        "the stage does not authenticate (it runs without a shared secret, or is too old): refusing to "
            + "use it, since this head has a secret",
        e.getStatus().getDescription());
  }

  /**
   * A stage that hands out challenges but checks nothing and answers with a forged (or no) proof.
   */
  private int impostorStage(boolean forgeProof) throws IOException {
    Authenticator impostor = Authenticator.create(AuthenticatorTest.OTHER);
    ServerInterceptor forger =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            if (!forgeProof) {
              return next.startCall(call, headers);
            }
            return next.startCall(
                new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                  @Override
                  public void sendHeaders(Metadata h) {
                    h.put(GrpcAuth.SERVER_PROOF, new byte[Authenticator.PROOF_BYTES]);
                    super.sendHeaders(h);
                  }

                  @Override
                  public void close(Status status, Metadata trailers) {
                    trailers.put(GrpcAuth.SERVER_PROOF, new byte[Authenticator.PROOF_BYTES]);
                    super.close(status, trailers);
                  }
                },
                headers);
          }
        };
    return start(
        GrpcAuth.challengeService(impostor), ServerInterceptors.intercept(echoService(), forger));
  }

  @Test
  void aStageThatCannotProveItselfIsRefused() throws Exception {
    ManagedChannel silent =
        channel(impostorStage(false), GrpcAuth.clientInterceptor(headAuth, true));
    StatusRuntimeException none = failure(silent, SAY);
    assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
    assertEquals(
        "the stage did not prove it holds the shared secret: its response carries no "
            + "paretopipe-auth-server-bin header",
        none.getStatus().getDescription());

    ManagedChannel forged =
        channel(impostorStage(true), GrpcAuth.clientInterceptor(headAuth, true));
    StatusRuntimeException wrong = failure(forged, SAY);
    assertEquals(Status.Code.UNAUTHENTICATED, wrong.getStatus().getCode());
    assertTrue(
        wrong.getStatus().getDescription().startsWith("the stage's proof is wrong"),
        wrong.getStatus().getDescription());
    // a forged proof in the trailers of an error is caught too: the head does not trust the error
    StatusRuntimeException forgedError = failure(forged, FAIL);
    assertEquals(Status.Code.UNAUTHENTICATED, forgedError.getStatus().getCode());

    // without requireServerProof the head accepts an answer from a stage that does not prove itself
    ManagedChannel lenient =
        channel(impostorStage(false), GrpcAuth.clientInterceptor(headAuth, false));
    assertArrayEquals(utf8("echo:x"), say(lenient, "x"));
  }

  @Test
  void anErrorFromAnAuthenticatedStageComesThroughWithItsProofInTheTrailers() throws Exception {
    int port = secureStage(stageAuth);
    StatusRuntimeException e =
        failure(channel(port, GrpcAuth.clientInterceptor(headAuth, true)), FAIL);
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertEquals("no such thing", e.getStatus().getDescription());
    assertNotNull(e.getTrailers());
    assertEquals(Authenticator.PROOF_BYTES, e.getTrailers().get(GrpcAuth.SERVER_PROOF).length);
  }

  @Test
  void cancellingWhileTheChallengeIsPendingCancelsBoth() throws Exception {
    CountDownLatch challengeCancelled = new CountDownLatch(1);
    CountDownLatch challengeAsked = new CountDownLatch(1);
    ServerServiceDefinition stuck =
        ServerServiceDefinition.builder(GrpcAuth.SERVICE_NAME)
            .addMethod(
                GrpcAuth.CHALLENGE,
                ServerCalls.asyncUnaryCall(
                    (req, out) -> {
                      ((ServerCallStreamObserver<byte[]>) out)
                          .setOnCancelHandler(challengeCancelled::countDown);
                      challengeAsked.countDown();
                    }))
            .build();
    int port =
        start(
            stuck,
            ServerInterceptors.intercept(echoService(), GrpcAuth.serverInterceptor(stageAuth)));
    ManagedChannel c = channel(port, GrpcAuth.clientInterceptor(headAuth, true));
    var future = ClientCalls.futureUnaryCall(c.newCall(SAY, deadline()), utf8("never"));
    assertTrue(
        challengeAsked.await(DEADLINE_SECONDS, TimeUnit.SECONDS), "the head asks for a challenge");
    future.cancel(true);
    assertTrue(
        challengeCancelled.await(DEADLINE_SECONDS, TimeUnit.SECONDS),
        "the challenge call is cancelled too");
    assertTrue(future.isCancelled());
    assertThrows(
        java.util.concurrent.CancellationException.class, () -> future.get(1, TimeUnit.SECONDS));
  }

  @Test
  void theChallengeServiceRefusesARequestWithABody() throws Exception {
    int port = secureStage(stageAuth);
    ManagedChannel raw = channel(port);
    MethodDescriptor<byte[], byte[]> challengeWithBody =
        GrpcAuth.CHALLENGE.toBuilder(BYTES, BYTES).build();
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                ClientCalls.futureUnaryCall(
                        raw.newCall(challengeWithBody, deadline()), new byte[1000])
                    .get(DEADLINE_SECONDS, TimeUnit.SECONDS));
    Status s = Status.fromThrowable(e.getCause());
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), String.valueOf(s));
    assertEquals("a challenge request must be empty", s.getDescription());
    assertEquals(
        Authenticator.CHALLENGE_BYTES,
        ClientCalls.blockingUnaryCall(raw, challengeWithBody, deadline(), new byte[0]).length);
  }
}
