package io.paretopipe.harness.server;

import io.paretopipe.harness.memory.BufferPool;
import io.paretopipe.harness.memory.Reservation;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The memory one received request holds until it is answered: its {@link Reservation} in the
 * stage's request memory and the pooled buffer its tensor lives in. Exactly one of {@link
 * #discard}, {@link #written} and {@link #dropped} decides what happens to the buffer; the
 * reservation is given back by whichever of them (or {@link #releaseReservation}) comes first. The
 * first of the three also tells the {@link RequestFlow} that the request's answer is done with
 * (written or never to be), which its {@link ProgressDeadline} counts. Thread-safe.
 */
public final class HeldRequest {
  /** A request that holds nothing (e.g. one refused before it was read). */
  public static final HeldRequest NONE = new HeldRequest(null, null, null);

  private final Reservation reservation;
  private final ByteBuffer backing;
  private final BufferPool pool;
  private final AtomicBoolean bufferDecided = new AtomicBoolean();
  private final AtomicReference<Runnable> whenDone = new AtomicReference<>();
  private volatile boolean recyclable;

  /** Marks {@link #whenDone} as run: the request is done with. */
  private static final Runnable DONE = () -> {};

  HeldRequest(Reservation reservation, ByteBuffer backing, BufferPool pool) {
    this.reservation = reservation;
    this.backing = backing;
    this.pool = pool;
  }

  /** The bytes reserved for it, 0 if none. */
  public long reservedBytes() {
    return reservation == null ? 0 : reservation.bytes();
  }

  /**
   * Allows {@link #written} to recycle the buffer: the session no longer references it once it has
   * answered ({@link
   * io.paretopipe.harness.transport.StageSession#releasesRequestTensorOnCompletion}).
   */
  void recyclable(boolean value) {
    this.recyclable = value;
  }

  /** A request that holds no memory but whose answer is followed like any other's. */
  static HeldRequest empty() {
    return new HeldRequest(null, null, null);
  }

  /**
   * Runs {@code action} once the request is done with ({@link #discard}, {@link #written} or {@link
   * #dropped}), at once if it already is. At most one action per request; never on {@link #NONE}.
   */
  void whenDone(Runnable action) {
    if (!whenDone.compareAndSet(null, action)) {
      action.run();
    }
  }

  private void done() {
    Runnable action = whenDone.getAndSet(DONE);
    if (action != null && action != DONE) {
      action.run();
    }
  }

  /** The request was never handed to a session: its buffer is free for reuse at once. */
  public void discard() {
    if (bufferDecided.compareAndSet(false, true) && backing != null) {
      pool.release(backing);
    }
    releaseReservation();
    done();
  }

  /** Its answer has been written: the buffer is reused if the session let go of it. */
  public void written() {
    if (bufferDecided.compareAndSet(false, true) && recyclable && backing != null) {
      pool.release(backing);
    }
    releaseReservation();
    done();
  }

  /** Its answer will never be written (the connection ended): the buffer is left to the GC. */
  public void dropped() {
    bufferDecided.set(true);
    releaseReservation();
    done();
  }

  /** Gives the reservation back, if it is still held; the buffer is not touched. */
  public void releaseReservation() {
    if (reservation != null) {
      reservation.release();
    }
  }
}
