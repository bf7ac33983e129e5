package io.paretopipe.harness.transport.grpc;

import io.grpc.Codec;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.DecompressorRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.server.Admission;
import io.paretopipe.harness.server.ServerLifecycle;
import io.paretopipe.harness.server.ServerTls;
import io.paretopipe.harness.server.Sessions;
import io.paretopipe.harness.server.StageServer;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.HostPort;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.StageSession;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.harness.transport.grpc.proto.HandshakeRequest;
import io.paretopipe.harness.transport.grpc.proto.HandshakeResponse;
import io.paretopipe.harness.transport.grpc.proto.InferReply;
import io.paretopipe.harness.transport.grpc.proto.InferRequest;
import io.paretopipe.harness.transport.grpc.proto.StageGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code grpc} stage server: serves a {@link StageService} (the very same stage code as {@link
 * io.paretopipe.harness.transport.nio.NioStageServer}, with the same {@link Admission} and dispatch
 * core) as the grpc service {@code paretopipe.stage.v1.Stage} over Netty: HTTP/2, plaintext or with
 * TLS ({@link StageServerOptions#tls()}).
 *
 * <p>Authentication: with {@link StageServerOptions#authenticator()} the server also serves {@link
 * GrpcAuth#challengeService} and puts {@link GrpcAuth#serverInterceptor} in front of every stage
 * call, so a {@code Handshake} or {@code Infer} call without a valid proof of the shared secret
 * ends with {@code UNAUTHENTICATED} before the stage code sees it: no session is opened, no model
 * loaded, no session claimed. Each answered call carries the stage's own proof, which a head with
 * the secret requires. Without TLS the secret still stays secret (only HMACs travel), but the
 * messages can be read and, after a call's proof, altered on the way: TLS protects them.
 *
 * <p>Sessions: {@code Handshake} takes one of {@link StageServerOptions#maxConnections()} slots
 * (one more handshake gets {@code BUSY}), calls {@link StageService#open} and parks the session
 * under a random id that it returns; the head then opens one {@code Infer} stream naming the id in
 * its {@code paretopipe-session} header, which claims the session ({@link GrpcStream}). A session
 * not claimed within {@link StageServerOptions#handshakeTimeoutMillis()} is closed. When the stream
 * ends for any reason the session is closed and its slot freed, exactly once.
 *
 * <p>Limits: grpc rejects any incoming message over {@code maxTensorBytes + maxMetaBytes} before
 * allocating it ({@code RESOURCE_EXHAUSTED}). Before protobuf parses anything: a {@code Handshake}
 * over {@code maxMetaBytes} is refused by its size ({@link BoundedMarshaller}, {@code
 * FRAME_TOO_LARGE}), an {@code InferRequest} with more than {@link RequestSkimmer#MAX_FIELDS}
 * fields (packed shape dims, unknown fields) by its field count ({@link PooledMarshaller}, {@code
 * FRAME_TOO_LARGE}, the stream ends); a message whose reading runs out of memory ends its call with
 * {@code BUSY}, its reservation and buffer given back. Tensor ranks, sizes, strings and lists are
 * checked against the {@link Limits} after parsing. Request memory: each {@code InferRequest}
 * message's size is reserved in the shared request memory before the message is copied out of
 * grpc's buffers ({@link PooledMarshaller}); a request that does not fit is not copied but skimmed
 * (its id and tensor header read, its data skipped), checked like any other request, and answered
 * with a request-level {@code BUSY}; its stream goes on. What the budget does not count: the
 * results, and grpc's own (Netty) buffers, in which grpc reassembles each incoming message whole
 * before handing it over; per stream that is the message being reassembled, at most the max inbound
 * message size, freed as soon as it is copied or skipped. So that every message reaches the
 * marshaller at its known size, the server accepts no compressed messages: a call with a {@code
 * grpc-encoding} other than {@code identity} ends with {@code UNIMPLEMENTED} (the head never
 * compresses).
 *
 * <p>Connections: counted from accept by a {@link GrpcConnectionGate}: at most {@link
 * StageServerOptions#maxPendingConnections()} that have not proved themselves (the oldest closed
 * when one more arrives; {@link StageServerOptions#maxPendingPerSource()} per source address)
 * beside at most {@link StageServerOptions#maxConnections()} authenticated ones, which are never
 * displaced.
 *
 * <p>Threads: the gate's Netty event loops (an acceptor and I/O threads), plus a cached pool of
 * daemon threads named {@code paretopipe-grpc-stage-PORT-N} for callbacks and a timer for unclaimed
 * sessions. Thread-safe; {@link #close} stops accepting, cancels every stream (closing its
 * session), closes unclaimed sessions and waits up to 5 s for the threads; closing twice is
 * harmless.
 */
public final class GrpcStageServer implements StageServer {
  private static final long TERMINATION_MILLIS = 5_000;

  /** Seconds of silence on a connection before the stage pings it. */
  static final long KEEPALIVE_TIME_SECONDS = 60;

  /** Seconds a ping may go unanswered before the connection is closed. */
  static final long KEEPALIVE_TIMEOUT_SECONDS = 20;

  /** The shortest interval between a head's own pings that the stage tolerates, seconds. */
  static final long PERMIT_KEEPALIVE_SECONDS = 10;

  private static final Context.Key<String> SESSION_ID = Context.key("paretopipe-session");

  private final StageService service;
  private final StageServerOptions options;
  private final Admission admission;
  private final GrpcConnectionGate gate;
  private final ServerLifecycle lifecycle;
  private final ExecutorService executor;
  private final Server server;
  private final InetSocketAddress localAddress;
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final Set<GrpcStream> streams = ConcurrentHashMap.newKeySet();

  /** A handshaken session waiting for its Infer stream. */
  private record Pending(StageSession session, Admission.Slot slot, ScheduledFuture<?> expiry) {
    void close() {
      expiry.cancel(false);
      Sessions.closeQuietly(session);
      slot.release();
    }
  }

  private GrpcStageServer(StageService service, StageServerOptions options) throws IOException {
    this.service = Objects.requireNonNull(service, "service");
    this.options = options;
    ServerCredentials credentials = credentials(options.tls());
    this.admission = new Admission(options);
    int requestedPort = options.bindAddress().getPort();
    this.lifecycle = new ServerLifecycle("grpc-stage-" + requestedPort);
    this.gate = new GrpcConnectionGate(options, "paretopipe-grpc-stage-" + requestedPort);
    AtomicInteger threadCount = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t =
                  new Thread(
                      r,
                      "paretopipe-grpc-stage-"
                          + requestedPort
                          + "-"
                          + threadCount.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    MethodDescriptor<Received<InferRequest>, InferReply> infer =
        StageGrpc.getInferMethod().toBuilder(
                new PooledMarshaller<>(
                    InferRequest.getDefaultInstance(),
                    admission.pool(),
                    admission.requestMemory(),
                    RequestSkimmer.INSTANCE,
                    RequestSkimmer.MAX_FIELDS),
                io.grpc.protobuf.ProtoUtils.marshaller(InferReply.getDefaultInstance()))
            .build();
    ServerServiceDefinition definition =
        ServerServiceDefinition.builder(StageGrpc.SERVICE_NAME)
            .addMethod(
                StageGrpc.getHandshakeMethod().toBuilder(
                        new BoundedMarshaller<>(
                            HandshakeRequest.getDefaultInstance(),
                            "handshake",
                            options.limits().maxMetaBytes()),
                        io.grpc.protobuf.ProtoUtils.marshaller(
                            HandshakeResponse.getDefaultInstance()))
                    .build(),
                ServerCalls.asyncUnaryCall(this::handshake))
            .addMethod(infer, ServerCalls.asyncBidiStreamingCall(this::infer))
            .build();
    Server s;
    try {
      s = buildServer(definition, credentials).start();
    } catch (IOException | RuntimeException e) {
      executor.shutdownNow();
      gate.close();
      lifecycle.close();
      ServerTls tls = options.tls();
      if (e instanceof RuntimeException && tls != null) {
        throw new IOException(
            "cannot start TLS on "
                + HostPort.format(options.bindAddress())
                + " with certificate chain "
                + tls.certificateChain()
                + " and key "
                + tls.privateKey()
                + ": "
                + e.getMessage(),
            e);
      }
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(
          "cannot listen on " + HostPort.format(options.bindAddress()) + ": " + e.getMessage(), e);
    }
    this.server = s;
    InetSocketAddress bound = (InetSocketAddress) s.getListenSockets().get(0);
    this.localAddress =
        new InetSocketAddress(options.bindAddress().getAddress().getHostAddress(), bound.getPort());
  }

  /**
   * A server for {@code service} with {@code options}, serving when this returns.
   *
   * @throws IOException naming the address if it cannot be bound, or the files if TLS cannot start
   *     with them
   */
  public static GrpcStageServer start(StageService service, StageServerOptions options)
      throws IOException {
    return new GrpcStageServer(service, options);
  }

  /** A server for {@code service} on 127.0.0.1, an ephemeral port, default options. */
  public static GrpcStageServer start(StageService service) throws IOException {
    return start(service, StageServerOptions.defaults());
  }

  private Server buildServer(ServerServiceDefinition definition, ServerCredentials credentials) {
    NettyServerBuilder nb =
        credentials == null
            ? NettyServerBuilder.forAddress(options.bindAddress())
            : NettyServerBuilder.forAddress(options.bindAddress(), credentials);
    if (options.grpcTuning().directExecutor()) {
      nb.directExecutor();
    } else {
      nb.executor(executor);
    }
    GrpcTuningKnobs.apply(options.grpcTuning(), nb);
    gate.configure(nb);
    nb.maxInboundMessageSize(maxMessageBytes(options.limits()))
        .maxInboundMetadataSize(64 << 10)
        .addStreamTracerFactory(new GrpcCallLimits(options.limits()))
        .maxConcurrentCallsPerConnection(options.maxCallsPerConnection())
        // a connection that has not finished its HTTP/2 (and TLS) negotiation, or has no call
        // open, within the handshake deadline is closed: it holds no slot, but costs a socket
        .handshakeTimeout(options.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS)
        .maxConnectionIdle(options.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS)
        // the stage pings a silent connection and closes it when the ping is not answered: a head
        // that vanished without a FIN
        .keepAliveTime(KEEPALIVE_TIME_SECONDS, TimeUnit.SECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        // heads may ping this often, even with no call open; more often gets GOAWAY
        .permitKeepAliveTime(PERMIT_KEEPALIVE_SECONDS, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        // no decompressors: every message then reaches PooledMarshaller at its known size (see the
        // class comment)
        .decompressorRegistry(
            DecompressorRegistry.emptyInstance().with(Codec.Identity.NONE, false));
    if (options.authenticator() == null) {
      nb.addService(
          ServerInterceptors.intercept(definition, new SessionHeader(), gate.interceptor(false)));
    } else {
      // the last interceptor runs first: the proof is checked before anything else looks at the
      // call, and a call that passed it proves its connection
      nb.addService(
          ServerInterceptors.intercept(
              definition,
              new SessionHeader(),
              gate.interceptor(true),
              GrpcAuth.serverInterceptor(options.authenticator())));
      nb.addService(GrpcAuth.challengeService(options.authenticator()));
    }
    return nb.build();
  }

  /** grpc's credentials for the TLS files, read now; null for plaintext. */
  private static ServerCredentials credentials(ServerTls tls) throws IOException {
    if (tls == null) {
      return null;
    }
    try {
      return TlsServerCredentials.create(
          tls.certificateChain().toFile(), tls.privateKey().toFile());
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          "cannot read the TLS certificate chain "
              + tls.certificateChain()
              + " and key "
              + tls.privateKey()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** The largest message either side accepts: the largest tensor plus room for everything else. */
  static int maxMessageBytes(Limits limits) {
    return (int) Math.min(Integer.MAX_VALUE, limits.maxTensorBytes() + limits.maxMetaBytes());
  }

  @Override
  public TransportKind kind() {
    return TransportKind.GRPC;
  }

  @Override
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  @Override
  public Admission admission() {
    return admission;
  }

  /** Whether every stage call must prove the shared secret. */
  public boolean authenticates() {
    return options.authenticator() != null;
  }

  /** Whether the server speaks TLS. */
  public boolean tls() {
    return options.tls() != null;
  }

  /**
   * The gate that counts and bounds this server's TCP connections (pending and proved), for tests
   * and diagnostics.
   */
  GrpcConnectionGate connections() {
    return gate;
  }

  /** Infer streams currently open. */
  public int streamCount() {
    return streams.size();
  }

  boolean isClosed() {
    return lifecycle.isClosed();
  }

  ServerLifecycle lifecycle() {
    return lifecycle;
  }

  /** Runs {@code task} on the server's callback threads (e.g. what a timer decided). */
  void execute(Runnable task) {
    try {
      executor.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // the server is closing and ends every stream itself
    }
  }

  void ended(GrpcStream stream) {
    streams.remove(stream);
  }

  @Override
  public void close() {
    if (!lifecycle.markClosed()) {
      return;
    }
    server.shutdownNow();
    for (GrpcStream s : new ArrayList<>(streams)) {
      s.end();
    }
    for (String id : new ArrayList<>(pending.keySet())) {
      Pending p = pending.remove(id);
      if (p != null) {
        p.close();
      }
    }
    try {
      server.awaitTermination(TERMINATION_MILLIS, TimeUnit.MILLISECONDS);
      // grpc's callbacks for the closed calls may still be queued on the executor; they write
      // through the event loops, so those stay up until the callbacks have run
      executor.shutdown();
      executor.awaitTermination(TERMINATION_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    gate.close();
    lifecycle.close();
    executor.shutdownNow();
  }

  // ---- Handshake ----

  private void handshake(
      BoundedMarshaller.Bounded<HandshakeRequest> request, StreamObserver<HandshakeResponse> out) {
    if (request.message() == null) {
      out.onError(GrpcMessages.toStatus(request.refusalCode(), request.refusal()));
      return;
    }
    Admission.Slot slot = null;
    try {
      Handshake h = GrpcMessages.fromProto(request.message(), options.limits());
      slot = admission.admit();
      Sessions.Opened opened = Sessions.open(service, h);
      String id = UUID.randomUUID().toString();
      Pending p =
          new Pending(
              opened.session(),
              slot,
              lifecycle.deadline(
                  options.handshakeTimeoutMillis(),
                  () -> {
                    Pending expired = pending.remove(id);
                    if (expired != null) {
                      expired.close();
                    }
                  }));
      slot = null;
      pending.put(id, p);
      if (lifecycle.isClosed() && pending.remove(id) != null) {
        p.close();
      }
      out.onNext(GrpcMessages.toProto(opened.reply(), id));
      out.onCompleted();
    } catch (StageException e) {
      if (slot != null) {
        slot.release();
      }
      out.onError(GrpcMessages.toStatus(e.code(), String.valueOf(e.getMessage())));
    }
  }

  // ---- Infer ----

  private StreamObserver<Received<InferRequest>> infer(StreamObserver<InferReply> out) {
    ServerCallStreamObserver<InferReply> call = (ServerCallStreamObserver<InferReply>) out;
    String id = SESSION_ID.get();
    Pending p = id == null ? null : pending.remove(id);
    if (p == null) {
      out.onError(
          GrpcMessages.toStatus(
              ErrorCode.NOT_READY,
              id == null
                  ? "Infer without a session: call Handshake first and name its session_id in the paretopipe-session header"
                  : "no open session "
                      + id
                      + ": it was never opened, is already in use, or expired unclaimed after "
                      + options.handshakeTimeoutMillis()
                      + " ms; call Handshake first"));
      return new Discard();
    }
    p.expiry().cancel(false);
    GrpcStream stream =
        new GrpcStream(
            this, admission, options, p.session(), p.slot(), call, GrpcCallLimits.resetter());
    streams.add(stream);
    call.setOnCancelHandler(stream::end);
    stream.start();
    if (lifecycle.isClosed()) {
      stream.end();
    }
    return stream;
  }

  /** Swallows the input of a call that has already been failed. */
  private final class Discard implements StreamObserver<Received<InferRequest>> {
    @Override
    public void onNext(Received<InferRequest> value) {
      value.discard(admission.pool());
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }

  /** Puts the Infer call's paretopipe-session header into the call's context. */
  private static final class SessionHeader implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      String id = headers.get(GrpcMessages.SESSION);
      if (id == null) {
        return next.startCall(call, headers);
      }
      return Contexts.interceptCall(
          Context.current().withValue(SESSION_ID, id), call, headers, next);
    }
  }
}
