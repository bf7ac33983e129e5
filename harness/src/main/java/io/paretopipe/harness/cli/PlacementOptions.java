package io.paretopipe.harness.cli;

import io.paretopipe.harness.placement.CpuSet;
import io.paretopipe.harness.placement.Placement;
import io.paretopipe.netem.device.DeviceProfiles;
import java.nio.file.Path;
import java.util.Objects;
import picocli.CommandLine.Option;

/**
 * The placement options every command that starts a head and stage servers shares ({@code run}, the
 * sweep, the soak): {@code --head-threads}, {@code --tail-threads}, {@code --head-cpus}, {@code
 * --tail-cpus}, {@code --head-device}, {@code --tail-device}, {@code --device-profiles}. A picocli
 * mixin: a command declares {@code @Mixin PlacementOptions placement = new PlacementOptions("auto",
 * "auto")} with its own CPU defaults, and reads typed {@link Placement}s from it.
 *
 * <p>A CPU option is {@code none} (unpinned; "" means the same), {@code auto} (the head on the
 * first CPU this JVM was allowed at start, the tail on the others, {@link CpuSet#autoHead}) or a
 * taskset list. A device profile ({@code netem profiles}) replaces that side's CPUs and threads and
 * may add a CPU quota; {@code none} names no profile.
 */
public final class PlacementOptions {

  /** The CPU value that lets the head and the tail share the machine's CPUs out. */
  public static final String AUTO = "auto";

  /** The value that names no CPU list or no device profile. */
  public static final String NONE = "none";

  @Option(
      names = "--head-threads",
      paramLabel = "N",
      description = "torch threads of this process (default: ${DEFAULT-VALUE}).")
  int headThreads = 1;

  @Option(
      names = "--tail-threads",
      paramLabel = "N",
      description = "torch threads of each stage server started here (default: ${DEFAULT-VALUE}).")
  int tailThreads = 1;

  @Option(
      names = "--head-cpus",
      paramLabel = "CPUS",
      description =
          "CPUs for this process: a taskset list such as 0, none (unpinned) or auto (the first"
              + " CPU this JVM may use) (default: ${DEFAULT-VALUE}).")
  String headCpus;

  @Option(
      names = "--tail-cpus",
      paramLabel = "CPUS",
      description =
          "CPUs for the stage servers started here: a taskset list such as 1, none (unpinned) or"
              + " auto (every CPU but the head's) (default: ${DEFAULT-VALUE}).")
  String tailCpus;

  @Option(
      names = "--head-device",
      paramLabel = "PROFILE",
      description =
          "Device profile of the head (CPUs, threads, CPU quota; see 'netem profiles');"
              + " replaces --head-cpus and --head-threads (default: ${DEFAULT-VALUE}).")
  String headDevice = NONE;

  @Option(
      names = "--tail-device",
      paramLabel = "PROFILE",
      description =
          "Device profile of each stage server started here; replaces --tail-cpus and"
              + " --tail-threads (default: ${DEFAULT-VALUE}).")
  String tailDevice = NONE;

  @Option(
      names = "--device-profiles",
      paramLabel = "FILE",
      description =
          "A profiles file added to the built-ins (default: $"
              + DeviceProfiles.FILE_ENV
              + " if set).")
  Path deviceProfiles;

  /** Unpinned head and tail by default ({@code run}). */
  public PlacementOptions() {
    this(NONE, NONE);
  }

  /**
   * With the given defaults for {@code --head-cpus} and {@code --tail-cpus} (e.g. {@code auto},
   * {@code none}, {@code 0}).
   */
  public PlacementOptions(String defaultHeadCpus, String defaultTailCpus) {
    this.headCpus = Objects.requireNonNull(defaultHeadCpus, "defaultHeadCpus");
    this.tailCpus = Objects.requireNonNull(defaultTailCpus, "defaultTailCpus");
  }

  /**
   * Where this process computes: the head device's profile if one is named, else {@code
   * --head-cpus} and {@code --head-threads}.
   *
   * @throws IllegalArgumentException naming the option for a bad CPU list, thread count or profile
   */
  public Placement head() {
    return placement(headDevice, "--head-cpus", headCpus, true, "--head-threads", headThreads);
  }

  /**
   * Where each stage server started here computes: the tail device's profile if one is named, else
   * {@code --tail-cpus} and {@code --tail-threads}.
   *
   * @throws IllegalArgumentException naming the option for a bad CPU list, thread count or profile
   */
  public Placement tail() {
    return placement(tailDevice, "--tail-cpus", tailCpus, false, "--tail-threads", tailThreads);
  }

  private Placement placement(
      String device, String cpusOption, String cpus, boolean head, String threadsOption, int n) {
    if (named(device)) {
      return Placement.of(DeviceProfiles.standard(deviceProfiles).get(device.trim()));
    }
    if (n < 1) {
      throw new IllegalArgumentException(threadsOption + " " + n + " (expected: >= 1)");
    }
    return Placement.of(cpuSet(cpusOption, cpus, head), n);
  }

  /**
   * A CPU option's value as a CPU set: {@code auto} as {@link CpuSet#autoHead()} (for the head) or
   * {@link CpuSet#autoTail()}, {@code none} or "" as unpinned, else a taskset list.
   *
   * @throws IllegalArgumentException naming {@code option} if the value is none of these
   */
  public static CpuSet cpuSet(String option, String value, boolean head) {
    if (value.trim().equals(AUTO)) {
      return head ? CpuSet.autoHead() : CpuSet.autoTail();
    }
    try {
      return CpuSet.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage() + ", or auto", e);
    }
  }

  private static boolean named(String device) {
    return device != null && !device.isBlank() && !device.trim().equals(NONE);
  }

  /** {@code --head-threads} as given. */
  public int headThreads() {
    return headThreads;
  }

  /** {@code --tail-threads} as given. */
  public int tailThreads() {
    return tailThreads;
  }

  /** {@code --head-cpus} as given ({@code auto}, {@code none} or a list), e.g. for a JMH param. */
  public String headCpus() {
    return headCpus;
  }

  /** {@code --tail-cpus} as given. */
  public String tailCpus() {
    return tailCpus;
  }

  /** {@code --head-device} as given ({@code none} for no profile). */
  public String headDevice() {
    return headDevice;
  }

  /** {@code --tail-device} as given ({@code none} for no profile). */
  public String tailDevice() {
    return tailDevice;
  }

  /** {@code --device-profiles}, or null. */
  public Path deviceProfiles() {
    return deviceProfiles;
  }
}
