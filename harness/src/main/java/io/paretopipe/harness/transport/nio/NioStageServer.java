package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.auth.AuthenticationException;
import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.auth.ClientProof;
import io.paretopipe.harness.memory.BufferPool;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.trace.StepTrace;
import io.paretopipe.harness.transport.HostPort;
import io.paretopipe.harness.transport.Outcomes;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.StageSession;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code nio} stage server: accepts TCP connections and serves each with a {@link
 * StageService}.
 *
 * <p>Threads (all daemons, named {@code paretopipe-nio-*}): one accept thread; per connection one
 * reader thread, which reads the handshake and then requests in arrival order and hands them to the
 * {@link StageSession}, and one writer thread, which writes replies, results and errors in the
 * order they complete. A result that completes while nothing is queued is written by the completing
 * thread itself (one thread hand-off less per request); otherwise it queues for the writer. The
 * reader never waits on writes; a client that stops reading stalls only its own session.
 *
 * <p>Bad input: a frame that fails validation (see {@link FrameReader}) is answered with a typed
 * ERROR frame (request id -1) and the connection is closed; a request before the handshake gets
 * {@code NOT_READY}; a connection over {@link Builder#optMaxConnections} gets {@code BUSY}; a
 * request arriving while {@link Builder#optMaxInFlight} of its connection's requests are unanswered
 * gets a request-level {@code BUSY} (the connection goes on). Other connections are unaffected. A
 * client that vanishes mid-frame just ends its connection. A frame of a type not allowed at its
 * point of the conversation is refused from its header, before its payload is read or allocated.
 *
 * <p>Authentication ({@link Builder#optAuthenticator}): the stage answers the HANDSHAKE with an
 * AUTH_CHALLENGE, the head proves it holds the shared secret with an AUTH_PROOF bound to the very
 * HANDSHAKE frame it sent ({@link HandshakeBinding#of}), the stage answers AUTH_ACCEPT with its own
 * proof and only then opens the session (loads the model) and sends HANDSHAKE_REPLY. A wrong, stale
 * or replayed proof gets {@code UNAUTHENTICATED} and the connection is closed; nothing of the
 * handshake is acted on before the proof verifies. The whole exchange must end within the handshake
 * deadline.
 *
 * <p>Memory: per connection at most one frame is being read, so a connection holds at most {@code
 * maxMetaBytes + maxTensorBytes} of its own plus the results queued for writing.
 *
 * <p>Thread-safe. {@link #close} stops accepting, closes every connection (and with it its session)
 * and joins all threads; closing twice is harmless.
 */
public final class NioStageServer implements AutoCloseable {
  /** Default of {@link Builder#optMaxInFlight}. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 16;

  private static final long JOIN_TIMEOUT_MILLIS = 5_000;

  /** Longest pause of the accept thread after a failed accept (e.g. out of file descriptors). */
  private static final long ACCEPT_BACKOFF_MILLIS = 10;

  /**
   * After a connection-level error the server stops sending, keeps reading (and discarding) for at
   * most this long so the client can read the ERROR frame before the socket closes (closing with
   * unread input would reset the connection and could destroy the ERROR frame in flight).
   */
  private static final long LINGER_MILLIS = 2_000;

  /** Outbox marker: everything is written, close the connection. */
  private static final Object END = new Object();

  /** Outbox marker: a connection-level error was written, linger then close. */
  private static final Object LINGER_END = new Object();

  private final StageService service;

  /**
   * Request tensor bytes held at once by all connections: reserved on arrival, released once
   * answered.
   */
  private final io.paretopipe.harness.memory.MemoryBudget requestMemory;

  /**
   * Finished request tensors kept for reuse, shared by all connections, up to {@code
   * requestMemory.poolAllowanceBytes()}.
   */
  private final BufferPool pool;

  /** Null: connections are not authenticated. */
  private final Authenticator authenticator;

  private final Limits limits;
  private final int maxConnections;
  private final int maxInFlight;
  private final int socketBufferBytes;
  private final ServerSocketChannel serverChannel;
  private final InetSocketAddress localAddress;
  private final Thread acceptThread;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger activeConnections = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Counted down by {@link #close}; the accept thread's back-off after a failed accept waits on it.
   */
  private final java.util.concurrent.CountDownLatch closedLatch =
      new java.util.concurrent.CountDownLatch(1);

  private final AtomicInteger connectionsServed = new AtomicInteger();
  private final long handshakeTimeoutMillis;

  /**
   * Closes connections that have not completed a handshake in time; one daemon thread per server.
   */
  private final java.util.concurrent.ScheduledExecutorService handshakeTimer;

  private NioStageServer(Builder b) throws IOException {
    this.service = b.service;
    this.requestMemory = new io.paretopipe.harness.memory.MemoryBudget(b.maxRequestBytes);
    this.pool = new BufferPool(requestMemory.poolAllowanceBytes());
    this.authenticator = b.authenticator;
    this.limits = b.limits;
    this.maxConnections = b.maxConnections;
    this.maxInFlight = b.maxInFlight;
    this.handshakeTimeoutMillis = b.handshakeTimeoutMillis;
    this.socketBufferBytes = b.socketBufferBytes;
    ServerSocketChannel ch = ServerSocketChannel.open();
    try {
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      if (socketBufferBytes > 0) {
        ch.setOption(StandardSocketOptions.SO_RCVBUF, socketBufferBytes);
      }
      ch.bind(b.bindAddress, b.backlog);
    } catch (IOException e) {
      ch.close();
      throw new IOException(
          "cannot listen on " + HostPort.format(b.bindAddress) + ": " + e.getMessage(), e);
    }
    this.serverChannel = ch;
    this.localAddress = (InetSocketAddress) ch.getLocalAddress();
    this.handshakeTimer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "paretopipe-nio-handshake-timer-" + localAddress.getPort());
              t.setDaemon(true);
              return t;
            });
    this.acceptThread =
        new Thread(this::acceptLoop, "paretopipe-nio-accept-" + localAddress.getPort());
    acceptThread.setDaemon(true);
    acceptThread.start();
  }

  /** A builder; {@code service} is required. */
  public static Builder builder(StageService service) {
    return new Builder(service);
  }

  /** A server for {@code service} on 127.0.0.1, an ephemeral port, default limits. */
  public static NioStageServer start(StageService service) throws IOException {
    return builder(service).start();
  }

  /** The port the server listens on (the actual one when bound to port 0). */
  public int port() {
    return localAddress.getPort();
  }

  /** Where the server listens, as "HOST:PORT", usable with {@link NioTransport#connect}. */
  public String address() {
    return HostPort.format(localAddress);
  }

  /** Where the server listens. */
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  /** Connections currently being served (refused connections not counted). */
  public int connectionCount() {
    return activeConnections.get();
  }

  /**
   * Bytes of request tensors held now against {@link Builder#optMaxRequestBytes}, all connections
   * together.
   */
  public long requestMemoryReservedBytes() {
    return requestMemory.reservedBytes();
  }

  /** Connections accepted and served (not refused as BUSY) since start. */
  public int connectionsServed() {
    return connectionsServed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closedLatch.countDown();
    try {
      serverChannel.close();
    } catch (IOException ignored) {
      // nothing more to release
    }
    handshakeTimer.shutdownNow();
    List<Connection> open = new ArrayList<>(connections);
    for (Connection c : open) {
      c.close();
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_TIMEOUT_MILLIS);
    join(acceptThread, deadline);
    for (Connection c : open) {
      join(c.readerThread, deadline);
      join(c.writerThread, deadline);
    }
  }

  private static void join(Thread t, long deadlineNanos) {
    long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    if (t == Thread.currentThread() || leftMillis <= 0) {
      return;
    }
    try {
      t.join(leftMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!closed.get()) {
      SocketChannel socket;
      try {
        socket = serverChannel.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (closed.get()) {
          return;
        }
        // e.g. too many open files: pause 10 ms (ended at once by close) instead of spinning, then
        // keep serving
        try {
          if (closedLatch.await(ACCEPT_BACKOFF_MILLIS, TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException ie) {
          return;
        }
        continue;
      }
      try {
        socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (socketBufferBytes > 0) {
          socket.setOption(StandardSocketOptions.SO_SNDBUF, socketBufferBytes);
          socket.setOption(StandardSocketOptions.SO_RCVBUF, socketBufferBytes);
        }
        ErrorReport refusal = null;
        if (activeConnections.get() >= maxConnections) {
          refusal =
              new ErrorReport(
                  StageException.NO_REQUEST,
                  ErrorCode.BUSY,
                  "stage server already serves "
                      + maxConnections
                      + " connections (maxConnections); close one or raise the limit");
        }
        Connection c = new Connection(socket, refusal);
        connections.add(c);
        if (refusal == null) {
          activeConnections.incrementAndGet();
          connectionsServed.incrementAndGet();
        }
        if (closed.get()) {
          c.close();
        } else {
          c.start();
        }
      } catch (IOException | RuntimeException e) {
        closeQuietly(socket);
      }
    }
  }

  private static void closeQuietly(SocketChannel socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already released
    }
  }

  /** One client: reader thread, writer thread, session. */
  private final class Connection {
    private final SocketChannel socket;

    /** Non-null for a connection that is refused with this error as soon as it starts. */
    private final ErrorReport refusal;

    private final String peer;
    private final FrameReader reader;
    private final FrameWriter writer;
    private final LinkedBlockingQueue<Object> outbox = new LinkedBlockingQueue<>();

    /**
     * Held while a frame is written, by the writer thread or by a thread writing its answer inline.
     */
    private final ReentrantLock writeLock = new ReentrantLock();

    /**
     * Items added to the outbox and not yet written; an answer may be written inline only when 0.
     */
    private final AtomicInteger queuedWrites = new AtomicInteger();

    private final AtomicReference<StageSession> session = new AtomicReference<>();
    private final AtomicBoolean connectionClosed = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean readerDone;
    private volatile boolean fatalSent;

    /**
     * Set by the reader once the handshake (and authentication) is complete; the handshake timer
     * leaves such a connection alone.
     */
    private volatile boolean handshakeRead;

    final Thread readerThread;
    final Thread writerThread;

    Connection(SocketChannel socket, ErrorReport refusal) throws IOException {
      this.socket = socket;
      this.refusal = refusal;
      this.peer = HostPort.format((InetSocketAddress) socket.getRemoteAddress());
      this.reader = new FrameReader(socket, limits, pool, requestMemory);
      this.writer = new FrameWriter(socket, limits);
      this.readerThread =
          new Thread(this::readLoop, "paretopipe-nio-reader-" + port() + "-" + peer);
      this.writerThread =
          new Thread(this::writeLoop, "paretopipe-nio-writer-" + port() + "-" + peer);
      readerThread.setDaemon(true);
      writerThread.setDaemon(true);
    }

    void start() {
      if (refusal == null) {
        handshakeTimer.schedule(
            () -> {
              if (!handshakeRead && !fatalSent && !connectionClosed.get()) {
                // a connection that never handshakes must not hold one of the maxConnections slots
                fatal(
                    new ErrorReport(
                        StageException.NO_REQUEST,
                        ErrorCode.TIMEOUT,
                        "no complete HANDSHAKE"
                            + (authenticator == null ? "" : " and AUTH_PROOF")
                            + " within "
                            + handshakeTimeoutMillis
                            + " ms of connecting (handshakeTimeoutMillis)"));
              }
            },
            handshakeTimeoutMillis,
            TimeUnit.MILLISECONDS);
      }
      writerThread.start();
      readerThread.start();
    }

    private void readLoop() {
      try {
        if (refusal != null) {
          fatal(refusal);
          return;
        }
        Message first;
        try {
          first = reader.read(ONLY_HANDSHAKE);
        } catch (UnexpectedFrameException e) {
          ErrorCode code =
              e.frameType() == FrameType.REQUEST ? ErrorCode.NOT_READY : ErrorCode.BAD_FRAME;
          fatal(
              new ErrorReport(
                  StageException.NO_REQUEST,
                  code,
                  "got a "
                      + e.frameType()
                      + " frame before the handshake: the first frame of a connection must be HANDSHAKE"));
          return;
        }
        if (first == null || fatalSent) {
          return;
        }
        Handshake handshake = (Handshake) first;
        if (authenticator != null && !authenticate(handshake)) {
          return;
        }
        handshakeRead = true;
        if (fatalSent || !openSession(handshake)) {
          return;
        }
        while (true) {
          Message m;
          try {
            m = reader.read(ONLY_REQUEST);
          } catch (io.paretopipe.harness.transport.nio.PayloadRefusedException e) {
            answer(new ErrorReport(e.requestId(), ErrorCode.BUSY, e.getMessage()), null, 0);
            continue;
          } catch (UnexpectedFrameException e) {
            fatal(
                new ErrorReport(
                    StageException.NO_REQUEST,
                    ErrorCode.BAD_FRAME,
                    "got a "
                        + e.frameType()
                        + " frame after the handshake: only REQUEST frames may follow it"));
            return;
          }
          if (m == null) {
            return;
          }
          dispatch((InferenceRequest) m);
        }
      } catch (ProtocolException e) {
        fatal(e.toReport());
      } catch (IOException | RuntimeException e) {
        close();
      } finally {
        readerDone = true;
        if (fatalSent) {
          drainInput();
        } else if (inFlight.get() == 0) {
          enqueue(END);
        }
      }
    }

    /**
     * Challenges the head and checks its proof; on success the AUTH_ACCEPT is queued, on failure an
     * UNAUTHENTICATED error (and the connection closes).
     *
     * @return true if the head proved it holds the shared secret
     */
    private boolean authenticate(Handshake handshake) throws IOException, ProtocolException {
      byte[] challenge = authenticator.newChallenge();
      enqueue(new AuthChallenge(challenge));
      Message answer;
      try {
        answer = reader.read(ONLY_PROOF);
      } catch (UnexpectedFrameException e) {
        fatal(
            new ErrorReport(
                StageException.NO_REQUEST,
                ErrorCode.UNAUTHENTICATED,
                "got a "
                    + e.frameType()
                    + " frame where AUTH_PROOF was expected: this stage requires a shared secret; give the head the"
                    + " stage's secret (--secret-file FILE, or PARETOPIPE_SECRET_FILE / PARETOPIPE_SECRET)"));
        return false;
      }
      if (answer == null || fatalSent) {
        return false;
      }
      try {
        ClientProof proof = ClientProof.decode(((AuthProof) answer).proof());
        byte[] serverProof =
            authenticator.verify(proof, HandshakeBinding.of(handshake, limits), challenge);
        enqueue(new AuthAccept(serverProof));
        return true;
      } catch (AuthenticationException e) {
        fatal(
            new ErrorReport(
                StageException.NO_REQUEST,
                ErrorCode.UNAUTHENTICATED,
                "authentication failed: " + e.getMessage()));
        return false;
      }
    }

    /**
     * Reads and discards input until the client closes or the writer closes the socket after
     * lingering.
     */
    private void drainInput() {
      java.nio.ByteBuffer sink = java.nio.ByteBuffer.allocateDirect(64 << 10);
      try {
        while (socket.read(sink.clear()) >= 0) {
          // discard
        }
      } catch (IOException ignored) {
        // closed by the writer after LINGER_MILLIS, or reset by the client
      }
    }

    private boolean openSession(Handshake handshake) {
      StageSession s;
      try {
        s = Objects.requireNonNull(service.open(handshake), "StageService.open returned null");
      } catch (StageException e) {
        fatal(new ErrorReport(StageException.NO_REQUEST, e.code(), String.valueOf(e.getMessage())));
        return false;
      } catch (RuntimeException e) {
        fatal(
            new ErrorReport(
                StageException.NO_REQUEST,
                ErrorCode.INTERNAL,
                "stage failed to open a session: " + e));
        return false;
      }
      session.set(s);
      if (connectionClosed.get()) {
        closeSession();
        return false;
      }
      HandshakeReply reply;
      try {
        reply = Objects.requireNonNull(s.reply(), "StageSession.reply returned null");
      } catch (RuntimeException e) {
        fatal(
            new ErrorReport(
                StageException.NO_REQUEST,
                ErrorCode.INTERNAL,
                "stage failed to describe its session: " + e));
        return false;
      }
      enqueue(reply);
      return true;
    }

    private void dispatch(InferenceRequest request) {
      long requestId = request.requestId();
      if (inFlight.get() >= maxInFlight) {
        pool.release(request.tensor().data());
        requestMemory.release(request.tensor().byteSize());
        ErrorReport busy =
            new ErrorReport(
                requestId,
                ErrorCode.BUSY,
                "request "
                    + requestId
                    + " refused: "
                    + maxInFlight
                    + " requests of this connection are already in flight (maxInFlight); wait for results"
                    + " before sending more");
        answer(busy, null, 0);
        return;
      }
      inFlight.incrementAndGet();
      StageSession s = session.get();
      java.nio.ByteBuffer reusable =
          s != null && s.releasesRequestTensorOnCompletion() ? request.tensor().data() : null;
      CompletableFuture<InferenceResult> future;
      try {
        future = s.process(request);
      } catch (RuntimeException e) {
        future = CompletableFuture.failedFuture(e);
      }
      if (future == null) {
        future =
            CompletableFuture.failedFuture(
                new NullPointerException("StageSession.process returned null"));
      }
      future.whenComplete(
          (result, error) -> {
            answer(
                (Message) Outcomes.of(requestId, result, error),
                reusable,
                request.tensor().byteSize());
            if (inFlight.decrementAndGet() == 0 && readerDone) {
              enqueue(END);
            }
          });
    }

    /**
     * Sends a request's answer: written at once when possible, else queued for the writer thread.
     * The request's {@code reservedBytes} of request memory are released once the answer is
     * written, or dropped because the connection closed.
     */
    private void answer(Message answer, java.nio.ByteBuffer reusable, long reservedBytes) {
      if (writeInline(answer, reusable, reservedBytes)) {
        return;
      }
      synchronized (this) {
        if (!connectionClosed.get()) {
          enqueue(new Answer(answer, reusable, reservedBytes));
          return;
        }
      }
      requestMemory.release(reservedBytes);
    }

    private void enqueue(Object item) {
      queuedWrites.incrementAndGet();
      outbox.add(item);
    }

    /**
     * Writes {@code answer} on the calling thread (the session's compute thread, usually) when
     * nothing is queued before it and no other write is in progress: this saves a thread hand-off
     * per result, which on this kind of machine costs about 0.1 ms right after a forward. The
     * socket is blocking, so a client that stops reading stalls only its own session's thread.
     *
     * @return false if the answer must go through the outbox instead
     */
    private boolean writeInline(Message answer, java.nio.ByteBuffer reusable, long reservedBytes) {
      if (queuedWrites.get() != 0 || !writeLock.tryLock()) {
        return false;
      }
      try {
        if (queuedWrites.get() != 0 || connectionClosed.get()) {
          return false;
        }
        try {
          writeAnswer(answer, reusable);
        } catch (IOException | ProtocolException e) {
          close();
        } finally {
          requestMemory.release(reservedBytes);
        }
        return true;
      } finally {
        writeLock.unlock();
      }
    }

    /**
     * Writes one message (a result's tensor memory goes back to the pool after); the caller holds
     * writeLock.
     */
    private void writeAnswer(Message m, java.nio.ByteBuffer reusable)
        throws IOException, ProtocolException {
      try {
        writer.write(m);
        StepTrace.mark("stage.answer.written");
        if (reusable != null) {
          pool.release(reusable);
        }
      } catch (ProtocolException e) {
        long requestId = m instanceof InferenceResult r ? r.requestId() : StageException.NO_REQUEST;
        writer.write(
            new ErrorReport(
                requestId,
                e.code(),
                "stage cannot send its " + FrameType.of(m) + ": " + e.getMessage()));
      }
    }

    /** Queues a connection-level error; the writer sends it and then closes the connection. */
    private void fatal(ErrorReport report) {
      fatalSent = true;
      enqueue(report);
      enqueue(LINGER_END);
    }

    private void writeLoop() {
      try {
        while (true) {
          Object item = outbox.take();
          if (item == END) {
            return;
          }
          if (item == LINGER_END) {
            socket.shutdownOutput();
            readerThread.join(LINGER_MILLIS);
            return;
          }
          java.nio.ByteBuffer reusable = null;
          long reservedBytes = 0;
          if (item instanceof Answer a) {
            item = a.message();
            reusable = a.reusable();
            reservedBytes = a.reservedBytes();
          }
          writeLock.lock();
          try {
            writeAnswer((Message) item, reusable);
          } finally {
            queuedWrites.decrementAndGet();
            writeLock.unlock();
            requestMemory.release(reservedBytes);
          }
        }
      } catch (InterruptedException | IOException | ProtocolException e) {
        // closing, or the peer is gone: either way the connection ends here
      } finally {
        close();
      }
    }

    private void closeSession() {
      StageSession s = session.getAndSet(null);
      if (s != null) {
        try {
          s.close();
        } catch (RuntimeException ignored) {
          // a failing close must not stop the rest of the clean-up
        }
      }
    }

    void close() {
      if (!connectionClosed.compareAndSet(false, true)) {
        return;
      }
      closeQuietly(socket);
      if (Thread.currentThread() != writerThread) {
        writerThread.interrupt();
      }
      synchronized (this) {
        // answers that will never be written give their request memory back
        for (Object item; (item = outbox.poll()) != null; ) {
          if (item instanceof Answer a) {
            requestMemory.release(a.reservedBytes());
          }
        }
      }
      closeSession();
      if (connections.remove(this) && refusal == null) {
        activeConnections.decrementAndGet();
      }
    }
  }

  private static final Set<FrameType> ONLY_HANDSHAKE = java.util.EnumSet.of(FrameType.HANDSHAKE);
  private static final Set<FrameType> ONLY_PROOF = java.util.EnumSet.of(FrameType.AUTH_PROOF);
  private static final Set<FrameType> ONLY_REQUEST = java.util.EnumSet.of(FrameType.REQUEST);

  /**
   * An answer, the request memory that may be reused once it is written (or null), and the bytes of
   * request memory budget it releases then.
   */
  private record Answer(Message message, java.nio.ByteBuffer reusable, long reservedBytes) {}

  /** Options of a {@link NioStageServer}; {@code opt*} methods are optional. */
  public static final class Builder {
    private final StageService service;
    private Authenticator authenticator;
    private InetSocketAddress bindAddress =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private Limits limits = Limits.DEFAULT;
    private int maxConnections = 64;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private long maxRequestBytes = io.paretopipe.harness.memory.MemoryBudget.defaultCapacityBytes();
    private long handshakeTimeoutMillis = 10_000;
    private int socketBufferBytes;
    private int backlog = 50;

    private Builder(StageService service) {
      this.service = Objects.requireNonNull(service, "service");
    }

    /** Where to listen; default 127.0.0.1 on an ephemeral port (port 0). */
    public Builder optBindAddress(InetSocketAddress address) {
      this.bindAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Where to listen, as "HOST:PORT"; port 0 picks a free port. */
    public Builder optListen(String hostPort) {
      InetSocketAddress a = HostPort.parse(hostPort);
      this.bindAddress = new InetSocketAddress(a.getHostString(), a.getPort());
      return this;
    }

    /**
     * Require every head to prove it holds {@code authenticator}'s shared secret before its
     * handshake is acted on (see the class comment); null (default) serves anyone who connects.
     */
    public Builder optAuthenticator(Authenticator authenticator) {
      this.authenticator = authenticator;
      return this;
    }

    /** The limits every incoming frame is checked against; default {@link Limits#DEFAULT}. */
    public Builder optLimits(Limits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Connections served at once; further ones get {@code BUSY} and are closed. Default 64. */
    public Builder optMaxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException(
            "maxConnections: " + maxConnections + " (expected: >= 1)");
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * Requests one connection may have unanswered; one more is refused with a request-level {@code
     * BUSY}. Bounds the request memory a client can make the stage hold to about {@code maxInFlight
     * x maxTensorBytes}. Default {@value NioStageServer#DEFAULT_MAX_IN_FLIGHT}.
     */
    public Builder optMaxInFlight(int maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 1)");
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /**
     * Request tensor bytes the whole server holds at once, over all connections (from a request's
     * arrival until its answer is written): a request whose tensor does not fit is read and dropped
     * without being allocated and answered with a request-level {@code BUSY}, so many connections
     * within their own limits cannot together exhaust memory. Default: three quarters of what the
     * JVM may allocate as direct buffers ({@code MemoryBudget.defaultCapacityBytes()}). Reused
     * request memory is pooled up to a quarter of this (at most 256 MiB) on top.
     */
    public Builder optMaxRequestBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxRequestBytes: " + bytes + " (expected: >= 1)");
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /**
     * How long a new connection may take to send its whole HANDSHAKE frame; after that it gets a
     * {@code TIMEOUT} error and is closed, so idle connections cannot hold every slot. Default 10
     * s.
     */
    public Builder optHandshakeTimeoutMillis(long millis) {
      if (millis < 1) {
        throw new IllegalArgumentException(
            "handshakeTimeoutMillis: " + millis + " (expected: >= 1)");
      }
      this.handshakeTimeoutMillis = millis;
      return this;
    }

    /**
     * SO_SNDBUF and SO_RCVBUF of accepted sockets, bytes; 0 (default) leaves them to the OS, which
     * on Linux auto-tunes them (up to net.ipv4.tcp_rmem / tcp_wmem); a fixed value is capped by
     * net.core.rmem_max / wmem_max and disables auto-tuning.
     */
    public Builder optSocketBufferBytes(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException(
            "socketBufferBytes: " + bytes + " (expected: >= 0, 0 = OS default)");
      }
      this.socketBufferBytes = bytes;
      return this;
    }

    /** Binds and starts accepting. */
    public NioStageServer start() throws IOException {
      return new NioStageServer(this);
    }
  }
}
