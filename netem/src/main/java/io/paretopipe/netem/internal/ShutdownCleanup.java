package io.paretopipe.netem.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One JVM shutdown hook that closes every registered resource still open, newest first. Resources
 * register when they acquire something outside the JVM (a tc rule, a namespace, a cgroup) and
 * unregister when closed. Thread-safe.
 */
public final class ShutdownCleanup {

  private static final Set<AutoCloseable> OPEN = new LinkedHashSet<>();
  private static boolean hookInstalled;
  private static boolean shuttingDown;

  private ShutdownCleanup() {}

  /** Registers {@code resource} to be closed at JVM shutdown unless {@link #unregister}ed first. */
  public static synchronized void register(AutoCloseable resource) {
    if (shuttingDown) {
      return;
    }
    if (!hookInstalled) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(ShutdownCleanup::closeAll, "paretopipe-netem-cleanup"));
      hookInstalled = true;
    }
    OPEN.add(resource);
  }

  /** Forgets {@code resource}; harmless when it was never registered. */
  public static synchronized void unregister(AutoCloseable resource) {
    OPEN.remove(resource);
  }

  private static void closeAll() {
    List<AutoCloseable> toClose;
    synchronized (ShutdownCleanup.class) {
      shuttingDown = true;
      toClose = new ArrayList<>(OPEN);
      OPEN.clear();
    }
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        System.err.println(
            "paretopipe netem: clean-up at shutdown failed for " + toClose.get(i) + ": " + e);
      }
    }
  }
}
