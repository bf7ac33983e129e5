package io.paretopipe.harness.transport.local;

import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.server.DispatchStrategy;
import io.paretopipe.harness.server.Outcomes;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.StageChannelClosedException;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.StageSession;
import io.paretopipe.harness.transport.Transport;
import io.paretopipe.harness.transport.TransportKind;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code local} transport: the stage runs in this process and is called directly, no socket, no
 * encoding, no copy (the session gets the very tensor the head sent, and the head the very tensor
 * the session returned). It is the floor the other transports are compared with. Error semantics
 * match {@code nio}: an exceptional completion arrives as a {@link StageException} carrying the
 * request's id; a non-{@code StageException} failure becomes {@code INTERNAL}.
 *
 * <p>Thread-safe; each {@link #connect} opens a new session of the service.
 */
public final class LocalTransport implements Transport {
  private final StageService service;

  /**
   * @param service the stage to call; shared by all channels of this transport
   */
  public LocalTransport(StageService service) {
    this.service = Objects.requireNonNull(service, "service");
  }

  @Override
  public TransportKind kind() {
    return TransportKind.LOCAL;
  }

  /** A channel to the service; {@code address} is ignored. */
  @Override
  public StageChannel connect(String address, Duration connectTimeout) {
    return new LocalStageChannel(service);
  }

  private static final class LocalStageChannel implements StageChannel {
    private static final Object CLOSED = new Object();

    private final StageService service;
    private final LinkedBlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile StageSession session;
    private volatile boolean handshakeDone;

    LocalStageChannel(StageService service) {
      this.service = service;
    }

    @Override
    public HandshakeReply handshake(Handshake handshake, Duration timeout)
        throws StageException, StageChannelClosedException {
      checkOpen();
      if (handshakeDone) {
        throw new IllegalStateException("handshake with the local stage was already done");
      }
      handshakeDone = true;
      StageSession s = service.open(handshake);
      session = s;
      if (closed.get()) {
        s.close();
        throw new StageChannelClosedException(
            "local stage channel was closed during the handshake");
      }
      return s.reply();
    }

    @Override
    public void send(InferenceRequest request) throws StageChannelClosedException {
      checkOpen();
      Outcomes.dispatch(DispatchStrategy.PIPELINED, readySession(), request, arrivals::add);
    }

    @Override
    public InferenceResult receive(Duration timeout)
        throws StageException, TimeoutException, StageChannelClosedException {
      checkOpen();
      readySession();
      Object next;
      try {
        next = arrivals.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StageChannelClosedException("interrupted while waiting for the local stage");
      }
      if (next == null) {
        throw new TimeoutException(
            "no answer from the local stage within " + timeout.toMillis() + " ms");
      }
      if (next == CLOSED) {
        arrivals.add(CLOSED);
        throw new StageChannelClosedException("local stage channel was closed");
      }
      if (next instanceof ErrorReport error) {
        throw error.toException();
      }
      return (InferenceResult) next;
    }

    private StageSession readySession() {
      StageSession s = session;
      if (s == null) {
        throw new IllegalStateException(
            handshakeDone
                ? "the local stage refused the handshake; open a new channel"
                : "no handshake with the local stage yet: call handshake() first");
      }
      return s;
    }

    private void checkOpen() throws StageChannelClosedException {
      if (closed.get()) {
        throw new StageChannelClosedException("local stage channel is closed");
      }
    }

    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      arrivals.add(CLOSED);
      StageSession s = session;
      if (s != null) {
        s.close();
      }
    }
  }
}
