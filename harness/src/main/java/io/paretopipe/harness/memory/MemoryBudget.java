package io.paretopipe.harness.memory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A stage-wide cap on the bytes of request tensors held at once, shared by every connection of a
 * server, so that many connections each within their own limits cannot together exhaust memory: a
 * payload that does not fit is refused before it is allocated ({@code transport.nio.FrameReader},
 * {@code transport.grpc.PooledMarshaller}). Bytes are reserved when a frame's header and metadata
 * have been checked and released when the request is answered. Thread-safe; lock-free.
 */
public final class MemoryBudget {
  private final long capacityBytes;
  private final AtomicLong reservedBytes = new AtomicLong();

  /**
   * @param capacityBytes the most bytes reserved at once, &gt;= 1
   */
  public MemoryBudget(long capacityBytes) {
    if (capacityBytes < 1) {
      throw new IllegalArgumentException("capacityBytes: " + capacityBytes + " (expected: >= 1)");
    }
    this.capacityBytes = capacityBytes;
  }

  /**
   * Three quarters of what this JVM may allocate as direct buffers (which by default is its maximum
   * heap, {@code -Xmx}, unless {@code -XX:MaxDirectMemorySize} says otherwise), leaving the rest
   * for pooled buffers, results and the channels of middle stages.
   */
  public static long defaultCapacityBytes() {
    long maxDirect = Runtime.getRuntime().maxMemory();
    for (String arg :
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("-XX:MaxDirectMemorySize=")) {
        try {
          maxDirect = parseSize(arg.substring("-XX:MaxDirectMemorySize=".length()));
        } catch (NumberFormatException ignored) {
          // the JVM accepted it, so keep the heap-based default rather than fail
        }
      }
    }
    return Math.max(1, maxDirect / 4 * 3);
  }

  private static long parseSize(String s) {
    char unit = Character.toLowerCase(s.charAt(s.length() - 1));
    long scale =
        switch (unit) {
          case 'k' -> 1L << 10;
          case 'm' -> 1L << 20;
          case 'g' -> 1L << 30;
          case 't' -> 1L << 40;
          default -> 1;
        };
    return Long.parseLong(scale == 1 ? s : s.substring(0, s.length() - 1)) * scale;
  }

  /** Reserves {@code bytes} if they fit; false (and nothing reserved) if they do not. */
  public boolean tryReserve(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
    }
    while (true) {
      long now = reservedBytes.get();
      if (now + bytes > capacityBytes) {
        return false;
      }
      if (reservedBytes.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /** Gives back {@code bytes} reserved earlier. */
  public void release(long bytes) {
    long after = reservedBytes.addAndGet(-bytes);
    if (after < 0) {
      reservedBytes.addAndGet(bytes);
      throw new IllegalStateException("released " + bytes + " bytes more than were reserved");
    }
  }

  /**
   * The most memory a server keeps pooled for reuse beside this budget: a quarter of it, at most
   * 256 MiB (finished request buffers are not counted in the budget once answered).
   */
  public long poolAllowanceBytes() {
    return Math.min(256L << 20, capacityBytes / 4);
  }

  /** Bytes not reserved now. */
  public long freeBytes() {
    return Math.max(0, capacityBytes - reservedBytes.get());
  }

  /**
   * Why a request was refused, for the head: its tensor of {@code tensorBytes} (carried in a
   * message of {@code messageBytes}, the bytes it would have reserved) did not fit the {@code
   * freeBytes} left when it arrived.
   */
  public String refusal(long requestId, long tensorBytes, long messageBytes, long freeBytes) {
    return "request "
        + requestId
        + " refused: its "
        + tensorBytes
        + "-byte tensor"
        + (messageBytes != tensorBytes ? " (a " + messageBytes + "-byte message)" : "")
        + " does not fit the stage's request memory ("
        + freeBytes
        + " of "
        + capacityBytes
        + " bytes free, shared by all connections); retry when earlier requests are answered,"
        + " or raise the stage's limit";
  }

  /** The cap, bytes. */
  public long capacityBytes() {
    return capacityBytes;
  }

  /** Bytes reserved now. */
  public long reservedBytes() {
    return reservedBytes.get();
  }
}
