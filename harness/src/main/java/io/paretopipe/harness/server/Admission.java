package io.paretopipe.harness.server;

import io.paretopipe.harness.memory.BufferPool;
import io.paretopipe.harness.memory.MemoryBudget;
import io.paretopipe.harness.memory.Reservation;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.StageException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a stage server lets in, in one place for every transport: slots for heads ({@link
 * StageServerOptions#maxConnections()}), the requests one connection may have unanswered ({@link
 * StageServerOptions#maxInFlight()}, enforced by each {@link RequestFlow}), the stage-wide request
 * memory ({@link StageServerOptions#maxRequestBytes()}) and the pool that recycles request buffers
 * beside it. Every limit a peer can run into is checked here or by an object made here, and every
 * refusal is a typed {@code BUSY}.
 *
 * <p>Ownership: a {@link Slot} is held from admission until the head's connection (nio) or session
 * (grpc) ends, a {@link HeldRequest} from a request's arrival until its answer is written or
 * dropped; both are released exactly once, whoever gets there first.
 *
 * <p>Thread-safe; lock-free.
 */
public final class Admission {
  private final int maxConnections;
  private final int maxInFlight;
  private final MemoryBudget requestMemory;
  private final BufferPool pool;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger admitted = new AtomicInteger();
  private final AtomicInteger displaced = new AtomicInteger();

  /** Slots of connections that have not proved themselves yet, oldest first. */
  private final java.util.concurrent.ConcurrentLinkedDeque<Slot> pending =
      new java.util.concurrent.ConcurrentLinkedDeque<>();

  public Admission(StageServerOptions options) {
    this.maxConnections = options.maxConnections();
    this.maxInFlight = options.maxInFlight();
    this.requestMemory = new MemoryBudget(options.maxRequestBytes());
    this.pool = new BufferPool(requestMemory.poolAllowanceBytes());
  }

  /**
   * A slot for one more head.
   *
   * @throws StageException {@code BUSY} naming the limit when every slot is taken
   */
  public Slot admit() throws StageException {
    Slot slot = take(null);
    slot.ready();
    return slot;
  }

  /**
   * A slot for a connection that has not yet proved itself (its handshake and, with a secret, its
   * authentication are still to come). When every slot is taken, the oldest such connection is
   * displaced to make room: {@code displace} of its slot runs (it should refuse the connection with
   * {@code BUSY} and close it) and its slot passes to the newcomer. Connections that never complete
   * a handshake thus cannot keep a head out: to displace a head's connection in the few
   * milliseconds its handshake takes, a peer would have to open every slot's worth of connections
   * within them. Slots of {@linkplain Slot#ready() ready} heads are never displaced.
   *
   * @param displace what the connection does when displaced; runs at most once, on the admitting
   *     thread of the newcomer
   * @throws StageException {@code BUSY} naming the limit when every slot is held by a ready head
   */
  public Slot admitPending(Runnable displace) throws StageException {
    return take(java.util.Objects.requireNonNull(displace, "displace"));
  }

  private Slot take(Runnable displace) throws StageException {
    while (true) {
      int now = open.get();
      if (now >= maxConnections) {
        Slot oldest;
        while ((oldest = pending.pollFirst()) != null) {
          if (oldest.state.compareAndSet(Slot.PENDING, Slot.DISPLACED)) {
            displaced.incrementAndGet();
            oldest.displace.run();
            // the displaced connection's place passes to the newcomer: open stays as it is
            Slot slot = new Slot(displace);
            admitted.incrementAndGet();
            if (displace != null) {
              pending.addLast(slot);
            }
            return slot;
          }
        }
        throw new StageException(
            ErrorCode.BUSY,
            "stage server already serves "
                + now
                + " heads (maxConnections "
                + maxConnections
                + ", serve --max-connections); close one or raise the limit");
      }
      if (open.compareAndSet(now, now + 1)) {
        admitted.incrementAndGet();
        Slot slot = new Slot(displace);
        if (displace != null) {
          pending.addLast(slot);
        }
        return slot;
      }
    }
  }

  /** Connections displaced by newer ones since the server started. */
  public int displaced() {
    return displaced.get();
  }

  /** Heads holding a slot now. */
  public int heads() {
    return open.get();
  }

  /** Heads admitted since the server started. */
  public int headsAdmitted() {
    return admitted.get();
  }

  /** Requests one connection may have unanswered. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** The answer to a request refused because its connection has {@link #maxInFlight} open. */
  ErrorReport inFlightRefusal(long requestId) {
    return new ErrorReport(
        requestId,
        ErrorCode.BUSY,
        "request "
            + requestId
            + " refused: "
            + maxInFlight
            + " requests of this connection are already in flight (maxInFlight); wait for results"
            + " before sending more");
  }

  /** The request memory shared by every connection: where a request's bytes are reserved. */
  public MemoryBudget requestMemory() {
    return requestMemory;
  }

  /** Request buffers kept for reuse, shared by every connection. */
  public BufferPool pool() {
    return pool;
  }

  /** Request memory reserved now, bytes (0 once every request is answered or dropped). */
  public long reservedBytes() {
    return requestMemory.reservedBytes();
  }

  /** The whole request memory, bytes. */
  public long capacityBytes() {
    return requestMemory.capacityBytes();
  }

  /**
   * Takes charge of one received request's memory: its {@code reservation} in the request memory
   * (null if none) and the {@code backing} buffer its tensor lives in (pooled, or null).
   */
  public HeldRequest hold(Reservation reservation, ByteBuffer backing) {
    return new HeldRequest(reservation, backing, pool);
  }

  /**
   * One head's place among {@link StageServerOptions#maxConnections()}; released once. A slot from
   * {@link #admitPending} is pending until {@link #ready()}; a pending slot may be displaced.
   */
  public final class Slot {
    private static final int PENDING = 0;
    private static final int READY = 1;
    private static final int DISPLACED = 2;

    private final AtomicBoolean released = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger state =
        new java.util.concurrent.atomic.AtomicInteger(PENDING);
    private final Runnable displace;

    private Slot(Runnable displace) {
      this.displace = displace;
    }

    /**
     * Marks the head ready (its handshake and authentication are done): its slot can no longer be
     * displaced.
     *
     * @return false if the slot was displaced first (the connection is being refused)
     */
    public boolean ready() {
      boolean won = state.compareAndSet(PENDING, READY) || state.get() == READY;
      if (won && displace != null) {
        pending.remove(this);
      }
      return won;
    }

    /** Frees the slot; only the first call does anything (nothing for a displaced slot). */
    public void release() {
      if (released.compareAndSet(false, true)) {
        pending.remove(this);
        if (state.getAndSet(DISPLACED) != DISPLACED) {
          open.decrementAndGet();
        }
      }
    }
  }
}
