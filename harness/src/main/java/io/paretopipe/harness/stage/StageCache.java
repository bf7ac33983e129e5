package io.paretopipe.harness.stage;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.models.NativeHeap;
import io.paretopipe.models.StageModel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The stages a stage server has loaded, bounded by the bytes of their weights (4 per trainable
 * parameter, float32). A stage in use by an open session is never evicted; a stage no session uses
 * is kept for the next handshake that asks for it (a sweep comes back to the same split every pass)
 * until a new stage needs its room: then the idle stages go, least recently used first.
 *
 * <p>What a handshake gets when the bound is hit: {@code BAD_HANDSHAKE} when the stage alone is
 * larger than the bound (it can never load here), {@code BUSY} when the stages in use still leave
 * too little room after waiting up to {@link #DEFAULT_WAIT_MILLIS} for sessions to end (it may load
 * once more sessions close). Either way nothing is built.
 *
 * <p>Eviction happens before the new stage loads, and after the evicted stages are closed the
 * process's allocator is asked to give their memory back ({@link NativeHeap#trim()}, glibc's {@code
 * malloc_trim(0)}): the tuned allocator ({@code MALLOC_TRIM_THRESHOLD_=17179869184}) otherwise
 * keeps every freed stage resident, and a sweep's server grew to about three times the bound.
 * Nothing is trimmed on the request path, so forwards keep the tuned allocator's speed.
 *
 * <p>Thread-safe; a load runs under the cache's lock, so handshakes wait for one another's loads
 * (the bound is checked against what is really loaded, never against a guess of what others are
 * loading). Owns the stages: {@link #close()} frees every one, also those still leased.
 */
final class StageCache implements AutoCloseable {

  /** The default bound, in MiB: one vgg16 tail with its 120 M-parameter classifier and room. */
  static final long DEFAULT_MAX_MIB = 1024;

  /**
   * How long a handshake waits for sessions to release their stages before it gets {@code BUSY}: a
   * session's stage is released when its compute thread has ended, a moment after the connection
   * closed, and a sweep's next trial connects at once.
   */
  static final long DEFAULT_WAIT_MILLIS = 5_000;

  private final long maxBytes;
  private final long waitMillis;
  private final Runnable afterEviction;
  private final Map<StageKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;
  private boolean closed;

  private static final class Entry {
    final StageModel model;
    final long bytes;
    int users;

    Entry(StageModel model, long bytes) {
      this.model = model;
      this.bytes = bytes;
    }
  }

  /** One session's use of a cached stage; {@link #close()} (idempotent) makes it evictable. */
  final class Lease implements AutoCloseable {
    private final Entry entry;
    private boolean released;

    private Lease(Entry entry) {
      this.entry = entry;
    }

    StageModel model() {
      return entry.model;
    }

    @Override
    public void close() {
      synchronized (StageCache.this) {
        if (!released) {
          released = true;
          entry.users--;
          StageCache.this.notifyAll();
        }
      }
    }
  }

  /**
   * @param maxBytes the bound on the cached stages' weights, >= 1
   */
  StageCache(long maxBytes) {
    this(maxBytes, DEFAULT_WAIT_MILLIS);
  }

  /**
   * @param maxBytes the bound on the cached stages' weights, >= 1
   * @param waitMillis how long {@link #acquire} waits for room before {@code BUSY}, >= 0
   */
  StageCache(long maxBytes, long waitMillis) {
    this(maxBytes, waitMillis, NativeHeap::trim);
  }

  /**
   * @param maxBytes the bound on the cached stages' weights, >= 1
   * @param waitMillis how long {@link #acquire} waits for room before {@code BUSY}, >= 0
   * @param afterEviction runs (under the cache's lock) once the stages an eviction removed are
   *     closed, before the stage that needed their room loads: returns their memory to the system
   */
  StageCache(long maxBytes, long waitMillis, Runnable afterEviction) {
    if (maxBytes < 1 || waitMillis < 0) {
      throw new IllegalArgumentException(
          "model memory bound "
              + maxBytes
              + " bytes, wait "
              + waitMillis
              + " ms (expected: >= 1 byte, >= 0 ms)");
    }
    this.maxBytes = maxBytes;
    this.waitMillis = waitMillis;
    this.afterEviction = java.util.Objects.requireNonNull(afterEviction, "afterEviction");
  }

  /**
   * The stage under {@code key}, loaded by {@code loader} when it is not cached.
   *
   * @param weightBytes the stage's weights in bytes, known before loading (from the blueprint's
   *     costs); checked against the bound before anything is built
   * @param loader builds the stage; a failure it throws passes through, nothing is cached
   * @return a lease the session closes when it ends
   * @throws StageException {@code BAD_HANDSHAKE} when the stage alone exceeds the bound, {@code
   *     BUSY} when the stages in use leave no room, {@code CLOSED} after {@link #close()}
   */
  synchronized Lease acquire(StageKey key, long weightBytes, Supplier<StageModel> loader)
      throws StageException {
    if (closed) {
      throw new StageException(ErrorCode.CLOSED, "stage server is shutting down");
    }
    Entry entry = entries.get(key);
    if (entry == null) {
      if (weightBytes > maxBytes) {
        throw new StageException(
            ErrorCode.BAD_HANDSHAKE,
            "the stage asked for ("
                + key.model()
                + " units ["
                + key.range().unitStart()
                + ", "
                + key.range().unitEnd()
                + ")) holds "
                + mib(weightBytes)
                + " MiB of weights, more than this stage server keeps loaded ("
                + mib(maxBytes)
                + " MiB, serve --max-model-mib)");
      }
      long deadline = System.nanoTime() + waitMillis * 1_000_000L;
      evictIdleUntilFits(weightBytes);
      while (bytes + weightBytes > maxBytes && !closed) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          break;
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        evictIdleUntilFits(weightBytes);
      }
      if (closed) {
        throw new StageException(ErrorCode.CLOSED, "stage server is shutting down");
      }
      entry = entries.get(key);
    }
    if (entry == null) {
      if (bytes + weightBytes > maxBytes) {
        throw new StageException(
            ErrorCode.BUSY,
            "the stage asked for needs "
                + mib(weightBytes)
                + " MiB of weights but the stages in use by open sessions hold "
                + mib(bytes)
                + " of "
                + mib(maxBytes)
                + " MiB (serve --max-model-mib): retry when a session has closed");
      }
      entry = new Entry(loader.get(), weightBytes);
      entries.put(key, entry);
      bytes += weightBytes;
    }
    entry.users++;
    return new Lease(entry);
  }

  private void evictIdleUntilFits(long needed) {
    List<StageModel> evicted = new ArrayList<>();
    Iterator<Entry> it = entries.values().iterator();
    while (bytes + needed > maxBytes && it.hasNext()) {
      Entry e = it.next();
      if (e.users == 0) {
        it.remove();
        bytes -= e.bytes;
        evicted.add(e.model);
      }
    }
    if (!evicted.isEmpty()) {
      evicted.forEach(StageModel::close);
      afterEviction.run();
    }
  }

  /** Stages cached now (in use or idle). */
  synchronized int size() {
    return entries.size();
  }

  /** Bytes of weights cached now. */
  synchronized long bytes() {
    return bytes;
  }

  private static String mib(long b) {
    return String.format(java.util.Locale.ROOT, "%.1f", b / (1024.0 * 1024.0));
  }

  @Override
  public synchronized void close() {
    closed = true;
    notifyAll();
    entries.values().forEach(e -> e.model.close());
    entries.clear();
    bytes = 0;
  }
}
