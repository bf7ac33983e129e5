package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.server.HeldRequest;
import io.paretopipe.harness.trace.StepTrace;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sending side of one {@link NioConnection}: its writer thread and the outbox it drains, in the
 * order things were queued. A request's answer that completes while nothing is queued is written by
 * the completing thread itself ({@link #answer}), one thread hand-off less per request. After a
 * connection-level error ({@link #fatal}) it writes the ERROR frame, half-closes the socket,
 * lingers until the reader has drained the input (at most {@value #LINGER_MILLIS} ms), and ends the
 * connection.
 */
final class NioWriter {
  /**
   * After a connection-level error the server stops sending, keeps reading (and discarding) for at
   * most this long so the client can read the ERROR frame before the socket closes (closing with
   * unread input would reset the connection and could destroy the ERROR frame in flight).
   */
  static final long LINGER_MILLIS = 2_000;

  /** Outbox marker: everything is written, close the connection. */
  private static final Object END = new Object();

  /** Outbox marker: a connection-level error was written, linger then close. */
  private static final Object LINGER_END = new Object();

  /** An answer and the request memory it releases once written (or dropped). */
  private record Answer(Message message, HeldRequest request) {}

  private final NioConnection connection;
  private final SocketChannel socket;
  private final FrameWriter writer;
  private final LinkedBlockingQueue<Object> outbox = new LinkedBlockingQueue<>();

  /** Held while a frame is written, by the writer thread or by a thread writing inline. */
  private final ReentrantLock writeLock = new ReentrantLock();

  /** Items added to the outbox and not yet written; an answer may be written inline only at 0. */
  private final AtomicInteger queuedWrites = new AtomicInteger();

  final Thread thread;

  NioWriter(NioConnection connection, SocketChannel socket, Limits limits, String name) {
    this.connection = connection;
    this.socket = socket;
    this.writer = new FrameWriter(socket, limits);
    this.thread = new Thread(this::writeLoop, name);
    thread.setDaemon(true);
  }

  /** Queues a frame of the conversation (a reply, a challenge). */
  void send(Message m) {
    enqueue(m);
  }

  /** Queues the end: once everything before it is written, the connection closes. */
  void end() {
    enqueue(END);
  }

  /** Queues a connection-level error, after which the connection lingers and closes. */
  void fatal(ErrorReport report) {
    enqueue(report);
    enqueue(LINGER_END);
  }

  private void enqueue(Object item) {
    queuedWrites.incrementAndGet();
    outbox.add(item);
  }

  /**
   * Sends a request's answer: written at once when possible, else queued for the writer thread. The
   * request's memory is released once the answer is written, or dropped because the connection
   * closed.
   */
  void answer(Message answer, HeldRequest request) {
    StepTrace.mark("stage.answer.start");
    if (writeInline(answer, request)) {
      return;
    }
    synchronized (this) {
      if (!connection.isClosed()) {
        enqueue(new Answer(answer, request));
        return;
      }
    }
    request.dropped();
  }

  /**
   * Writes {@code answer} on the calling thread (the session's compute thread, usually) when
   * nothing is queued before it and no other write is in progress: this saves a thread hand-off per
   * result, which on this kind of machine costs about 0.1 ms right after a forward. The socket is
   * blocking, so a client that stops reading stalls only its own session's thread.
   *
   * @return false if the answer must go through the outbox instead
   */
  private boolean writeInline(Message answer, HeldRequest request) {
    if (queuedWrites.get() != 0 || !writeLock.tryLock()) {
      return false;
    }
    try {
      if (queuedWrites.get() != 0 || connection.isClosed()) {
        return false;
      }
      try {
        writeAnswer(answer);
        request.written();
      } catch (IOException | ProtocolException e) {
        request.dropped();
        connection.close();
      }
      return true;
    } finally {
      writeLock.unlock();
    }
  }

  /** Writes one message; the caller holds writeLock. */
  private void writeAnswer(Message m) throws IOException, ProtocolException {
    try {
      writer.write(m);
      StepTrace.mark("stage.answer.written");
    } catch (ProtocolException e) {
      long requestId = m instanceof InferenceResult r ? r.requestId() : StageException.NO_REQUEST;
      writer.write(
          new ErrorReport(
              requestId,
              e.code(),
              "stage cannot send its " + FrameType.of(m) + ": " + e.getMessage()));
    }
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
          connection.awaitReader(LINGER_MILLIS);
          return;
        }
        HeldRequest request = HeldRequest.NONE;
        if (item instanceof Answer a) {
          item = a.message();
          request = a.request();
        }
        writeLock.lock();
        boolean written = false;
        try {
          writeAnswer((Message) item);
          written = true;
        } finally {
          queuedWrites.decrementAndGet();
          writeLock.unlock();
          if (written) {
            request.written();
          } else {
            request.dropped();
          }
        }
      }
    } catch (InterruptedException | IOException | ProtocolException e) {
      // closing, or the peer is gone: either way the connection ends here
    } finally {
      connection.close();
    }
  }

  /** Drops what was never written; the answers among it give their request memory back. */
  synchronized void dropQueued() {
    for (Object item; (item = outbox.poll()) != null; ) {
      if (item instanceof Answer a) {
        a.request().dropped();
      }
    }
  }
}
