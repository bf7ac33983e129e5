package io.paretopipe.harness.metrics;

/**
 * One stage's CPU time over a measured window.
 *
 * @param subject what was read
 * @param userMillis user-mode CPU milliseconds in the window (null when unavailable)
 * @param systemMillis kernel-mode CPU milliseconds in the window (null when unavailable)
 * @param threads threads counted at the end of the window (0 for a whole process: all of them)
 * @param cgroup the quota cgroup's {@code cpu.stat} change over the window, or null without a quota
 */
public record StageCpu(
    CpuSubject subject, Double userMillis, Double systemMillis, int threads, CgroupCpuStat cgroup) {

  public boolean available() {
    return userMillis != null && systemMillis != null;
  }

  /** User plus system milliseconds, or null when unavailable. */
  public Double totalMillis() {
    return available() ? userMillis + systemMillis : null;
  }
}
