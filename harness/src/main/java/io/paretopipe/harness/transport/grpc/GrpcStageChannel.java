package io.paretopipe.harness.transport.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.auth.SharedSecret;
import io.paretopipe.harness.memory.BufferPool;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.server.GrpcTuning;
import io.paretopipe.harness.transport.ChannelLifecycle;
import io.paretopipe.harness.transport.HostPort;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.StageChannelClosedException;
import io.paretopipe.harness.transport.grpc.proto.HandshakeResponse;
import io.paretopipe.harness.transport.grpc.proto.InferReply;
import io.paretopipe.harness.transport.grpc.proto.InferRequest;
import io.paretopipe.harness.transport.grpc.proto.StageError;
import io.paretopipe.harness.transport.grpc.proto.StageGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The head's end of a {@code grpc} connection: one {@link ManagedChannel} (one HTTP/2 connection)
 * per channel, a unary {@code Handshake}, then one bidirectional {@code Infer} stream for all
 * requests. Callbacks run on the Netty event loop ({@code directExecutor}) and only enqueue, so
 * {@link #receive} takes answers from a queue with a real deadline.
 *
 * <p>{@link #send} blocks until the stream is ready for more (grpc's flow control: the previous
 * messages have mostly left for the network) and then serializes the request into grpc's buffers,
 * so the tensor's memory is free to change once it returns. Results arrive in pooled direct buffers
 * (read-only, native order) that {@link #release} hands back.
 *
 * <p>Security, as its {@link GrpcTransport} was made: with TLS the connection is TLS, and a stage
 * whose certificate is not trusted, or that speaks plaintext, is refused at {@code connect} with an
 * {@link IOException} that says so. With an {@link Authenticator} every call (the {@code Handshake}
 * and the {@code Infer} stream) proves the shared secret and requires the stage's proof back
 * ({@link GrpcAuth#clientInterceptor}); any authentication failure, either way, is a {@link
 * StageException} with {@link ErrorCode#UNAUTHENTICATED} and a message naming the stage and the
 * fix, from {@link #handshake} (or, should the stage change its mind, {@link #receive}).
 *
 * <p>Threads: as {@link StageChannel}: one sender and one receiver at a time, concurrently; close
 * from anywhere. The socket's I/O runs on grpc's shared Netty event loops, except with {@link
 * GrpcTuning#compositeCumulator()} or {@link GrpcTuning#largeFrames()}: then on one event-loop
 * thread of this channel's own ({@link HeadEventLoop}), which {@link #close} (or a failed {@code
 * connect}) shuts down and, unless called on that thread, waits for.
 */
public final class GrpcStageChannel implements StageChannel {

  /** Most memory of released result messages kept for reuse per channel. */
  private static final long POOLED_BYTES = 256L << 20;

  /** Queue marker: this channel was closed. */
  private static final Object CLOSED = new Object();

  /**
   * A call that only ever probes why a connection failed: it is never answered, since it is never
   * sent.
   */
  private static final MethodDescriptor<byte[], byte[]> PROBE =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(
              MethodDescriptor.generateFullMethodName("paretopipe.probe.v1.Probe", "Connect"))
          .setRequestMarshaller(new EmptyMarshaller())
          .setResponseMarshaller(new EmptyMarshaller())
          .build();

  /**
   * Longest wait for the reason of a failed connection once the channel has reported the failure.
   */
  private static final long PROBE_MILLIS = 1_000;

  private final ManagedChannel channel;

  /** Null unless the tuning gathers reads in a composite buffer: then the channel's own loop. */
  private final HeadEventLoop loop;

  /**
   * {@link #channel}, through the authentication interceptor if there is one: every stage call uses
   * it.
   */
  private final Channel calls;

  private final Authenticator authenticator;
  private final String peer;
  private final Limits limits;
  private final BufferPool pool = new BufferPool(POOLED_BYTES);
  private final MethodDescriptor<InferRequest, Received<InferReply>> inferMethod;
  private final LinkedBlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();

  /**
   * Result tensor -> the receive buffer it aliases, for {@link #release}; weak so unreleased
   * results are collected.
   */
  private final Map<Tensor, ByteBuffer> backings = Collections.synchronizedMap(new WeakHashMap<>());

  private final ChannelLifecycle life;
  private final Object sendLock = new Object();
  private final Object readyLock = new Object();
  private volatile ClientCallStreamObserver<InferRequest> requests;

  /** Set once the Infer stream is over (the stage ended it or the connection died), with why. */
  private volatile boolean streamEnded;

  private volatile String endReason;

  private GrpcStageChannel(
      ManagedChannel channel,
      HeadEventLoop loop,
      String peer,
      Limits limits,
      Authenticator authenticator) {
    this.channel = channel;
    this.loop = loop;
    this.authenticator = authenticator;
    // closest to the transport, so that it binds the paretopipe-session header openStream adds
    this.calls =
        authenticator == null
            ? channel
            : ClientInterceptors.intercept(
                channel, GrpcAuth.clientInterceptor(authenticator, true));
    this.peer = peer;
    this.life = new ChannelLifecycle(this.peer);
    this.limits = limits;
    this.inferMethod =
        StageGrpc.getInferMethod().toBuilder(
                io.grpc.protobuf.ProtoUtils.marshaller(InferRequest.getDefaultInstance()),
                new PooledMarshaller<>(InferReply.getDefaultInstance(), pool))
            .build();
  }

  /** Plaintext and unauthenticated: the five-argument {@code connect} with nulls. */
  static GrpcStageChannel connect(String address, Duration connectTimeout, Limits limits)
      throws IOException {
    return connect(address, connectTimeout, limits, null, null, GrpcTuning.DEFAULT);
  }

  /**
   * Connects to the grpc stage server at {@code address}, waiting until the HTTP/2 connection (and,
   * with {@code tls}, the TLS handshake) is up.
   *
   * @param authenticator null, or the secret every call proves (see the class comment)
   * @param tls null for plaintext
   * @param tuning the HTTP/2 settings of the channel
   * @throws IOException naming the address if it cannot be reached within {@code connectTimeout},
   *     and, when the failure is about TLS, what went wrong with it and what to do
   */
  static GrpcStageChannel connect(
      String address,
      Duration connectTimeout,
      Limits limits,
      Authenticator authenticator,
      GrpcClientTls tls,
      GrpcTuning tuning)
      throws IOException {
    InetSocketAddress target = HostPort.parse(address);
    long timeoutMillis = Math.max(1, connectTimeout.toMillis());
    NettyChannelBuilder builder;
    if (tls == null) {
      builder =
          NettyChannelBuilder.forAddress(target.getHostString(), target.getPort()).usePlaintext();
    } else {
      ChannelCredentials credentials = tls.credentials();
      builder =
          NettyChannelBuilder.forAddress(target.getHostString(), target.getPort(), credentials);
      if (tls.authorityOverride() != null) {
        builder.overrideAuthority(tls.authorityOverride());
      }
    }
    GrpcTuningKnobs.apply(tuning, builder);
    HeadEventLoop loop =
        Http2HandlerHook.needed(tuning)
            ? new HeadEventLoop("paretopipe-grpc-head-" + target.getPort() + "-io", tuning)
            : null;
    ManagedChannel channel = null;
    try {
      if (loop != null) {
        loop.configure(builder);
      }
      channel =
          builder
              .directExecutor()
              .maxInboundMessageSize(GrpcStageServer.maxMessageBytes(limits))
              .maxInboundMetadataSize(64 << 10)
              .build();
      awaitReady(channel, address, target, timeoutMillis, tls);
      return new GrpcStageChannel(channel, loop, address, limits, authenticator);
    } catch (IOException | RuntimeException | Error e) {
      shutDown(channel, loop);
      throw e;
    }
  }

  /** Shuts a channel (may be null) and its own loop (may be null) down. */
  private static void shutDown(ManagedChannel channel, HeadEventLoop loop) {
    if (loop != null) {
      loop.close(channel);
    } else if (channel != null) {
      channel.shutdownNow();
    }
  }

  /**
   * The socket channels of this channel's own event loop ({@link Http2HandlerHook#needed}), empty
   * without one.
   */
  List<io.grpc.netty.shaded.io.netty.channel.Channel> nettyChannels() {
    return loop == null ? List.of() : loop.channels();
  }

  private static void awaitReady(
      ManagedChannel channel,
      String address,
      InetSocketAddress target,
      long timeoutMillis,
      GrpcClientTls tls)
      throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    ConnectivityState s = channel.getState(true);
    while (s != ConnectivityState.READY) {
      long left = deadline - System.nanoTime();
      if (s == ConnectivityState.TRANSIENT_FAILURE) {
        throw ConnectFailures.describe(address, target, tls, probe(channel));
      }
      if (s == ConnectivityState.SHUTDOWN || left <= 0) {
        throw ConnectFailures.timedOut(address, timeoutMillis, tls, s);
      }
      CountDownLatch changed = new CountDownLatch(1);
      channel.notifyWhenStateChanged(s, changed::countDown);
      try {
        changed.await(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while connecting to " + address, e);
      }
      s = channel.getState(true);
    }
  }

  /**
   * Why the channel failed to connect: a call made while it is in TRANSIENT_FAILURE fails at once
   * with the status of the last connection attempt, cause included. Null if that cannot be told
   * within {@link #PROBE_MILLIS}.
   */
  private static Status probe(ManagedChannel channel) {
    try {
      ClientCalls.blockingUnaryCall(
          channel,
          PROBE,
          CallOptions.DEFAULT.withDeadlineAfter(PROBE_MILLIS, TimeUnit.MILLISECONDS),
          new byte[0]);
      return null;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode() == Status.Code.UNAVAILABLE ? e.getStatus() : null;
    }
  }

  /** The stage's address, "HOST:PORT", as given to connect. */
  public String peer() {
    return peer;
  }

  @Override
  public HandshakeReply handshake(Handshake handshake, Duration timeout)
      throws IOException, StageException, TimeoutException {
    life.checkHandshakeAllowed();
    // Detach from any calling grpc context: a middle stage connects to its downstream from inside
    // its own Handshake call, whose context is cancelled when that call ends, which would cancel
    // the downstream calls too.
    Context previous = Context.ROOT.attach();
    try {
      return handshakeInRootContext(handshake, timeout);
    } finally {
      Context.ROOT.detach(previous);
    }
  }

  private HandshakeReply handshakeInRootContext(Handshake handshake, Duration timeout)
      throws IOException, StageException, TimeoutException {
    HandshakeResponse response;
    try {
      response =
          StageGrpc.newBlockingStub(calls)
              .withDeadlineAfter(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)
              .handshake(GrpcMessages.toProto(handshake));
    } catch (StatusRuntimeException e) {
      if (life.isClosed()) {
        throw new StageChannelClosedException(
            "channel to stage at " + peer + " was closed during the handshake");
      }
      if (e.getStatus().getCode() == Status.Code.UNAUTHENTICATED) {
        life.refused();
        throw unauthenticated(e.getStatus());
      }
      if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
        throw new TimeoutException(
            "no handshake answer from stage at " + peer + " within " + timeout.toMillis() + " ms");
      }
      StageException typed = GrpcMessages.fromStatus(e, peer);
      if (typed != null) {
        life.refused();
        throw typed;
      }
      close();
      throw new IOException("handshake with stage at " + peer + " failed: " + e.getStatus(), e);
    }
    HandshakeReply reply = GrpcMessages.fromProto(response);
    openStream(response.getSessionId());
    life.ready();
    return reply;
  }

  private void openStream(String sessionId) {
    Metadata headers = new Metadata();
    headers.put(GrpcMessages.SESSION, sessionId);
    ClientCall<InferRequest, Received<InferReply>> call =
        ClientInterceptors.intercept(calls, MetadataUtils.newAttachHeadersInterceptor(headers))
            .newCall(inferMethod, CallOptions.DEFAULT);
    ClientCalls.asyncBidiStreamingCall(call, new Replies());
  }

  /**
   * An authentication failure of a call as the error the caller gets: naming the stage and the fix.
   */
  private StageException unauthenticated(Status status) {
    String why = status.getDescription() == null ? "no reason given" : status.getDescription();
    String message;
    if (authenticator == null) {
      message =
          "stage at "
              + peer
              + " requires authentication: give this head the stage's shared secret ("
              + SharedSecret.OPTION
              + " FILE, or "
              + SharedSecret.ENV_SECRET_FILE
              + " / "
              + SharedSecret.ENV_SECRET
              + ")";
    } else if (why.startsWith("the stage does not authenticate")) {
      message =
          "stage at "
              + peer
              + " did not prove it holds the shared secret: it runs without one (start it "
              + "with "
              + SharedSecret.OPTION
              + " FILE, or "
              + SharedSecret.ENV_SECRET_FILE
              + " / "
              + SharedSecret.ENV_SECRET
              + ", holding the same secret as this head), or is too old to authenticate; this "
              + "head has a secret ("
              + authenticator.secret().fingerprint()
              + ") and refuses stages without one";
    } else if (why.startsWith("the stage")) {
      message =
          "stage at "
              + peer
              + " failed to authenticate to this head: "
              + why
              + " (this head's secret: "
              + authenticator.secret().fingerprint()
              + ")";
    } else {
      message =
          "stage at "
              + peer
              + " refused this head's authentication: "
              + why
              + " (this head's secret: "
              + authenticator.secret().fingerprint()
              + ")";
    }
    return new StageException(ErrorCode.UNAUTHENTICATED, message);
  }

  @Override
  public void send(InferenceRequest request) throws IOException {
    life.checkOpen();
    life.checkReady();
    InferRequest message = GrpcMessages.toProto(request);
    synchronized (sendLock) {
      ClientCallStreamObserver<InferRequest> out = requests;
      awaitWritable(out);
      try {
        out.onNext(message);
      } catch (RuntimeException e) {
        throw life.failure("sending to", e, this::close);
      }
    }
  }

  /** Waits until grpc wants more (isReady), the stream ends, or the channel closes. */
  private void awaitWritable(ClientCallStreamObserver<InferRequest> out) throws IOException {
    synchronized (readyLock) {
      while (!out.isReady()) {
        life.checkOpen();
        if (streamEnded) {
          throw new IOException(
              "cannot send to stage at "
                  + peer
                  + ": the stream has ended ("
                  + (endReason == null ? "closed by the stage" : endReason)
                  + ")");
        }
        try {
          readyLock.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StageChannelClosedException("interrupted while sending to stage at " + peer);
        }
      }
    }
    life.checkOpen();
  }

  @Override
  public InferenceResult receive(Duration timeout)
      throws IOException, StageException, TimeoutException {
    life.checkOpen();
    life.checkReady();
    Object next;
    try {
      next = arrivals.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StageChannelClosedException("interrupted while waiting for stage at " + peer);
    }
    if (next == null) {
      throw new TimeoutException(
          "no answer from stage at " + peer + " within " + timeout.toMillis() + " ms");
    }
    if (next == CLOSED || life.isClosed()) {
      arrivals.add(CLOSED);
      throw new StageChannelClosedException("channel to stage at " + peer + " was closed");
    }
    if (next instanceof InferenceResult result) {
      return result;
    }
    if (next instanceof StageException e) {
      if (e.requestId() == StageException.NO_REQUEST) {
        arrivals.add(
            new IOException(
                "stream to stage at "
                    + peer
                    + " ended after a connection-level error: "
                    + e.code()
                    + ": "
                    + e.getMessage()));
      }
      throw e;
    }
    IOException failure = (IOException) next;
    arrivals.add(failure);
    throw new IOException(failure.getMessage(), failure);
  }

  /** Reuses the memory of {@code tensor} (a result of this channel) for later results. */
  @Override
  public void release(Tensor tensor) {
    if (tensor != null) {
      ByteBuffer backing = backings.remove(tensor);
      if (backing != null) {
        pool.release(backing);
      }
    }
  }

  @Override
  public void close() {
    if (!life.markClosed()) {
      return;
    }
    ClientCallStreamObserver<InferRequest> out = requests;
    if (out != null) {
      try {
        out.cancel("head closed the channel", null);
      } catch (RuntimeException ignored) {
        // already over
      }
    }
    channel.shutdownNow();
    arrivals.add(CLOSED);
    synchronized (readyLock) {
      readyLock.notifyAll();
    }
    if (loop != null) {
      loop.close(channel);
    }
  }

  @Override
  public String toString() {
    return "GrpcStageChannel[" + life + "]";
  }

  /** The Infer stream's callbacks, on the event loop: convert and enqueue, nothing more. */
  private final class Replies
      implements ClientResponseObserver<InferRequest, Received<InferReply>> {
    @Override
    public void beforeStart(ClientCallStreamObserver<InferRequest> requestStream) {
      requests = requestStream;
      requestStream.setOnReadyHandler(
          () -> {
            synchronized (readyLock) {
              readyLock.notifyAll();
            }
          });
    }

    @Override
    public void onNext(Received<InferReply> received) {
      if (received.malformed() != null) {
        arrivals.add(
            new ProtocolException(
                ErrorCode.BAD_FRAME, "stage at " + peer + " sent a " + received.malformed()));
        return;
      }
      InferReply reply = received.message();
      if (reply.hasError()) {
        StageError e = reply.getError();
        pool.release(received.backing());
        arrivals.add(
            new StageException(ErrorCode.fromCode(e.getCode()), e.getMessage(), e.getRequestId()));
        return;
      }
      if (!reply.hasResult()) {
        pool.release(received.backing());
        arrivals.add(
            new ProtocolException(
                ErrorCode.BAD_FRAME,
                "stage at " + peer + " sent a reply with neither a result nor an error"));
        return;
      }
      try {
        InferenceResult result = GrpcMessages.fromProto(reply.getResult(), limits);
        backings.put(result.tensor(), received.backing());
        arrivals.add(result);
      } catch (ProtocolException e) {
        pool.release(received.backing());
        arrivals.add(
            new StageException(
                e.code(),
                "stage at " + peer + " sent an invalid result: " + e.getMessage(),
                reply.getResult().getRequestId()));
      }
    }

    @Override
    public void onError(Throwable t) {
      if (life.isClosed()) {
        return; // our own cancel: receive reports the close
      }
      Status status = Status.fromThrowable(t);
      StageException typed =
          status.getCode() == Status.Code.UNAUTHENTICATED
              ? unauthenticated(status)
              : GrpcMessages.fromStatus(t, peer);
      endReason = String.valueOf(Status.fromThrowable(t));
      streamEnded = true;
      if (typed != null) {
        arrivals.add(typed);
      } else {
        arrivals.add(
            new IOException(
                "connection to stage at " + peer + " failed: " + Status.fromThrowable(t), t));
      }
      synchronized (readyLock) {
        readyLock.notifyAll();
      }
    }

    @Override
    public void onCompleted() {
      streamEnded = true;
      arrivals.add(new IOException("stage at " + peer + " closed the stream"));
      synchronized (readyLock) {
        readyLock.notifyAll();
      }
    }
  }

  /** The probe's (empty) messages. */
  private static final class EmptyMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      return new byte[0];
    }
  }
}
