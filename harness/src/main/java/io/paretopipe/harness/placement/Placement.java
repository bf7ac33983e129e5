package io.paretopipe.harness.placement;

import io.paretopipe.netem.device.DeviceProfile;
import java.util.Objects;

/**
 * Where and how one side of a pipeline computes: the head (this process) or each spawned stage
 * server. Immutable.
 *
 * @param cpus the CPUs to pin to, or {@link CpuSet#UNPINNED}
 * @param threads torch intra-op threads, &gt;= 1
 * @param cpuQuotaPercent CPU time cap in percent of one CPU (a cgroup, root only), null for none
 */
public record Placement(CpuSet cpus, int threads, Integer cpuQuotaPercent) {

  public Placement {
    Objects.requireNonNull(cpus, "cpus");
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    }
    if (cpuQuotaPercent != null && cpuQuotaPercent < 1) {
      throw new IllegalArgumentException(
          "CPU quota: " + cpuQuotaPercent + "% (expected: >= 1, percent of one CPU)");
    }
  }

  /** Unpinned, one thread, no quota. */
  public static final Placement DEFAULT = new Placement(CpuSet.UNPINNED, 1, null);

  /** Pinned to {@code cpus} with {@code threads} threads, no quota. */
  public static Placement of(CpuSet cpus, int threads) {
    return new Placement(cpus, threads, null);
  }

  /** As the device profile says: its CPU set, threads and quota. */
  public static Placement of(DeviceProfile profile) {
    return new Placement(
        CpuSet.parse(profile.cpuSet()), profile.threads(), profile.cpuQuotaPercent());
  }

  @Override
  public String toString() {
    return "cpus "
        + cpus
        + ", "
        + threads
        + " thread"
        + (threads == 1 ? "" : "s")
        + (cpuQuotaPercent == null ? "" : ", quota " + cpuQuotaPercent + "%");
  }
}
