package io.paretopipe.harness.server;

import java.util.function.BooleanSupplier;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * A bounded wait for a condition expected within microseconds, built on Agrona's {@link
 * BackoffIdleStrategy}: spin (only where a spare CPU exists), then {@link Thread#yield}, then park
 * with a doubling period; after {@code maxWaitNanos} it gives up and the caller takes its slow
 * path.
 *
 * <p>Never a spin that steals a computing thread's core: spinning is allowed only when this JVM may
 * use at least {@value #MIN_CPUS_TO_SPIN} CPUs ({@link Runtime#availableProcessors()}, which
 * follows {@code taskset} and cgroup quotas), i.e. one for the waiting thread, one for the thread
 * it waits on and one for the rest. On the 2-core machine this project measures on, and on any
 * stage pinned to one or two CPUs, the wait yields (which hands the core to the thread it waits on,
 * if that one is runnable on the same CPU) and then parks: {@value #MAX_YIELDS} yields, then parks
 * of {@value #MIN_PARK_NANOS} ns doubling up to {@value #MAX_PARK_NANOS} ns.
 *
 * <p>Used only where the wait is known to be short (see {@link RunToCompletion}); everywhere else
 * threads block (park) in the JDK's queues and locks. Not thread-safe: one instance per waiting
 * thread, or create one per wait ({@link #until}).
 */
public final class ShortWait {
  /** CPUs this JVM must be allowed before the wait spins at all. */
  public static final int MIN_CPUS_TO_SPIN = 3;

  static final int MAX_SPINS = 100;
  static final int MAX_YIELDS = 10;
  static final long MIN_PARK_NANOS = 1_000;
  static final long MAX_PARK_NANOS = 100_000;

  private ShortWait() {}

  /** Spins this JVM may do before yielding: {@value #MAX_SPINS} with a spare CPU, else 0. */
  static int spinsFor(int availableProcessors) {
    return availableProcessors >= MIN_CPUS_TO_SPIN ? MAX_SPINS : 0;
  }

  /** A fresh idle strategy following the rules above, for this JVM's CPUs. */
  public static IdleStrategy newIdleStrategy() {
    return new BackoffIdleStrategy(
        spinsFor(Runtime.getRuntime().availableProcessors()),
        MAX_YIELDS,
        MIN_PARK_NANOS,
        MAX_PARK_NANOS);
  }

  /**
   * Waits until {@code condition} holds or {@code maxWaitNanos} have passed.
   *
   * @return true if the condition held, false if the wait timed out (or the thread was interrupted,
   *     whose flag stays set)
   */
  public static boolean until(BooleanSupplier condition, long maxWaitNanos) {
    if (maxWaitNanos < 0) {
      throw new IllegalArgumentException("maxWaitNanos: " + maxWaitNanos + " (expected: >= 0)");
    }
    if (condition.getAsBoolean()) {
      return true;
    }
    IdleStrategy idle = newIdleStrategy();
    long deadline = System.nanoTime() + maxWaitNanos;
    while (System.nanoTime() - deadline < 0 && !Thread.currentThread().isInterrupted()) {
      idle.idle();
      if (condition.getAsBoolean()) {
        return true;
      }
    }
    return false;
  }
}
