package io.paretopipe.netem.device;

import io.paretopipe.netem.internal.Commands;
import io.paretopipe.netem.internal.OwnerProcess;
import io.paretopipe.netem.internal.ShutdownCleanup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A cgroup that caps the CPU time of the processes moved into it: {@code cpuQuotaPercent} of one
 * CPU per {@value #PERIOD_MICROS} us period (25 % = 25 ms of CPU time per 100 ms, i.e. a CPU-bound
 * process runs about 4x slower). Created as {@code paretopipe-<ownerPid>-t<ownerStartTicks>-<n>}
 * under the cpu hierarchy (the owner's start time, field 22 of {@code /proc/PID/stat}, tells a
 * recycled pid from the owner):
 *
 * <ul>
 *   <li>cgroup v2 (unified {@code /sys/fs/cgroup} with a {@code cpu} controller): writes {@code
 *       cpu.max} ({@code "25000 100000"}), enabling {@code +cpu} in the root's {@code
 *       cgroup.subtree_control} if needed;
 *   <li>cgroup v1 ({@code /sys/fs/cgroup/cpu} or {@code /sys/fs/cgroup/cpu,cpuacct}): writes {@code
 *       cpu.cfs_period_us} and {@code cpu.cfs_quota_us}.
 * </ul>
 *
 * {@link #close()} moves any remaining processes back to the parent cgroup and removes the
 * directory; a shutdown hook does the same; {@link #clearLeftovers()}, run by every {@link #create}
 * and by {@code netem clear}, removes groups whose owner no longer runs (after a kill -9).
 *
 * <p>Needs root (write access to the cgroup file system). Thread-safe; {@link #close()} is
 * idempotent.
 */
public final class CpuQuota implements AutoCloseable {

  /** The cgroup v1 / v2 versions this class knows. */
  public enum Version {
    V1,
    V2
  }

  /** The CFS period used, in microseconds. */
  public static final long PERIOD_MICROS = 100_000;

  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  private static final Pattern NAME =
      Pattern.compile("paretopipe-" + OwnerProcess.NAME_TAG_REGEX + "-(\\d+)");
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final long REMOVE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final Version version;
  private final Path directory;
  private final int cpuQuotaPercent;
  private final AtomicBoolean closed = new AtomicBoolean();

  private CpuQuota(Version version, Path directory, int cpuQuotaPercent) {
    this.version = version;
    this.directory = directory;
    this.cpuQuotaPercent = cpuQuotaPercent;
  }

  /**
   * Creates a cgroup capped at {@code cpuQuotaPercent} of one CPU.
   *
   * @param cpuQuotaPercent 1..100000 (e.g. 25 = a quarter of one CPU, 200 = two CPUs)
   * @throws IllegalStateException when cgroups cannot be used here ({@link #unavailableReason()})
   */
  public static CpuQuota create(int cpuQuotaPercent) {
    if (cpuQuotaPercent < 1 || cpuQuotaPercent > 100_000) {
      throw new IllegalArgumentException(
          "cpuQuotaPercent: " + cpuQuotaPercent + " (expected: 1..100000, percent of one CPU)");
    }
    Optional<String> reason = unavailableReason();
    if (reason.isPresent()) {
      throw new IllegalStateException(reason.get());
    }
    Version version = detectVersion().orElseThrow();
    Path hierarchy = hierarchy(version).orElseThrow();
    try {
      clearLeftovers();
    } catch (RuntimeException e) {
      System.err.println("paretopipe netem: could not remove leftover CPU quota cgroups: " + e);
    }
    Path directory =
        hierarchy.resolve(
            "paretopipe-" + OwnerProcess.current().nameTag() + "-" + COUNTER.getAndIncrement());
    CpuQuota quota = new CpuQuota(version, directory, cpuQuotaPercent);
    try {
      if (version == Version.V2) {
        enableCpuControllerV2(hierarchy);
      }
      Files.createDirectory(directory);
      ShutdownCleanup.register(quota);
      long quotaMicros = PERIOD_MICROS * cpuQuotaPercent / 100;
      if (version == Version.V2) {
        Files.writeString(directory.resolve("cpu.max"), quotaMicros + " " + PERIOD_MICROS);
      } else {
        Files.writeString(directory.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_MICROS));
        Files.writeString(directory.resolve("cpu.cfs_quota_us"), Long.toString(quotaMicros));
      }
    } catch (IOException | RuntimeException e) {
      try {
        quota.close();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw new IllegalStateException(
          "cannot create a CPU quota cgroup at " + directory + ": " + e, e);
    }
    return quota;
  }

  /** Why a quota cannot be created here, or empty when it can. */
  public static Optional<String> unavailableReason() {
    if (!Commands.isRoot()) {
      return Optional.of(
          "CPU quotas need root (write access to /sys/fs/cgroup): run as root, as CI does");
    }
    if (detectVersion().isEmpty()) {
      return Optional.of(
          "no cgroup cpu controller found: neither /sys/fs/cgroup/cgroup.controllers with 'cpu'"
              + " (cgroup v2) nor /sys/fs/cgroup/cpu/cpu.cfs_quota_us (cgroup v1) exists; mount cgroups");
    }
    Path hierarchy = hierarchy(detectVersion().get()).orElseThrow();
    if (!Files.isWritable(hierarchy)) {
      return Optional.of(
          "the cgroup hierarchy "
              + hierarchy
              + " is not writable (read-only in most containers;"
              + " run on the host or with a writable cgroup mount)");
    }
    return Optional.empty();
  }

  /** The cgroup version in use for the cpu controller, if any. */
  public static Optional<Version> detectVersion() {
    Path controllers = CGROUP_ROOT.resolve("cgroup.controllers");
    if (Files.isRegularFile(controllers)) {
      try {
        if (List.of(Files.readString(controllers).trim().split("\\s+")).contains("cpu")) {
          return Optional.of(Version.V2);
        }
      } catch (IOException e) {
        return Optional.empty();
      }
    }
    return hierarchy(Version.V1).isPresent() ? Optional.of(Version.V1) : Optional.empty();
  }

  private static Optional<Path> hierarchy(Version version) {
    if (version == Version.V2) {
      return Optional.of(CGROUP_ROOT);
    }
    for (String name : List.of("cpu", "cpu,cpuacct", "cpuacct,cpu")) {
      Path dir = CGROUP_ROOT.resolve(name);
      if (Files.isRegularFile(dir.resolve("cpu.cfs_quota_us"))) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  private static void enableCpuControllerV2(Path root) throws IOException {
    Path subtree = root.resolve("cgroup.subtree_control");
    if (!List.of(Files.readString(subtree).trim().split("\\s+")).contains("cpu")) {
      Files.writeString(subtree, "+cpu");
    }
  }

  /** v1 or v2. */
  public Version version() {
    return version;
  }

  /** The cgroup directory. */
  public Path directory() {
    return directory;
  }

  /** The cap in percent of one CPU. */
  public int cpuQuotaPercent() {
    return cpuQuotaPercent;
  }

  /**
   * Moves process {@code pid} (all its threads) into this cgroup; children it starts later inherit
   * it.
   *
   * @throws UncheckedIOException when the kernel refuses (e.g. the process is gone)
   */
  public void addProcess(long pid) {
    if (closed.get()) {
      throw new IllegalStateException("this CpuQuota is closed: " + directory);
    }
    try {
      Files.writeString(directory.resolve("cgroup.procs"), Long.toString(pid));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot move pid " + pid + " into " + directory + ": " + e.getMessage(), e);
    }
  }

  /** The pids in this cgroup now. */
  public List<Long> processes() {
    return readProcs(directory);
  }

  /**
   * Moves remaining processes to the parent cgroup and removes the directory. Harmless when called
   * twice.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ShutdownCleanup.unregister(this);
    remove(directory);
  }

  @Override
  public String toString() {
    return "CpuQuota[" + cpuQuotaPercent + "% of one CPU, " + version + ", " + directory + "]";
  }

  private static List<Long> readProcs(Path dir) {
    try {
      String text = Files.readString(dir.resolve("cgroup.procs"));
      List<Long> pids = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (!line.isBlank()) {
          pids.add(Long.parseLong(line.trim()));
        }
      }
      return pids;
    } catch (IOException e) {
      return List.of();
    }
  }

  private static void remove(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    long deadline = System.nanoTime() + REMOVE_TIMEOUT_NANOS;
    IOException last = null;
    while (System.nanoTime() - deadline < 0) {
      for (long pid : readProcs(dir)) {
        try {
          Files.writeString(dir.getParent().resolve("cgroup.procs"), Long.toString(pid));
        } catch (IOException e) {
          last = e;
        }
      }
      try {
        Files.delete(dir);
        return;
      } catch (IOException e) {
        last = e;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    throw new UncheckedIOException(
        "cannot remove cgroup "
            + dir
            + " within "
            + TimeUnit.NANOSECONDS.toMillis(REMOVE_TIMEOUT_NANOS)
            + " ms: "
            + last,
        last);
  }

  /**
   * Removes {@code paretopipe-<pid>-t<startTicks>-<n>} cgroups whose owner no longer runs: the pid
   * is gone, or it now belongs to a process with another start time (a recycled pid). Old names
   * without the start time ({@code paretopipe-<pid>-<n>}) are judged by the pid alone.
   *
   * @return the directories removed
   */
  public static List<String> clearLeftovers() {
    List<String> removed = new ArrayList<>();
    Optional<Version> version = detectVersion();
    if (version.isEmpty() || !Commands.isRoot()) {
      return removed;
    }
    Path hierarchy = hierarchy(version.get()).orElseThrow();
    try (Stream<Path> dirs = Files.list(hierarchy)) {
      for (Path dir : dirs.toList()) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        if (m.matches()
            && Files.isDirectory(dir)
            && !OwnerProcess.fromNameTag(m.group(1), m.group(2)).isAlive()) {
          remove(dir);
          removed.add(dir.toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + hierarchy + ": " + e.getMessage(), e);
    }
    return removed;
  }
}
