package io.paretopipe.harness.server;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.StageException;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * The connections a stage server has accepted that have not proved themselves yet (no complete
 * handshake, or, with a secret, no verified proof), with the one rule every transport applies to
 * them: at most {@code maxPerSource} from one source address (one more is refused at once), and at
 * most {@code capacity} in all, the oldest giving way to a newcomer ({@link #enter}). A peer
 * without the secret thus holds at most {@code maxPerSource} of them per address it sends from, and
 * none for longer than it takes {@code capacity} newer connections to arrive, so a flood of them
 * cannot keep out a head that connects later. Worked numbers with the defaults (16 in all, 4 per
 * source): 100 sockets from 25 addresses leave at most 16 open, the 84 oldest closed; a fifth
 * socket from one address is refused while its four are pending.
 *
 * <p>A connection's {@link Entry} leaves the set once: {@link Entry#prove() proved} (it may no
 * longer be displaced), {@link Entry#leave() closed}, or displaced (its {@code displace} action
 * runs, once, on the thread of the newcomer that displaced it, outside any lock). Used by {@link
 * Admission#admitPending} ({@code nio}, where pending connections share the head slots) and by the
 * {@code grpc} server's connection gate (where they have a quota of their own).
 *
 * <p>Thread-safe.
 */
public final class PendingConnections {
  private final int capacity;
  private final int maxPerSource;

  /** Pending entries, oldest first; guarded by this. */
  private final ArrayDeque<Entry> oldestFirst = new ArrayDeque<>();

  /** Pending entries per source address; guarded by this. */
  private final Map<InetAddress, Integer> perSource = new HashMap<>();

  /** Guarded by this. */
  private int displaced;

  /** Guarded by this. */
  private int refused;

  /**
   * @param capacity pending connections held at once, at least 1 ({@link Integer#MAX_VALUE}: no
   *     quota of their own)
   * @param maxPerSource pending connections from one source address, at least 1
   */
  public PendingConnections(int capacity, int maxPerSource) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
    }
    if (maxPerSource < 1) {
      throw new IllegalArgumentException("maxPerSource: " + maxPerSource + " (expected: >= 1)");
    }
    this.capacity = capacity;
    this.maxPerSource = maxPerSource;
  }

  /**
   * Lets one more connection from {@code source} in as pending. When {@code capacity} are pending,
   * the oldest is displaced first: it leaves the set and its {@code displace} runs (before this
   * returns, on this thread).
   *
   * @param source the peer's address (null: a source of its own, never limited per source)
   * @param displace what the connection does when displaced (refuse and close itself)
   * @throws StageException {@code BUSY} naming the limit when {@code source} already has {@code
   *     maxPerSource} pending connections; nothing is displaced then
   */
  public Entry enter(InetAddress source, Runnable displace) throws StageException {
    Objects.requireNonNull(displace, "displace");
    Entry entry = new Entry(source, displace);
    Entry oldest = null;
    synchronized (this) {
      int fromSource = source == null ? 0 : perSource.getOrDefault(source, 0);
      if (fromSource >= maxPerSource) {
        refused++;
        throw new StageException(
            ErrorCode.BUSY,
            source.getHostAddress()
                + " already has "
                + fromSource
                + " connections without a complete handshake"
                + " (maxPendingPerSource "
                + maxPerSource
                + ", serve --max-pending-per-source); complete or close one first");
      }
      if (oldestFirst.size() >= capacity) {
        oldest = oldestFirst.pollFirst();
        forget(oldest);
        oldest.state = Entry.DISPLACED;
        displaced++;
      }
      oldestFirst.addLast(entry);
      if (source != null) {
        perSource.merge(source, 1, Integer::sum);
      }
    }
    if (oldest != null) {
      oldest.displace.run();
    }
    return entry;
  }

  /**
   * Displaces the oldest pending connection other than {@code keep} (for a server whose pending
   * connections share their places with proven ones: the newcomer takes the displaced one's place).
   *
   * @return false if there was none
   */
  public boolean displaceOldest(Entry keep) {
    Entry oldest = null;
    synchronized (this) {
      for (Iterator<Entry> it = oldestFirst.iterator(); it.hasNext(); ) {
        Entry e = it.next();
        if (e != keep) {
          it.remove();
          oldest = e;
          break;
        }
      }
      if (oldest == null) {
        return false;
      }
      forget(oldest);
      oldest.state = Entry.DISPLACED;
      displaced++;
    }
    oldest.displace.run();
    return true;
  }

  /** Pending connections now. */
  public synchronized int size() {
    return oldestFirst.size();
  }

  /** Pending connections from {@code source} now. */
  public synchronized int from(InetAddress source) {
    return perSource.getOrDefault(source, 0);
  }

  /** Connections displaced by newer ones since this was made. */
  public synchronized int displaced() {
    return displaced;
  }

  /** Connections refused because their source had {@code maxPerSource} pending. */
  public synchronized int refusedPerSource() {
    return refused;
  }

  /** Pending connections held at once. */
  public int capacity() {
    return capacity;
  }

  /** Pending connections from one source address. */
  public int maxPerSource() {
    return maxPerSource;
  }

  /** Removes {@code e} from the queue and the per-source count; guarded by this. */
  private void remove(Entry e) {
    oldestFirst.remove(e);
    forget(e);
  }

  /** Removes {@code e} from the per-source count; guarded by this. */
  private void forget(Entry e) {
    if (e.source != null) {
      perSource.computeIfPresent(e.source, (k, n) -> n == 1 ? null : n - 1);
    }
  }

  /** One connection's place among the pending ones. */
  public final class Entry {
    private static final int PENDING = 0;
    private static final int PROVED = 1;
    private static final int DISPLACED = 2;
    private static final int LEFT = 3;

    private final InetAddress source;
    private final Runnable displace;

    /** Guarded by the enclosing PendingConnections. */
    private int state = PENDING;

    private Entry(InetAddress source, Runnable displace) {
      this.source = source;
      this.displace = displace;
    }

    /**
     * The connection proved itself: it leaves the pending set and can no longer be displaced.
     *
     * @return false if it was displaced (or closed) first; true, also when called again
     */
    public boolean prove() {
      synchronized (PendingConnections.this) {
        if (state == PENDING) {
          remove(this);
          state = PROVED;
        }
        return state == PROVED;
      }
    }

    /**
     * The connection ended: a pending one leaves the set.
     *
     * @return false if it had been displaced (its place passed to the newcomer), true otherwise;
     *     false when called again
     */
    public boolean leave() {
      synchronized (PendingConnections.this) {
        int was = state;
        if (was == PENDING) {
          remove(this);
        }
        state = LEFT;
        return was == PENDING || was == PROVED;
      }
    }

    /** Whether the connection is still pending. */
    public boolean isPending() {
      synchronized (PendingConnections.this) {
        return state == PENDING;
      }
    }
  }
}
