package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.auth.AuthenticationException;
import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.auth.ClientProof;
import io.paretopipe.harness.memory.Reservation;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.server.Admission;
import io.paretopipe.harness.server.ProgressDeadline;
import io.paretopipe.harness.server.RequestFlow;
import io.paretopipe.harness.server.Sessions;
import io.paretopipe.harness.transport.HostPort;
import io.paretopipe.harness.transport.StageSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One client of a {@link NioStageServer}: its socket, a reader thread, a writer thread and, after
 * the handshake, its session and {@link RequestFlow}.
 *
 * <p>The reader reads the handshake and then requests in arrival order and hands them to the flow;
 * it never waits on writes, so a client that stops reading stalls only its own session. The writer
 * writes replies, results and errors in the order they complete. A result that completes while
 * nothing is queued is written by the completing thread itself (one thread hand-off less per
 * request); otherwise it queues for the writer.
 *
 * <p>Bad input: a frame that fails validation (see {@link FrameReader}) is answered with a typed
 * ERROR frame (request id -1) and the connection is closed; a request before the handshake gets
 * {@code NOT_READY}. A client that vanishes mid-frame just ends its connection. A frame of a type
 * not allowed at its point of the conversation is refused from its header, before its payload is
 * read or allocated.
 *
 * <p>Authentication (a server with an {@link Authenticator}): the stage answers the HANDSHAKE with
 * an AUTH_CHALLENGE, the head proves it holds the shared secret with an AUTH_PROOF bound to the
 * very HANDSHAKE frame it sent ({@link HandshakeBinding#of}), the stage answers AUTH_ACCEPT with
 * its own proof and only then opens the session (loads the model) and sends HANDSHAKE_REPLY. A
 * wrong, stale or replayed proof gets {@code UNAUTHENTICATED} and the connection is closed; nothing
 * of the handshake is acted on before the proof verifies. The whole exchange must end within the
 * handshake deadline.
 *
 * <p>Memory: at most one frame is being read, so a connection holds at most {@code maxMetaBytes +
 * maxTensorBytes} of its own plus the results queued for writing; request tensors are reserved in
 * the server's request memory ({@link FrameReader}) until answered.
 */
final class NioConnection {
  private static final Set<FrameType> ONLY_HANDSHAKE = EnumSet.of(FrameType.HANDSHAKE);
  private static final Set<FrameType> ONLY_PROOF = EnumSet.of(FrameType.AUTH_PROOF);
  private static final Set<FrameType> ONLY_REQUEST = EnumSet.of(FrameType.REQUEST);

  private final NioStageServer server;
  private final Admission admission;
  private final SocketChannel socket;

  /** Null for a connection refused with {@link #refusal}. */
  private final Admission.Slot slot;

  /** Non-null for a connection that is refused with this error as soon as it starts. */
  private final ErrorReport refusal;

  private final FrameReader reader;
  private final AtomicReference<StageSession> session = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile RequestFlow flow;
  private volatile boolean fatalSent;

  /** Set once the handshake (and authentication) is complete; the deadline leaves it alone then. */
  private volatile boolean handshakeRead;

  private final Thread readerThread;
  private final NioWriter writer;

  NioConnection(
      NioStageServer server, SocketChannel socket, Admission.Slot slot, ErrorReport refusal)
      throws IOException {
    this.server = server;
    this.admission = server.admission();
    this.socket = socket;
    this.slot = slot;
    this.refusal = refusal;
    String peer = HostPort.format((InetSocketAddress) socket.getRemoteAddress());
    this.reader =
        new FrameReader(
            socket, server.options().limits(), admission.pool(), admission.requestMemory());
    int port = server.port();
    this.readerThread = new Thread(this::readLoop, "paretopipe-nio-reader-" + port + "-" + peer);
    this.writer =
        new NioWriter(
            this, socket, server.options().limits(), "paretopipe-nio-writer-" + port + "-" + peer);
    readerThread.setDaemon(true);
  }

  void start() {
    if (refusal == null) {
      long millis = server.options().handshakeTimeoutMillis();
      server
          .lifecycle()
          .deadline(
              millis,
              () -> {
                if (!handshakeRead && !fatalSent && !closed.get()) {
                  // a connection that never handshakes must not hold one of the slots
                  fatal(
                      new ErrorReport(
                          StageException.NO_REQUEST,
                          ErrorCode.TIMEOUT,
                          "no complete HANDSHAKE"
                              + (server.options().authenticator() == null ? "" : " and AUTH_PROOF")
                              + " within "
                              + millis
                              + " ms of connecting (handshakeTimeoutMillis)"));
                }
              });
    }
    writer.thread.start();
    readerThread.start();
  }

  void join(long deadlineNanos) {
    NioStageServer.join(readerThread, deadlineNanos);
    NioStageServer.join(writer.thread, deadlineNanos);
  }

  private void readLoop() {
    try {
      if (refusal != null) {
        fatal(refusal);
        return;
      }
      Handshake handshake = readHandshake();
      if (handshake == null || fatalSent) {
        return;
      }
      Authenticator authenticator = server.options().authenticator();
      if (authenticator != null && !authenticate(authenticator, handshake)) {
        return;
      }
      if (!slot.ready()) {
        return; // displaced by a newer connection, which sent BUSY
      }
      handshakeRead = true;
      if (fatalSent || !openSession(handshake)) {
        return;
      }
      serveRequests();
    } catch (ProtocolException e) {
      fatal(e.toReport());
    } catch (IOException | RuntimeException e) {
      close();
    } finally {
      RequestFlow f = flow;
      if (fatalSent) {
        drainInput();
      } else if (f == null) {
        writer.end();
      } else {
        f.endOfInput(() -> writer.end());
      }
    }
  }

  private Handshake readHandshake() throws IOException, ProtocolException {
    try {
      return (Handshake) reader.read(ONLY_HANDSHAKE);
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
      return null;
    }
  }

  private void serveRequests() throws IOException, ProtocolException {
    InputBacklog backlog = new InputBacklog(socket);
    while (true) {
      Message m;
      boolean waitingBefore = backlog.waiting();
      try {
        m = reader.read(ONLY_REQUEST);
      } catch (PayloadRefusedException e) {
        flow.refuse(e.requestId(), ErrorCode.BUSY, e.getMessage());
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
      InferenceRequest request = (InferenceRequest) m;
      ByteBuffer data = request.tensor().data();
      // the reader reserved the tensor's bytes in the request memory before allocating them
      Reservation reservation =
          new Reservation(admission.requestMemory(), request.tensor().byteSize());
      flow.submit(request, admission.hold(reservation, data), waitingBefore || backlog.waiting());
    }
  }

  /**
   * Challenges the head and checks its proof; on success the AUTH_ACCEPT is queued, on failure an
   * UNAUTHENTICATED error (and the connection closes).
   *
   * @return true if the head proved it holds the shared secret
   */
  private boolean authenticate(Authenticator authenticator, Handshake handshake)
      throws IOException, ProtocolException {
    byte[] challenge = authenticator.newChallenge();
    writer.send(new AuthChallenge(challenge));
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
          authenticator.verify(
              proof, HandshakeBinding.of(handshake, server.options().limits()), challenge);
      writer.send(new AuthAccept(serverProof));
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

  /** Reads and discards input until the client closes or the writer closes after lingering. */
  private void drainInput() {
    ByteBuffer sink = ByteBuffer.allocateDirect(64 << 10);
    try {
      while (socket.read(sink.clear()) >= 0) {
        // discard
      }
    } catch (IOException ignored) {
      // closed by the writer after LINGER_MILLIS, or reset by the client
    }
  }

  private boolean openSession(Handshake handshake) {
    Sessions.Opened opened;
    try {
      opened = Sessions.open(server.service(), handshake);
    } catch (StageException e) {
      fatal(new ErrorReport(StageException.NO_REQUEST, e.code(), String.valueOf(e.getMessage())));
      return false;
    }
    session.set(opened.session());
    if (closed.get()) {
      closeSession();
      return false;
    }
    flow =
        new RequestFlow(
            admission,
            opened.session(),
            writer::answer,
            server.options().dispatch(),
            server.lifecycle(),
            server.options().idleTimeoutMillis(),
            this::noProgress);
    writer.send(opened.reply());
    return true;
  }

  /**
   * Ends a ready connection that made no progress for the idle timeout: an idle one gets the {@code
   * TIMEOUT} ERROR frame; a stalled one (answers not read) cannot take another frame, so its socket
   * is closed at once, which ends its blocked writes and with them the connection. Runs on the
   * server's timer: does not block.
   */
  private void noProgress(ProgressDeadline.Kind kind, ErrorReport report) {
    if (kind == ProgressDeadline.Kind.IDLE) {
      fatal(report);
      return;
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closed already
    }
  }

  /**
   * Refuses this connection, which has not completed its handshake, because a newer one took its
   * slot ({@link Admission#admitPending}).
   */
  void displaced(int maxConnections) {
    fatal(
        new ErrorReport(
            StageException.NO_REQUEST,
            ErrorCode.BUSY,
            "every one of the stage server's "
                + maxConnections
                + " connection slots (serve --max-connections) was taken and this connection, the"
                + " oldest without a complete handshake"
                + (server.options().authenticator() == null ? "" : " and authentication")
                + ", gave its slot to a newer one; connect again"));
  }

  /** Queues a connection-level error; the writer sends it and then closes the connection. */
  private void fatal(ErrorReport report) {
    fatalSent = true;
    writer.fatal(report);
  }

  private void closeSession() {
    Sessions.closeQuietly(session.getAndSet(null));
  }

  boolean isClosed() {
    return closed.get();
  }

  <T> T socketOption(java.net.SocketOption<T> option) throws IOException {
    return socket.getOption(option);
  }

  /** Waits at most {@code millis} for the reader thread to end (it drains input after an error). */
  void awaitReader(long millis) throws InterruptedException {
    readerThread.join(millis);
  }

  void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // already released
    }
    if (Thread.currentThread() != writer.thread) {
      writer.thread.interrupt();
    }
    writer.dropQueued();
    RequestFlow f = flow;
    if (f != null) {
      f.close();
    }
    closeSession();
    if (slot != null) {
      slot.release();
    }
    server.ended(this);
  }
}
