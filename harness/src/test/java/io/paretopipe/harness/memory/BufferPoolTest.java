package io.paretopipe.harness.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class BufferPoolTest {
  private static long address(ByteBuffer b) {
    // identical memory shows as identical contents after a write through one of the views
    return b.getLong(0);
  }

  @Test
  void releasedMemoryIsReusedForTheSameSizeOnly() {
    BufferPool pool = new BufferPool(1 << 20);
    ByteBuffer a = pool.acquire(1024);
    assertTrue(a.isDirect());
    assertEquals(ByteOrder.nativeOrder(), a.order());
    assertEquals(1024, a.capacity());
    a.putLong(0, 0x1122334455667788L);
    pool.release(a);
    assertEquals(1024, pool.pooledBytes());
    ByteBuffer other = pool.acquire(2048);
    assertEquals(2048, other.capacity());
    ByteBuffer again = pool.acquire(1024);
    assertEquals(0x1122334455667788L, address(again), "the released memory must come back");
    assertEquals(0, again.position());
    assertEquals(1024, again.limit());
    assertEquals(0, pool.pooledBytes());
    assertNotSame(a, again);
  }

  @Test
  void poolKeepsNoMoreThanItsCapAndIgnoresHeapBuffers() {
    BufferPool pool = new BufferPool(1500);
    pool.release(ByteBuffer.allocateDirect(1000));
    pool.release(ByteBuffer.allocateDirect(1000));
    pool.release(ByteBuffer.allocate(100));
    assertEquals(1000, pool.pooledBytes());
    ByteBuffer fresh = pool.acquire(1000);
    assertEquals(0, pool.pooledBytes());
    assertSame(ByteOrder.nativeOrder(), fresh.order());
  }

  private static long directBytesInUse() {
    for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (b.getName().equals("direct")) {
        return b.getMemoryUsed();
      }
    }
    throw new AssertionError("no direct buffer pool bean");
  }

  @Test
  void aBufferThePoolCannotKeepIsFreedAtOnceNotAtTheNextGc() {
    BufferPool pool = new BufferPool(1 << 20);
    ByteBuffer kept = pool.acquire(1 << 20);
    ByteBuffer over = pool.acquire(8 << 20);
    pool.release(kept);
    long before = directBytesInUse();
    pool.release(over.slice()); // 8 MiB over the 1 MiB the pool keeps, as a view (a Tensor's)
    long freed = before - directBytesInUse();
    assertTrue(freed >= 8 << 20, "released 8 MiB over the cap, freed " + freed + " bytes");
    assertEquals(1 << 20, pool.pooledBytes());
  }

  @Test
  void aViewOfPartOfABufferIsNeverFreedOnlyLeftToTheCollector() {
    BufferPool pool = new BufferPool(0);
    ByteBuffer whole = pool.acquire(1 << 20);
    long before = directBytesInUse();
    pool.release(whole.slice(0, 1 << 19)); // half of it: its memory is not the view's to free
    assertEquals(before, directBytesInUse());
    whole.putLong(0, 42); // still usable
    assertEquals(42, whole.getLong(0));
  }
}
