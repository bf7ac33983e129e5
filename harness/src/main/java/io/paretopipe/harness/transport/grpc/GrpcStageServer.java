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
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.memory.BufferPool;
import io.paretopipe.harness.memory.MemoryBudget;
import io.paretopipe.harness.memory.Reservation;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.transport.HostPort;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.StageSession;
import io.paretopipe.harness.transport.grpc.proto.HandshakeRequest;
import io.paretopipe.harness.transport.grpc.proto.HandshakeResponse;
import io.paretopipe.harness.transport.grpc.proto.InferReply;
import io.paretopipe.harness.transport.grpc.proto.InferRequest;
import io.paretopipe.harness.transport.grpc.proto.StageGrpc;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code grpc} stage server: serves a {@link StageService} (the very same stage code as {@link
 * io.paretopipe.harness.transport.nio.NioStageServer}) as the grpc service {@code
 * paretopipe.stage.v1.Stage} over Netty: HTTP/2, plaintext or with TLS ({@link Builder#optTls}).
 *
 * <p>Authentication: with {@link Builder#optAuthenticator} the server also serves {@link
 * GrpcAuth#challengeService} and puts {@link GrpcAuth#serverInterceptor} in front of every stage
 * call, so a {@code Handshake} or {@code Infer} call without a valid proof of the shared secret
 * ends with {@code UNAUTHENTICATED} before the stage code sees it: no session is opened, no model
 * loaded, no session claimed. Each answered call carries the stage's own proof, which a head with
 * the secret requires. Without TLS the secret still stays secret (only HMACs travel), but the
 * messages can be read and, after a call's proof, altered on the way: TLS protects them.
 *
 * <p>Sessions: {@code Handshake} calls {@link StageService#open} and parks the session under a
 * random id that it returns; the head then opens one {@code Infer} stream naming the id in its
 * {@code paretopipe-session} header, which claims the session. A session not claimed within {@link
 * Builder#optUnclaimedSessionMillis} is closed. When the stream ends for any reason (the head
 * half-closes and every answer is written, the head cancels or vanishes, a connection-level error,
 * the server closes) the session is closed, exactly once.
 *
 * <p>Requests are handed to {@link StageSession#process} in arrival order on the stream's
 * (serialized) callback thread; answers are written from whichever thread completes the future, in
 * completion order, serialized per stream. Request-level errors travel in the stream as {@code
 * StageError} messages and leave it open; connection-level errors (a malformed tensor, a limit
 * exceeded, an {@code Infer} without a valid session: {@code NOT_READY}) end the stream with a grpc
 * status whose trailers carry the {@link ErrorCode} (see {@link GrpcMessages}).
 *
 * <p>Limits: grpc rejects any incoming message over {@code maxTensorBytes + maxMetaBytes} before
 * allocating it ({@code RESOURCE_EXHAUSTED}); tensor ranks, sizes, strings and lists are checked
 * against the {@link Limits} after parsing. A handshake beyond {@link Builder#optMaxSessions} open
 * sessions, and a request beyond {@link Builder#optMaxInFlight} unanswered ones on its stream, get
 * {@code BUSY}.
 *
 * <p>Request memory: one {@link MemoryBudget} of {@link Builder#optMaxRequestBytes} bytes is shared
 * by every session, so many sessions each within their own limits cannot together exhaust memory.
 * Each {@code InferRequest} message's size is reserved in it before the message is copied out of
 * grpc's buffers ({@link PooledMarshaller}); a request that does not fit is not copied but skimmed
 * (its id and tensor header read, its data skipped), checked like any other request, and answered
 * with a request-level {@code BUSY} naming it; its stream goes on. A reservation is released once
 * the request's answer has been written into grpc's buffers, when the request is refused by {@code
 * maxInFlight} or is invalid, or when its stream ends (its session is closed then; a closed session
 * that still finishes a computation on the request's tensor does so outside the budget). What the
 * budget does not count: the results, and grpc's own (Netty) buffers, in which grpc reassembles
 * each incoming message whole before handing it over; per stream that is the message being
 * reassembled, at most the max inbound message size, freed as soon as it is copied or skipped. So
 * that every message reaches the marshaller at its known size, the server accepts no compressed
 * messages: a call with a {@code grpc-encoding} other than {@code identity} ends with {@code
 * UNIMPLEMENTED} (the head never compresses).
 *
 * <p>Threads: grpc's shared Netty event loops, plus a cached pool of daemon threads named {@code
 * paretopipe-grpc-stage-PORT-N} for callbacks and a timer for unclaimed sessions. Thread-safe;
 * {@link #close} stops accepting, cancels every stream (closing its session), closes unclaimed
 * sessions and waits up to 5 s for the threads; closing twice is harmless.
 */
public final class GrpcStageServer implements AutoCloseable {
  private static final long TERMINATION_MILLIS = 5_000;

  private static final Context.Key<String> SESSION_ID = Context.key("paretopipe-session");

  private final StageService service;
  private final Limits limits;
  private final long unclaimedSessionMillis;
  private final int maxSessions;
  private final int maxInFlight;

  /**
   * Request message bytes held at once by all sessions: reserved on arrival, released once
   * answered.
   */
  private final MemoryBudget requestMemory;

  /**
   * Finished request messages kept for reuse, shared by all sessions, up to {@code
   * requestMemory.poolAllowanceBytes()}.
   */
  private final BufferPool pool;

  private final ExecutorService executor;
  private final ScheduledExecutorService timer;
  private final Server server;
  private final InetSocketAddress localAddress;
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger sessionsOpened = new AtomicInteger();
  private final boolean authenticates;
  private final boolean tls;

  private GrpcStageServer(Builder b) throws IOException {
    this.authenticates = b.authenticator != null;
    this.tls = b.tls != null;
    ServerCredentials credentials = b.tls == null ? null : b.tls.credentials();
    this.service = b.service;
    this.limits = b.limits;
    this.unclaimedSessionMillis = b.unclaimedSessionMillis;
    this.maxSessions = b.maxSessions;
    this.maxInFlight = b.maxInFlight;
    this.requestMemory = new MemoryBudget(b.maxRequestBytes);
    this.pool = new BufferPool(requestMemory.poolAllowanceBytes());
    int requestedPort = b.bindAddress.getPort();
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
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "paretopipe-grpc-stage-timer-" + requestedPort);
              t.setDaemon(true);
              return t;
            });
    MethodDescriptor<Received<InferRequest>, InferReply> infer =
        StageGrpc.getInferMethod().toBuilder(
                new PooledMarshaller<>(
                    InferRequest.getDefaultInstance(),
                    pool,
                    requestMemory,
                    RequestSkimmer.INSTANCE),
                io.grpc.protobuf.ProtoUtils.marshaller(InferReply.getDefaultInstance()))
            .build();
    ServerServiceDefinition definition =
        ServerServiceDefinition.builder(StageGrpc.SERVICE_NAME)
            .addMethod(StageGrpc.getHandshakeMethod(), ServerCalls.asyncUnaryCall(this::handshake))
            .addMethod(infer, ServerCalls.asyncBidiStreamingCall(this::infer))
            .build();
    Server s;
    try {
      s = buildServer(b, credentials, definition).start();
    } catch (IOException e) {
      executor.shutdownNow();
      timer.shutdownNow();
      throw new IOException(
          "cannot listen on " + HostPort.format(b.bindAddress) + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      executor.shutdownNow();
      timer.shutdownNow();
      if (b.tls != null) {
        throw new IOException(
            "cannot start TLS on "
                + HostPort.format(b.bindAddress)
                + " with certificate chain "
                + b.tls.certificateChain()
                + " and key "
                + b.tls.privateKey()
                + ": "
                + e.getMessage(),
            e);
      }
      throw e;
    }
    this.server = s;
    InetSocketAddress bound = (InetSocketAddress) s.getListenSockets().get(0);
    this.localAddress =
        new InetSocketAddress(b.bindAddress.getAddress().getHostAddress(), bound.getPort());
  }

  private Server buildServer(
      Builder b, ServerCredentials credentials, ServerServiceDefinition definition) {
    NettyServerBuilder nb =
        credentials == null
            ? NettyServerBuilder.forAddress(b.bindAddress)
            : NettyServerBuilder.forAddress(b.bindAddress, credentials);
    nb.executor(executor)
        .maxInboundMessageSize(maxMessageBytes(limits))
        .maxInboundMetadataSize(64 << 10)
        // no decompressors: every message then reaches PooledMarshaller at its known size (see the
        // class comment)
        .decompressorRegistry(
            DecompressorRegistry.emptyInstance().with(Codec.Identity.NONE, false));
    if (b.authenticator == null) {
      nb.addService(ServerInterceptors.intercept(definition, new SessionHeader()));
    } else {
      // the last interceptor runs first: the proof is checked before anything else looks at the
      // call
      nb.addService(
          ServerInterceptors.intercept(
              definition, new SessionHeader(), GrpcAuth.serverInterceptor(b.authenticator)));
      nb.addService(GrpcAuth.challengeService(b.authenticator));
    }
    return nb.build();
  }

  /** The largest message either side accepts: the largest tensor plus room for everything else. */
  static int maxMessageBytes(Limits limits) {
    return (int) Math.min(Integer.MAX_VALUE, limits.maxTensorBytes() + limits.maxMetaBytes());
  }

  /** A builder; {@code service} is required. */
  public static Builder builder(StageService service) {
    return new Builder(service);
  }

  /** A server for {@code service} on 127.0.0.1, an ephemeral port, default limits. */
  public static GrpcStageServer start(StageService service) throws IOException {
    return builder(service).start();
  }

  /** The port the server listens on (the actual one when bound to port 0). */
  public int port() {
    return localAddress.getPort();
  }

  /** Where the server listens, as "HOST:PORT", usable with {@link GrpcTransport#connect}. */
  public String address() {
    return HostPort.format(localAddress);
  }

  /** Where the server listens: the bind address with the actual port. */
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  /**
   * Whether every stage call must prove the shared secret ({@link Builder#optAuthenticator} was
   * set).
   */
  public boolean authenticates() {
    return authenticates;
  }

  /** Whether the server speaks TLS ({@link Builder#optTls} was set). */
  public boolean tls() {
    return tls;
  }

  /** Infer streams currently open. */
  public int streamCount() {
    return streams.size();
  }

  /** Sessions opened by successful handshakes since start. */
  public int sessionsOpened() {
    return sessionsOpened.get();
  }

  /** The request memory shared by all sessions ({@link Builder#optMaxRequestBytes}), bytes. */
  public long requestMemoryCapacityBytes() {
    return requestMemory.capacityBytes();
  }

  /**
   * Request memory reserved now, bytes: the messages of requests received and not yet answered (or
   * dropped with their stream). 0 once every stream has ended.
   */
  public long requestMemoryReservedBytes() {
    return requestMemory.reservedBytes();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.shutdownNow();
    for (Stream s : new ArrayList<>(streams)) {
      s.end();
    }
    for (String id : new ArrayList<>(pending.keySet())) {
      Pending p = pending.remove(id);
      if (p != null) {
        p.expiry.cancel(false);
        closeQuietly(p.session);
      }
    }
    try {
      server.awaitTermination(TERMINATION_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
    executor.shutdownNow();
  }

  private static void closeQuietly(StageSession s) {
    try {
      s.close();
    } catch (RuntimeException ignored) {
      // a failing close must not stop the rest of the clean-up
    }
  }

  // ---- Handshake ----

  private void handshake(HandshakeRequest request, StreamObserver<HandshakeResponse> out) {
    StageSession session = null;
    try {
      Handshake h = GrpcMessages.fromProto(request, limits);
      int open = pending.size() + streams.size();
      if (open >= maxSessions) {
        out.onError(
            GrpcMessages.toStatus(
                ErrorCode.BUSY,
                "stage server already serves "
                    + open
                    + " sessions (maxSessions "
                    + maxSessions
                    + "); close one or raise the limit"));
        return;
      }
      session = Objects.requireNonNull(service.open(h), "StageService.open returned null");
      HandshakeReply reply =
          Objects.requireNonNull(session.reply(), "StageSession.reply returned null");
      String id = UUID.randomUUID().toString();
      StageSession s = session;
      Pending p =
          new Pending(
              s,
              timer.schedule(
                  () -> {
                    if (pending.remove(id) != null) {
                      closeQuietly(s);
                    }
                  },
                  unclaimedSessionMillis,
                  TimeUnit.MILLISECONDS));
      pending.put(id, p);
      sessionsOpened.incrementAndGet();
      if (closed.get() && pending.remove(id) != null) {
        closeQuietly(s);
      }
      out.onNext(GrpcMessages.toProto(reply, id));
      out.onCompleted();
    } catch (StageException e) {
      out.onError(GrpcMessages.toStatus(e.code(), String.valueOf(e.getMessage())));
    } catch (RuntimeException e) {
      if (session != null) {
        closeQuietly(session);
      }
      out.onError(
          GrpcMessages.toStatus(ErrorCode.INTERNAL, "stage failed to open a session: " + e));
    }
  }

  private record Pending(StageSession session, ScheduledFuture<?> expiry) {}

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
                      + unclaimedSessionMillis
                      + " ms; call Handshake first"));
      return new Discard();
    }
    p.expiry.cancel(false);
    Stream stream = new Stream(p.session, call);
    streams.add(stream);
    call.setOnCancelHandler(stream::end);
    if (closed.get()) {
      stream.end();
    }
    return stream;
  }

  /** Swallows the input of a call that has already been failed. */
  private final class Discard implements StreamObserver<Received<InferRequest>> {
    @Override
    public void onNext(Received<InferRequest> value) {
      value.discard(pool);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }

  /** One claimed session and its Infer stream. */
  private final class Stream implements StreamObserver<Received<InferRequest>> {
    private final StageSession session;
    private final ServerCallStreamObserver<InferReply> out;
    private final boolean reuseRequests;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();

    /**
     * Reservations of requests handed to the session and not yet released; {@link #end} releases
     * the rest.
     */
    private final Set<Reservation> held = ConcurrentHashMap.newKeySet();

    /** Guards {@code out} (grpc observers are not thread-safe) and {@link #finished}. */
    private final Object writeLock = new Object();

    private boolean finished;
    private volatile boolean halfClosed;

    Stream(StageSession session, ServerCallStreamObserver<InferReply> out) {
      this.session = session;
      this.out = out;
      boolean reuse;
      try {
        reuse = session.releasesRequestTensorOnCompletion();
      } catch (RuntimeException e) {
        reuse = false;
      }
      this.reuseRequests = reuse;
    }

    @Override
    public void onNext(Received<InferRequest> received) {
      if (received.malformed() != null) {
        fail(ErrorCode.BAD_FRAME, received.malformed());
        return;
      }
      if (received.refused() != null) {
        refuse(received.message(), received.refused());
        return;
      }
      InferenceRequest request;
      try {
        request = GrpcMessages.fromProto(received.message(), limits);
      } catch (ProtocolException e) {
        received.discard(pool);
        fail(e.code(), String.valueOf(e.getMessage()));
        return;
      }
      long requestId = request.requestId();
      if (inFlight.get() >= maxInFlight) {
        received.discard(pool);
        answer(
            requestId,
            GrpcMessages.errorReply(
                requestId,
                ErrorCode.BUSY,
                "request "
                    + requestId
                    + " refused: "
                    + maxInFlight
                    + " requests of this stream are already in flight (maxInFlight); wait for results before"
                    + " sending more"));
        return;
      }
      inFlight.incrementAndGet();
      Reservation reservation = received.reservation();
      hold(reservation);
      CompletableFuture<InferenceResult> future;
      try {
        future = session.process(request);
      } catch (RuntimeException e) {
        future = CompletableFuture.failedFuture(e);
      }
      if (future == null) {
        future =
            CompletableFuture.failedFuture(
                new NullPointerException("StageSession.process returned null"));
      }
      ByteBuffer reusable = reuseRequests ? received.backing() : null;
      future.whenComplete(
          (result, error) -> {
            answer(requestId, outcome(requestId, result, error));
            release(reservation); // written into grpc's buffers, or dropped with the stream
            if (reusable != null) {
              pool.release(
                  reusable); // the answer is serialized: its bytes are in grpc's buffers now
            }
            if (inFlight.decrementAndGet() == 0 && halfClosed) {
              complete();
            }
          });
    }

    /**
     * Answers a request refused by the request memory with a request-level {@code BUSY}, after
     * checking it like an accepted one (an invalid request ends the stream as usual).
     */
    private void refuse(InferRequest header, Received.Refusal refusal) {
      long requestId;
      try {
        requestId =
            GrpcMessages.checkRefused(header, refusal.rank(), refusal.tensorBytes(), limits);
      } catch (ProtocolException e) {
        fail(e.code(), String.valueOf(e.getMessage()));
        return;
      }
      answer(
          requestId,
          GrpcMessages.errorReply(
              requestId,
              ErrorCode.BUSY,
              "request "
                  + requestId
                  + " refused: its "
                  + refusal.tensorBytes()
                  + "-byte tensor (a "
                  + refusal.messageBytes()
                  + "-byte message) does not fit the"
                  + " stage's request memory ("
                  + refusal.freeBytes()
                  + " of "
                  + refusal.capacityBytes()
                  + " bytes free,"
                  + " shared by all sessions); retry when earlier requests are answered, or raise the stage's limit"));
    }

    /**
     * Tracks a request's reservation until it is released; released at once if the stream has
     * ended.
     */
    private void hold(Reservation reservation) {
      if (reservation == null) {
        return;
      }
      held.add(reservation);
      if (ended.get()) {
        release(reservation);
      }
    }

    private void release(Reservation reservation) {
      if (reservation != null) {
        reservation.release();
        held.remove(reservation);
      }
    }

    private InferReply outcome(long requestId, InferenceResult result, Throwable error) {
      if (error == null && result != null && result.requestId() == requestId) {
        return GrpcMessages.toProto(result);
      }
      ErrorReport report =
          error != null
              ? GrpcMessages.report(requestId, error)
              : result == null
                  ? new ErrorReport(
                      requestId,
                      ErrorCode.INTERNAL,
                      "stage session completed request " + requestId + " with a null result")
                  : new ErrorReport(
                      requestId,
                      ErrorCode.INTERNAL,
                      "stage session answered request "
                          + requestId
                          + " with a result for request "
                          + result.requestId());
      return GrpcMessages.errorReply(requestId, report.code(), report.message());
    }

    private void answer(long requestId, InferReply reply) {
      synchronized (writeLock) {
        if (finished) {
          return;
        }
        try {
          out.onNext(reply);
        } catch (RuntimeException e) {
          // cancelled meanwhile: the cancel handler ends the stream
        }
      }
    }

    /** Ends the stream with a connection-level error and closes the session. */
    void fail(ErrorCode code, String message) {
      synchronized (writeLock) {
        if (!finished) {
          finished = true;
          try {
            out.onError(GrpcMessages.toStatus(code, message));
          } catch (RuntimeException ignored) {
            // already cancelled
          }
        }
      }
      end();
    }

    private void complete() {
      synchronized (writeLock) {
        if (!finished) {
          finished = true;
          try {
            out.onCompleted();
          } catch (RuntimeException ignored) {
            // already cancelled
          }
        }
      }
      end();
    }

    /** Closes the session once; stops writing. Safe from any thread. */
    void end() {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      synchronized (writeLock) {
        if (!finished) {
          finished = true;
          if (closed.get()) {
            try {
              out.onError(GrpcMessages.toStatus(ErrorCode.CLOSED, "stage server is shutting down"));
            } catch (RuntimeException ignored) {
              // already cancelled
            }
          }
        }
      }
      streams.remove(this);
      closeQuietly(session);
      for (Reservation r : held) {
        release(r); // unanswered: the closed session no longer holds them for this stream
      }
    }

    @Override
    public void onError(Throwable t) {
      end(); // the head cancelled or vanished
    }

    @Override
    public void onCompleted() {
      halfClosed = true;
      if (inFlight.get() == 0) {
        complete();
      }
    }
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

  /** Options of a {@link GrpcStageServer}; {@code opt*} methods are optional. */
  public static final class Builder {
    private final StageService service;
    private InetSocketAddress bindAddress =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private Limits limits = Limits.DEFAULT;
    private long unclaimedSessionMillis = 30_000;
    private int maxSessions = 64;
    private int maxInFlight =
        io.paretopipe.harness.transport.nio.NioStageServer.DEFAULT_MAX_IN_FLIGHT;
    private long maxRequestBytes = MemoryBudget.defaultCapacityBytes();
    private Authenticator authenticator;
    private GrpcServerTls tls;

    private Builder(StageService service) {
      this.service = Objects.requireNonNull(service, "service");
    }

    /** Where to listen, as "HOST:PORT"; port 0 picks a free port. Default 127.0.0.1:0. */
    public Builder optListen(String hostPort) {
      InetSocketAddress a = HostPort.parse(hostPort);
      this.bindAddress = new InetSocketAddress(a.getHostString(), a.getPort());
      return this;
    }

    /** What incoming messages are checked against; also sets grpc's max inbound message size. */
    public Builder optLimits(Limits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Sessions (handshaken, claimed or not) served at once; another handshake gets {@code BUSY}.
     * Default 64.
     */
    public Builder optMaxSessions(int maxSessions) {
      if (maxSessions < 1) {
        throw new IllegalArgumentException("maxSessions: " + maxSessions + " (expected: >= 1)");
      }
      this.maxSessions = maxSessions;
      return this;
    }

    /**
     * Requests one stream may have unanswered; one more gets a request-level {@code BUSY}. Default
     * 16.
     */
    public Builder optMaxInFlight(int maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 1)");
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /**
     * Request message bytes the whole server holds at once, over all sessions (from a request's
     * arrival until its answer is written): a request whose message does not fit is skipped without
     * being copied and answered with a request-level {@code BUSY}, so many sessions within their
     * own limits cannot together exhaust memory. Default: three quarters of what the JVM may
     * allocate as direct buffers ({@link MemoryBudget#defaultCapacityBytes()}). Reused request
     * memory is pooled up to a quarter of this (at most 256 MiB) on top.
     *
     * @param bytes &gt;= 1
     */
    public Builder optMaxRequestBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxRequestBytes: " + bytes + " (expected: >= 1)");
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /**
     * How long a handshaken session waits for its Infer stream before it is closed; default 30 000
     * ms.
     */
    public Builder optUnclaimedSessionMillis(long millis) {
      if (millis < 1) {
        throw new IllegalArgumentException(
            "unclaimedSessionMillis: " + millis + " (expected: >= 1)");
      }
      this.unclaimedSessionMillis = millis;
      return this;
    }

    /**
     * Requires every stage call to prove knowledge of {@code authenticator}'s shared secret (see
     * the class comment); null, the default, serves everyone. The server uses the authenticator
     * from its threads but does not own it: one may serve several servers.
     */
    public Builder optAuthenticator(Authenticator authenticator) {
      this.authenticator = authenticator;
      return this;
    }

    /**
     * Serves over TLS with this certificate and key; null, the default, serves plaintext HTTP/2. A
     * plaintext head cannot talk to a TLS server, nor a TLS head to a plaintext one.
     */
    public Builder optTls(GrpcServerTls tls) {
      this.tls = tls;
      return this;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException naming the address if it cannot be bound, or the files if TLS cannot
     *     start with them
     */
    public GrpcStageServer start() throws IOException {
      return new GrpcStageServer(this);
    }
  }
}
