package io.paretopipe.harness.server;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every stage server has in its life: closed once, and a timer for its deadlines (the
 * handshake deadline today). One daemon timer thread per server, named {@code
 * paretopipe-NAME-timer}; a deadline's action runs on it and must not block. Thread-safe.
 */
public final class ServerLifecycle implements AutoCloseable {
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ScheduledExecutorService timer;

  /**
   * @param name names the timer thread, e.g. {@code nio-7711}
   */
  public ServerLifecycle(String name) {
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "paretopipe-" + name + "-timer");
              t.setDaemon(true);
              return t;
            });
  }

  /** Whether {@link #markClosed} has been called. */
  public boolean isClosed() {
    return closed.get();
  }

  /** Marks the server closed; true for the one call that did. */
  public boolean markClosed() {
    return closed.compareAndSet(false, true);
  }

  /**
   * Runs {@code action} after {@code millis} unless cancelled; nothing once the server is closed.
   */
  public ScheduledFuture<?> deadline(long millis, Runnable action) {
    return timer.schedule(
        () -> {
          if (!closed.get()) {
            action.run();
          }
        },
        millis,
        TimeUnit.MILLISECONDS);
  }

  /** Stops the timer (pending deadlines never run). */
  @Override
  public void close() {
    markClosed();
    timer.shutdownNow();
  }
}
