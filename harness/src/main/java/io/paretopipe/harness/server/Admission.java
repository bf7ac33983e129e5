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

  /**
   * Connections that have not proved themselves yet: they hold slots, but give them way, oldest
   * first, when every slot is taken; at most {@link StageServerOptions#maxPendingPerSource()} per
   * source address.
   */
  private final PendingConnections pending;

  public Admission(StageServerOptions options) {
    this.maxConnections = options.maxConnections();
    this.maxInFlight = options.maxInFlight();
    this.requestMemory = new MemoryBudget(options.maxRequestBytes());
    this.pool = new BufferPool(requestMemory.poolAllowanceBytes());
    this.pending = new PendingConnections(Integer.MAX_VALUE, options.maxPendingPerSource());
  }

  /**
   * A slot for one more head.
   *
   * @throws StageException {@code BUSY} naming the limit when every slot is taken
   */
  public Slot admit() throws StageException {
    Slot slot = new Slot(null);
    take(null);
    admitted.incrementAndGet();
    return slot;
  }

  /**
   * A slot for a connection from {@code source} that has not yet proved itself (its handshake and,
   * with a secret, its authentication are still to come). When every slot is taken, the oldest such
   * connection is displaced to make room: {@code displace} of its slot runs (it should refuse the
   * connection with {@code BUSY} and close it) and its slot passes to the newcomer. Connections
   * that never complete a handshake thus cannot keep a head out: to displace a head's connection in
   * the few milliseconds its handshake takes, a peer would have to open every slot's worth of
   * connections within them. Slots of {@linkplain Slot#ready() ready} heads are never displaced.
   * One source address holds at most {@link StageServerOptions#maxPendingPerSource()} pending slots
   * ({@link PendingConnections}).
   *
   * @param source the peer's address (null: not limited per source)
   * @param displace what the connection does when displaced; runs at most once, on the admitting
   *     thread of the newcomer
   * @throws StageException {@code BUSY} naming the limit when every slot is held by a ready head,
   *     or when {@code source} already holds its pending slots
   */
  public Slot admitPending(java.net.InetAddress source, Runnable displace) throws StageException {
    PendingConnections.Entry entry = pending.enter(source, displace);
    try {
      take(entry);
    } catch (StageException busy) {
      entry.leave();
      throw busy;
    }
    admitted.incrementAndGet();
    return new Slot(entry);
  }

  /**
   * Takes a place among the slots; when they are full, the place of the oldest pending connection
   * other than {@code newcomer}.
   */
  private void take(PendingConnections.Entry newcomer) throws StageException {
    while (true) {
      int now = open.get();
      if (now >= maxConnections) {
        if (newcomer != null && pending.displaceOldest(newcomer)) {
          // the displaced connection's place passes to the newcomer: open stays as it is
          return;
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
        return;
      }
    }
  }

  /** Connections displaced by newer ones since the server started. */
  public int displaced() {
    return pending.displaced();
  }

  /**
   * Connections holding a slot that have not proved themselves yet (a subset of {@link #heads}).
   */
  public int pendingConnections() {
    return pending.size();
  }

  /**
   * Connections refused since the server started because their source address already held its
   * {@link StageServerOptions#maxPendingPerSource()} pending slots.
   */
  public int refusedPerSource() {
    return pending.refusedPerSource();
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
    private final AtomicBoolean released = new AtomicBoolean();

    /** Its place among the pending connections, or null for a slot ready from the start. */
    private final PendingConnections.Entry entry;

    private Slot(PendingConnections.Entry entry) {
      this.entry = entry;
    }

    /**
     * Marks the head ready (its handshake and authentication are done): its slot can no longer be
     * displaced.
     *
     * @return false if the slot was displaced first (the connection is being refused)
     */
    public boolean ready() {
      return entry == null || entry.prove();
    }

    /** Frees the slot; only the first call does anything (nothing for a displaced slot). */
    public void release() {
      if (released.compareAndSet(false, true) && (entry == null || entry.leave())) {
        open.decrementAndGet();
      }
    }
  }
}
