package io.paretopipe.harness.memory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One received request's share of a stage's {@link MemoryBudget}: made where the request's bytes
 * are reserved (before they are copied or read), handed on with the request, and given back by
 * whoever holds it last (once the answer is written, the request is refused, or its connection
 * ends). {@link #release} is idempotent and thread-safe, so the answer's thread and the
 * connection's end may race to release it.
 */
public final class Reservation {
  private final MemoryBudget budget;
  private final long bytes;
  private final AtomicBoolean released = new AtomicBoolean();

  /** Wraps {@code bytes} already reserved in {@code budget}; the new object owns them. */
  public Reservation(MemoryBudget budget, long bytes) {
    this.budget = budget;
    this.bytes = bytes;
  }

  /** The bytes held, as reserved. */
  public long bytes() {
    return bytes;
  }

  /** Gives the bytes back to the budget, the first time only; true if this call did. */
  public boolean release() {
    if (!released.compareAndSet(false, true)) {
      return false;
    }
    budget.release(bytes);
    return true;
  }
}
