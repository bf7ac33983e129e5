package io.paretopipe.netem.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Identifies the process that owns a leftover (a tc rule, a namespace, a cgroup): its pid plus its
 * start time in clock ticks since boot (field 22 of {@code /proc/PID/stat}), so a recycled pid is
 * not mistaken for the owner.
 *
 * @param pid the owner's pid; {@code 0} means "detached": owned by no process, e.g. a rule applied
 *     by the {@code netem apply} command, which must outlive it
 * @param startTicks the owner's start time, {@code -1} when unknown (then the pid alone decides)
 */
public record OwnerProcess(long pid, long startTicks) {

  /** A detached owner: never alive. */
  public static final OwnerProcess DETACHED = new OwnerProcess(0, -1);

  /**
   * Matches the {@link #nameTag()} inside a resource name: group 1 is the pid, group 2 the start
   * time (absent in names made before the start time was part of them: then the pid alone decides).
   */
  public static final String NAME_TAG_REGEX = "(\\d+)(?:-t(\\d+))?";

  private static final OwnerProcess CURRENT = currentUncached();

  /** This JVM. */
  public static OwnerProcess current() {
    return CURRENT;
  }

  private static OwnerProcess currentUncached() {
    long pid = ProcessHandle.current().pid();
    return new OwnerProcess(pid, startTicks(pid));
  }

  /**
   * How resource names (namespaces, cgroups) carry this owner: {@code <pid>-t<startTicks>}, or just
   * {@code <pid>} when the start time is unknown.
   */
  public String nameTag() {
    return startTicks < 0 ? Long.toString(pid) : pid + "-t" + startTicks;
  }

  /**
   * The owner from the two groups of {@link #NAME_TAG_REGEX}.
   *
   * @param startTicks the second group, {@code null} for an old-format name (pid only)
   */
  public static OwnerProcess fromNameTag(String pid, String startTicks) {
    return new OwnerProcess(
        Long.parseLong(pid), startTicks == null ? -1 : Long.parseLong(startTicks));
  }

  /** The owner for a pid that is known only by number (e.g. from a namespace name). */
  public static OwnerProcess ofPid(long pid) {
    return new OwnerProcess(pid, -1);
  }

  /** True when the process still runs (and is the same process, when the start time is known). */
  public boolean isAlive() {
    if (pid <= 0) {
      return false;
    }
    long now = startTicks(pid);
    if (now < 0) {
      return false;
    }
    return startTicks < 0 || now == startTicks;
  }

  /** Field 22 of {@code /proc/PID/stat}, or {@code -1} when the process does not exist. */
  public static long startTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[19]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
