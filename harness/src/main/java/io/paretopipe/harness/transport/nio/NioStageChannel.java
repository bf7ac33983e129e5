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
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.transport.ChannelLifecycle;
import io.paretopipe.harness.transport.HostPort;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.StageChannelClosedException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The head's end of a {@code nio} connection. The socket is non-blocking; the sending thread waits
 * for writability and the receiving thread for readability on separate selectors, which gives
 * {@link #receive} a real deadline without a helper thread and lets {@link #close} wake both.
 * Results arrive in fresh direct native-order buffers of exactly the tensor's size.
 *
 * <p>Authentication: a channel with an {@link Authenticator} answers the stage's AUTH_CHALLENGE
 * with a proof over the HANDSHAKE frame it sent and checks the stage's AUTH_ACCEPT proof in turn;
 * it refuses a stage that replies without challenging (it cannot prove it holds the secret). A
 * channel without one refuses a challenge with a message saying the stage needs the secret. Both
 * are {@code UNAUTHENTICATED} {@link StageException}s from {@link #handshake}.
 *
 * <p>Waiting for an answer: by default the receiving thread blocks in the read selector. A channel
 * connected with an {@link AnswerWait} (see {@link NioTransport}) instead polls the socket in a
 * short window around the moment the answer to the last request is expected (bounds in {@link
 * AnswerWait}) and blocks in the selector before and after it; the deadlines, the close and the
 * errors of {@link #receive} are the same either way.
 *
 * <p>Threads: as {@link StageChannel}: one sender and one receiver at a time, concurrently; close
 * from anywhere.
 */
public final class NioStageChannel implements StageChannel {

  /** Most memory of released result tensors kept for reuse per channel. */
  private static final long POOLED_BYTES = 256L << 20;

  private final SocketChannel socket;
  private final String peer;
  private final Limits limits;

  /** Null: this head has no shared secret. */
  private final Authenticator authenticator;

  private final Selector readSelector;
  private final Selector writeSelector;
  private final FrameReader reader;
  private final FrameWriter writer;
  private final BufferPool pool = new BufferPool(POOLED_BYTES);
  private final ChannelLifecycle life;

  /** Null: the receiving thread never spins. */
  private final AnswerWait answerWait;

  /**
   * Deadline of the receive in progress, System.nanoTime() based; only touched by the receiving
   * thread.
   */
  private long readDeadlineNanos;

  private NioStageChannel(
      SocketChannel socket,
      String peer,
      Limits limits,
      Authenticator authenticator,
      AnswerWait answerWait)
      throws IOException {
    this.socket = socket;
    this.answerWait = answerWait;
    this.peer = peer;
    this.life = new ChannelLifecycle(this.peer);
    this.limits = limits;
    this.authenticator = authenticator;
    this.readSelector = Selector.open();
    Selector ws;
    try {
      ws = Selector.open();
    } catch (IOException e) {
      readSelector.close();
      throw e;
    }
    this.writeSelector = ws;
    socket.configureBlocking(false);
    socket.register(readSelector, SelectionKey.OP_READ);
    socket.register(writeSelector, SelectionKey.OP_WRITE);
    this.reader = new FrameReader(new DeadlineReader(), limits, pool);
    this.writer = new FrameWriter(new WaitingWriter(), limits);
  }

  /**
   * Connects to the stage server at {@code address}.
   *
   * @param authenticator proves this head holds the shared secret and checks that the stage does;
   *     null for a head without a secret
   * @param answerWait how the receiving thread may spin for answers (owned by the channel); null to
   *     always block in the selector
   * @throws IOException naming the address if it cannot be reached within {@code connectTimeout}
   */
  static NioStageChannel connect(
      String address,
      Duration connectTimeout,
      Limits limits,
      int socketBufferBytes,
      Authenticator authenticator,
      AnswerWait answerWait)
      throws IOException {
    InetSocketAddress unresolved = HostPort.parse(address);
    long timeoutMillis = Math.max(1, connectTimeout.toMillis());
    SocketChannel socket = SocketChannel.open();
    try {
      socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
      if (socketBufferBytes > 0) {
        socket.setOption(StandardSocketOptions.SO_SNDBUF, socketBufferBytes);
        socket.setOption(StandardSocketOptions.SO_RCVBUF, socketBufferBytes);
      }
      InetSocketAddress target =
          new InetSocketAddress(unresolved.getHostString(), unresolved.getPort());
      if (target.isUnresolved()) {
        throw new IOException("cannot resolve host of stage address " + address);
      }
      socket.socket().connect(target, (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
      return new NioStageChannel(socket, address, limits, authenticator, answerWait);
    } catch (IOException | RuntimeException e) {
      try {
        socket.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof IOException io
          && io.getMessage() != null
          && io.getMessage().contains(address)) {
        throw io;
      }
      throw new IOException(connectFailure(address, timeoutMillis, e), e);
    }
  }

  private static String connectFailure(String address, long timeoutMillis, Exception e) {
    if (e instanceof java.net.ConnectException) {
      return "cannot connect to stage at "
          + address
          + ": connection refused ("
          + e.getMessage()
          + "). Is a stage "
          + "server (paretopipe.jar serve --listen "
          + address
          + ") running there?";
    }
    if (e instanceof java.net.SocketTimeoutException) {
      return "cannot connect to stage at "
          + address
          + " within "
          + timeoutMillis
          + " ms: no answer (a firewall, "
          + "a wrong address, or a link that drops packets?)";
    }
    return "cannot connect to stage at " + address + ": " + e;
  }

  /** The stage's address, "HOST:PORT", as given to connect. */
  public String peer() {
    return peer;
  }

  @Override
  public HandshakeReply handshake(Handshake handshake, Duration timeout)
      throws IOException, StageException, TimeoutException {
    life.checkHandshakeAllowed();
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    write(handshake);
    Message m = readMessage(timeout);
    if (m instanceof AuthChallenge challenge) {
      m = authenticate(handshake, challenge, deadline);
    } else if (authenticator != null && m instanceof HandshakeReply) {
      close();
      throw new StageException(
          ErrorCode.UNAUTHENTICATED,
          "stage at "
              + peer
              + " did not ask this head to"
              + " authenticate, so it runs without a shared secret and cannot prove it is the stage you meant;"
              + " start it with the same secret (serve --secret-file FILE, or PARETOPIPE_SECRET_FILE /"
              + " PARETOPIPE_SECRET)");
    }
    if (m instanceof HandshakeReply reply) {
      life.ready();
      return reply;
    }
    if (m instanceof ErrorReport error) {
      life.refused();
      if (error.code() == ErrorCode.UNAUTHENTICATED) {
        throw new StageException(
            ErrorCode.UNAUTHENTICATED,
            "stage at " + peer + " refused this head: " + error.message());
      }
      throw error.toException();
    }
    close();
    throw new ProtocolException(
        io.paretopipe.harness.protocol.ErrorCode.BAD_FRAME,
        "stage at "
            + peer
            + " answered the handshake with a "
            + FrameType.of(m)
            + " frame instead of HANDSHAKE_REPLY");
  }

  /**
   * Answers the stage's challenge and checks its proof; returns the frame that follows (the
   * HANDSHAKE_REPLY, or an ERROR).
   */
  private Message authenticate(Handshake handshake, AuthChallenge challenge, long deadlineNanos)
      throws IOException, StageException, TimeoutException {
    if (authenticator == null) {
      close();
      throw new StageException(
          ErrorCode.UNAUTHENTICATED,
          "stage at "
              + peer
              + " requires authentication: give"
              + " this head the stage's shared secret (--secret-file FILE, or PARETOPIPE_SECRET_FILE /"
              + " PARETOPIPE_SECRET)");
    }
    byte[] context = HandshakeBinding.of(handshake, limits);
    ClientProof proof;
    try {
      proof = authenticator.prove(challenge.challenge(), context);
    } catch (AuthenticationException e) {
      close();
      throw new StageException(
          ErrorCode.UNAUTHENTICATED, "stage at " + peer + ": " + e.getMessage());
    }
    write(new AuthProof(proof.encode()));
    Message m = readMessage(remaining(deadlineNanos));
    if (m instanceof ErrorReport) {
      return m;
    }
    if (!(m instanceof AuthAccept accept)) {
      close();
      throw new ProtocolException(
          ErrorCode.BAD_FRAME,
          "stage at "
              + peer
              + " answered the authentication proof"
              + " with a "
              + FrameType.of(m)
              + " frame instead of AUTH_ACCEPT");
    }
    try {
      authenticator.verifyServer(proof, context, accept.serverProof());
    } catch (AuthenticationException e) {
      close();
      throw new StageException(
          ErrorCode.UNAUTHENTICATED, "stage at " + peer + ": " + e.getMessage());
    }
    return readMessage(remaining(deadlineNanos));
  }

  /** What is left until {@code deadlineNanos} (System.nanoTime() based), at least 0. */
  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  @Override
  public void send(InferenceRequest request) throws IOException {
    life.checkOpen();
    life.checkReady();
    try {
      write(request);
      if (answerWait != null) {
        answerWait.sent(System.nanoTime());
        readSelector.wakeup();
      }
    } catch (ProtocolException e) {
      throw new IOException(
          "cannot send request " + request.requestId() + " to " + peer + ": " + e.getMessage(), e);
    }
  }

  @Override
  public InferenceResult receive(Duration timeout)
      throws IOException, StageException, TimeoutException {
    life.checkOpen();
    life.checkReady();
    Message m = readMessage(timeout);
    if (m instanceof InferenceResult result) {
      return result;
    }
    if (m instanceof ErrorReport error) {
      throw error.toException();
    }
    close();
    throw new ProtocolException(
        io.paretopipe.harness.protocol.ErrorCode.BAD_FRAME,
        "stage at "
            + peer
            + " sent a "
            + FrameType.of(m)
            + " frame where a RESULT or ERROR was expected");
  }

  private void write(Message m) throws IOException, ProtocolException {
    try {
      writer.write(m);
    } catch (ProtocolException e) {
      throw e;
    } catch (IOException | ClosedSelectorException e) {
      throw life.failure("sending to", e, this::close);
    }
  }

  private Message readMessage(Duration timeout)
      throws IOException, StageException, TimeoutException {
    readDeadlineNanos = System.nanoTime() + Math.max(0, timeout.toNanos());
    Message m;
    try {
      m = reader.read();
    } catch (SocketTimeoutException e) {
      throw new TimeoutException(
          "no answer from stage at " + peer + " within " + timeout.toMillis() + " ms");
    } catch (TruncatedFrameException e) {
      close();
      throw new IOException(
          "stage at " + peer + " closed the connection in the middle of a frame: " + e.getMessage(),
          e);
    } catch (ProtocolException e) {
      close();
      throw e;
    } catch (IOException | ClosedSelectorException e) {
      throw life.failure("receiving from", e, this::close);
    }
    if (m == null) {
      close();
      throw new IOException("stage at " + peer + " closed the connection");
    }
    return m;
  }

  /** Reuses the memory of {@code tensor} (a result of this channel) for later results. */
  @Override
  public void release(Tensor tensor) {
    if (tensor != null) {
      pool.release(tensor.data());
    }
  }

  @Override
  public void close() {
    if (!life.markClosed()) {
      return;
    }
    readSelector.wakeup();
    writeSelector.wakeup();
    try {
      socket.close();
    } catch (IOException ignored) {
      // released anyway
    }
    try {
      readSelector.close();
    } catch (IOException ignored) {
      // released anyway
    }
    try {
      writeSelector.close();
    } catch (IOException ignored) {
      // released anyway
    }
  }

  @Override
  public String toString() {
    return "NioStageChannel[" + life + "]";
  }

  /**
   * {@code {answers, caught}}: answers that arrived so far while the channel spins for answers, and
   * those of them whose first bytes a poll of the spin window found; {@code {0, 0}} for a channel
   * that never spins.
   */
  public long[] spinWaitCounts() {
    return answerWait == null
        ? new long[2]
        : new long[] {answerWait.answers(), answerWait.answersCaught()};
  }

  /** How the receiving thread spins for answers; null if it never does. */
  AnswerWait answerWait() {
    return answerWait;
  }

  /**
   * Reads without blocking; when nothing is there, waits on the read selector until the deadline,
   * or, with an {@link AnswerWait}, polls while it says so and parks until its window opens.
   */
  private final class DeadlineReader implements ReadableByteChannel {
    @Override
    public int read(ByteBuffer dst) throws IOException {
      boolean frameStart = answerWait != null && !reader.inFrame();
      while (true) {
        int n = socket.read(dst);
        if (n != 0) {
          if (answerWait != null && n > 0) {
            answerWait.arrived(frameStart, System.nanoTime());
          }
          return n;
        }
        if (life.isClosed()) {
          throw new StageChannelClosedException("channel to stage at " + peer + " is closed");
        }
        long now = System.nanoTime();
        long leftNanos = readDeadlineNanos - now;
        if (leftNanos <= 0) {
          throw new SocketTimeoutException("receive deadline passed");
        }
        long plan = answerWait == null ? AnswerWait.BLOCK : answerWait.plan(frameStart, now);
        if (plan == AnswerWait.SPIN) {
          continue;
        }
        if (plan > 0 && plan < Math.min(leftNanos, 1_000_000)) {
          LockSupport.parkNanos(plan);
          continue;
        }
        readSelector.select(
            plan == AnswerWait.BLOCK || plan >= leftNanos
                ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNanos + 999_999))
                : TimeUnit.NANOSECONDS.toMillis(plan));
        readSelector.selectedKeys().clear();
      }
    }

    @Override
    public boolean isOpen() {
      return socket.isOpen();
    }

    @Override
    public void close() {
      NioStageChannel.this.close();
    }
  }

  /** Writes without blocking; when the socket buffer is full, waits on the write selector. */
  private final class WaitingWriter implements GatheringByteChannel {
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      while (true) {
        long n = socket.write(srcs, offset, length);
        if (n != 0) {
          return n;
        }
        awaitWritable();
      }
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
      return write(srcs, 0, srcs.length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      while (true) {
        int n = socket.write(src);
        if (n != 0 || !src.hasRemaining()) {
          return n;
        }
        awaitWritable();
      }
    }

    private void awaitWritable() throws IOException {
      if (life.isClosed()) {
        throw new StageChannelClosedException("channel to stage at " + peer + " is closed");
      }
      writeSelector.select();
      writeSelector.selectedKeys().clear();
    }

    @Override
    public boolean isOpen() {
      return socket.isOpen();
    }

    @Override
    public void close() {
      NioStageChannel.this.close();
    }
  }
}
