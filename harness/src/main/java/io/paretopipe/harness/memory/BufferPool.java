package io.paretopipe.harness.memory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Recycles direct payload buffers by exact size. Allocating a direct buffer is expensive (the JDK
 * zeroes it and the kernel faults its pages in: about 17 ms for 16 MiB on the 2-core test machine,
 * more than half the cost of moving those 16 MiB through loopback and back), so a receiver that is
 * done with a received tensor can hand its memory back with {@link #release} and the next payload
 * of the same size reuses it.
 *
 * <p>Whoever releases a buffer promises that nothing uses its memory afterwards (not the buffer,
 * not a view, not an NDArray wrapping it). Buffers are kept up to {@code maxPooledBytes} in total;
 * beyond that, released buffers are left to the garbage collector. Thread-safe.
 */
public final class BufferPool {
  private final long maxPooledBytes;
  private final AtomicLong pooledBytes = new AtomicLong();
  private final ConcurrentHashMap<Integer, ConcurrentLinkedDeque<ByteBuffer>> free =
      new ConcurrentHashMap<>();

  /**
   * @param maxPooledBytes the most memory kept for reuse, bytes, &gt;= 0
   */
  public BufferPool(long maxPooledBytes) {
    if (maxPooledBytes < 0) {
      throw new IllegalArgumentException("maxPooledBytes: " + maxPooledBytes + " (expected: >= 0)");
    }
    this.maxPooledBytes = maxPooledBytes;
  }

  /**
   * A direct native-order buffer of exactly {@code bytes} capacity, position 0, limit {@code
   * bytes}: recycled if one of that size is free (contents undefined), else newly allocated
   * (zeroed).
   */
  public ByteBuffer acquire(int bytes) {
    ConcurrentLinkedDeque<ByteBuffer> q = free.get(bytes);
    ByteBuffer b = q == null ? null : q.pollFirst();
    if (b == null) {
      return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }
    pooledBytes.addAndGet(-bytes);
    return b.clear().order(ByteOrder.nativeOrder());
  }

  /**
   * Offers {@code buffer}'s memory for reuse. Heap and empty buffers are ignored. The caller must
   * not touch the memory afterwards.
   */
  public void release(ByteBuffer buffer) {
    if (buffer == null || !buffer.isDirect() || buffer.capacity() == 0 || buffer.isReadOnly()) {
      return;
    }
    int bytes = buffer.capacity();
    if (pooledBytes.addAndGet(bytes) > maxPooledBytes) {
      pooledBytes.addAndGet(-bytes);
      return;
    }
    free.computeIfAbsent(bytes, k -> new ConcurrentLinkedDeque<>()).addFirst(buffer.duplicate());
  }

  /** Memory currently held for reuse, bytes. */
  public long pooledBytes() {
    return pooledBytes.get();
  }
}
