package io.paretopipe.harness.transport.grpc;

import io.paretopipe.harness.protocol.MemoryBudget;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One received request's share of the stage's {@link MemoryBudget}: made by {@link
 * PooledMarshaller} before it copies the message, handed on with the {@link Received}, and given
 * back by whoever holds it last ({@link GrpcStageServer}: once the answer is written, the request
 * is refused, or its stream ends). {@link #release} is idempotent and thread-safe, so the answer's
 * thread and the stream's end may race to release it.
 */
final class Reservation {
  private final MemoryBudget budget;
  private final long bytes;
  private final AtomicBoolean released = new AtomicBoolean();

  /** Wraps {@code bytes} already reserved in {@code budget}; the new object owns them. */
  Reservation(MemoryBudget budget, long bytes) {
    this.budget = budget;
    this.bytes = bytes;
  }

  /** The bytes held, as reserved. */
  long bytes() {
    return bytes;
  }

  /** Gives the bytes back to the budget, the first time only; true if this call did. */
  boolean release() {
    if (!released.compareAndSet(false, true)) {
      return false;
    }
    budget.release(bytes);
    return true;
  }
}
