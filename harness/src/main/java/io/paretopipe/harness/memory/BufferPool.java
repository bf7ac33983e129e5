package io.paretopipe.harness.memory;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.ref.WeakReference;
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
 * beyond that, a released buffer's memory is freed at once ({@code Unsafe.invokeCleaner}), not left
 * to a garbage collection that an idle Java heap may not run for many requests: a stage server
 * swept over vgg16's splits otherwise kept 4 unpooled request buffers per head, up to 125 MiB of
 * them, until a GC (docs/SECURITY.md "Resident memory of a vgg16 sweep"). A released view (a slice
 * or duplicate, such as a buffer this pool handed out again), which cannot be freed that way, is
 * still left to the collector. Thread-safe.
 */
public final class BufferPool {
  private static final sun.misc.Unsafe UNSAFE = unsafe();

  /** Above this many entries {@link #allocated} drops those whose buffer was collected. */
  private static final int PURGE_ABOVE = 256;

  private final long maxPooledBytes;
  private final AtomicLong pooledBytes = new AtomicLong();

  /** Buffers this pool allocated, by the address of their memory, until freed or collected. */
  private final ConcurrentHashMap<Long, WeakReference<ByteBuffer>> allocated =
      new ConcurrentHashMap<>();

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
      ByteBuffer fresh = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
      if (UNSAFE != null && bytes > 0) {
        if (allocated.size() > PURGE_ABOVE) {
          allocated.values().removeIf(r -> r.get() == null);
        }
        allocated.put(address(fresh), new WeakReference<>(fresh));
      }
      return fresh;
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
      freeNow(buffer);
      return;
    }
    free.computeIfAbsent(bytes, k -> new ConcurrentLinkedDeque<>()).addFirst(buffer.duplicate());
  }

  /**
   * Frees the memory of a released buffer now if this pool allocated it and {@code buffer} covers
   * all of it; otherwise leaves it to the GC.
   */
  private void freeNow(ByteBuffer buffer) {
    if (UNSAFE == null) {
      return;
    }
    WeakReference<ByteBuffer> ref = allocated.remove(address(buffer));
    ByteBuffer original = ref == null ? null : ref.get();
    if (original != null && original.capacity() == buffer.capacity()) {
      UNSAFE.invokeCleaner(original);
    }
  }

  private static long address(ByteBuffer direct) {
    return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
  }

  private static sun.misc.Unsafe unsafe() {
    try {
      java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (sun.misc.Unsafe) f.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // no jdk.unsupported: buffers the pool cannot keep wait for a GC
    }
  }

  /** Memory currently held for reuse, bytes. */
  public long pooledBytes() {
    return pooledBytes.get();
  }
}
