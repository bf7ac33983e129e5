package io.paretopipe.harness.server;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.StageException;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The deadline of one ready connection (a {@code grpc} session's stream) after its handshake,
 * {@link StageServerOptions#idleTimeoutMillis()} ({@code serve --idle-timeout}). It ends a
 * connection that makes no progress for that long, in one of two ways:
 *
 * <ul>
 *   <li><b>stalled</b>: answers are waiting to be written and none has been written for the
 *       timeout: the head stopped reading its results (or vanished without a FIN). Whatever the
 *       head keeps sending, the connection is ended and the request memory of its unwritten answers
 *       given back.
 *   <li><b>idle</b>: nothing is in flight (no request computing, no answer waiting) and no request
 *       has arrived for the timeout: the head sits idle and still holds a slot and a session.
 * </ul>
 *
 * A request that computes for longer than the timeout is neither: the stage, not the head, is slow.
 * Worked example at the default of 300 s: a head that sends 2 x 30 MiB requests and never reads
 * loses its connection (and the 60 MiB reservation) 300 s after its first answer could not be
 * written; a head that opened a session and went away without a FIN loses it 300 s after its last
 * request was answered (TCP keepalive usually notices earlier).
 *
 * <p>The check runs on the server's timer ({@link ServerLifecycle#deadline}), which re-arms it for
 * the earliest moment it could expire; the expiry action must not block. Thread-safe.
 */
public final class ProgressDeadline {
  /** How a connection failed to make progress. */
  public enum Kind {
    /** Answers waited to be written for the whole timeout. */
    STALLED,
    /** Nothing in flight and no request for the whole timeout. */
    IDLE
  }

  /** What the transport does when the deadline expires: end the connection. */
  @FunctionalInterface
  public interface Expiry {
    /**
     * @param report the connection-level {@code TIMEOUT} error to send if the connection can still
     *     carry it (an idle one can; a stalled one cannot, it is closed at once)
     */
    void expired(Kind kind, ErrorReport report);
  }

  private final ServerLifecycle lifecycle;
  private final long timeoutMillis;
  private final long timeoutNanos;
  private final IntSupplier inFlight;
  private final Expiry expiry;
  private final AtomicInteger unwritten = new AtomicInteger();
  private final AtomicBoolean over = new AtomicBoolean();
  private volatile long lastActivityNanos;
  private volatile long outputSinceNanos;
  private volatile ScheduledFuture<?> check;

  /**
   * Starts the clock now.
   *
   * @param inFlight requests admitted and not yet answered by the session
   */
  ProgressDeadline(
      ServerLifecycle lifecycle, long timeoutMillis, IntSupplier inFlight, Expiry expiry) {
    this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    this.timeoutMillis = timeoutMillis;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    this.inFlight = Objects.requireNonNull(inFlight, "inFlight");
    this.expiry = Objects.requireNonNull(expiry, "expiry");
    long now = System.nanoTime();
    this.lastActivityNanos = now;
    this.outputSinceNanos = now;
    arm(timeoutNanos);
  }

  /** A request (or a refused one) arrived. */
  void arrived() {
    lastActivityNanos = System.nanoTime();
  }

  /** An answer is about to be handed to the transport; {@link #answerDone} follows once. */
  void answerPending() {
    if (unwritten.getAndIncrement() == 0) {
      outputSinceNanos = System.nanoTime();
    }
  }

  /** An answer was written, or dropped with the connection. */
  void answerDone() {
    long now = System.nanoTime();
    outputSinceNanos = now;
    lastActivityNanos = now;
    unwritten.decrementAndGet();
  }

  /** Answers handed to the transport and not yet written. */
  int unwritten() {
    return unwritten.get();
  }

  /** The connection has ended: no check runs any more. Idempotent. */
  void cancel() {
    over.set(true);
    ScheduledFuture<?> c = check;
    if (c != null) {
      c.cancel(false);
    }
  }

  private void arm(long delayNanos) {
    if (over.get()) {
      return;
    }
    long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos + 999_999));
    check = lifecycle.deadline(millis, this::check);
    if (over.get()) {
      check.cancel(false);
    }
  }

  private void check() {
    if (over.get()) {
      return;
    }
    long now = System.nanoTime();
    if (unwritten.get() > 0) {
      expireOrArm(
          Kind.STALLED,
          outputSinceNanos,
          now,
          "the head has not read its results for "
              + timeoutMillis
              + " ms (serve --idle-timeout): connection closed and its request memory given back");
    } else if (inFlight.getAsInt() > 0) {
      arm(timeoutNanos); // the stage is computing: not the head's doing
    } else {
      expireOrArm(
          Kind.IDLE,
          lastActivityNanos,
          now,
          "no request for "
              + timeoutMillis
              + " ms with nothing in flight (serve --idle-timeout): connection closed; connect and"
              + " handshake again to go on");
    }
  }

  /** Expires if {@code sinceNanos} is a whole timeout ago, else checks again when it will be. */
  private void expireOrArm(Kind kind, long sinceNanos, long nowNanos, String message) {
    if (nowNanos - sinceNanos >= timeoutNanos) {
      expire(kind, message);
    } else {
      arm(sinceNanos + timeoutNanos - nowNanos);
    }
  }

  private void expire(Kind kind, String message) {
    if (over.compareAndSet(false, true)) {
      expiry.expired(kind, new ErrorReport(StageException.NO_REQUEST, ErrorCode.TIMEOUT, message));
    }
  }
}
