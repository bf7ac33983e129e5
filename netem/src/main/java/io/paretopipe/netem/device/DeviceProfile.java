package io.paretopipe.netem.device;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * How a stage runs to play a device: on which CPUs, with how many compute threads, under which CPU
 * quota. Immutable and thread-safe.
 *
 * @param name the profile name used in {@code -p head=NAME}: lower-case letters, digits and '-'
 * @param cpuSet the CPUs as in {@code taskset -c} and cpuset: {@code "0"}, {@code "1-3"}, {@code
 *     "0,2-3"} (commas are fine here: the set lives in the profile file, not in a JMH parameter)
 * @param threads compute threads of the stage, {@code >= 1}
 * @param cpuQuotaPercent CPU time cap in percent of ONE CPU (25 = a quarter of a core, 150 = one
 *     and a half cores), {@code null} for no cap; at most {@code 100 * cpuCount()}
 */
public record DeviceProfile(String name, String cpuSet, int threads, Integer cpuQuotaPercent) {

  /** Checks every component and names what is wrong. */
  public DeviceProfile {
    if (name == null || !name.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException(
          "device profile name: '"
              + name
              + "' (expected: lower-case letters, digits and '-', starting with a letter or digit)");
    }
    parseCpuSet(name, cpuSet);
    if (threads < 1) {
      throw new IllegalArgumentException(
          "device profile " + name + ": threads " + threads + " (expected: >= 1)");
    }
    if (cpuQuotaPercent != null) {
      int max = 100 * parseCpuSet(name, cpuSet).size();
      if (cpuQuotaPercent < 1 || cpuQuotaPercent > max) {
        throw new IllegalArgumentException(
            "device profile "
                + name
                + ": cpuQuotaPercent "
                + cpuQuotaPercent
                + " (expected: 1.."
                + max
                + ", percent of one CPU, at most 100 per CPU in cpus="
                + cpuSet
                + "; omit it for no quota)");
      }
    }
  }

  /** The CPU numbers in {@link #cpuSet()}, ascending. */
  public List<Integer> cpus() {
    return parseCpuSet(name, cpuSet);
  }

  /** How many CPUs {@link #cpuSet()} names. */
  public int cpuCount() {
    return cpus().size();
  }

  /**
   * {@code taskset -c CPUSET}: prefix a command with it to pin the process to the profile's CPUs.
   */
  public List<String> tasksetPrefix() {
    return List.of("taskset", "-c", cpuSet);
  }

  /** The highest CPU number named, to check against the machine's CPU count. */
  public int highestCpu() {
    List<Integer> cpus = cpus();
    return cpus.get(cpus.size() - 1);
  }

  static List<Integer> parseCpuSet(String profile, String cpuSet) {
    String valid = " (expected: CPU numbers and ranges as in taskset -c, e.g. 0 or 1-3 or 0,2-3)";
    if (cpuSet == null || cpuSet.isBlank()) {
      throw new IllegalArgumentException("device profile " + profile + ": cpus is empty" + valid);
    }
    TreeSet<Integer> cpus = new TreeSet<>();
    for (String part : cpuSet.split(",", -1)) {
      String p = part.trim();
      if (!p.matches("\\d{1,4}(-\\d{1,4})?")) {
        throw new IllegalArgumentException(
            "device profile "
                + profile
                + ": cpus '"
                + cpuSet
                + "' has a bad part '"
                + p
                + "'"
                + valid);
      }
      String[] bounds = p.split("-");
      int from = Integer.parseInt(bounds[0]);
      int to = bounds.length == 2 ? Integer.parseInt(bounds[1]) : from;
      if (to < from) {
        throw new IllegalArgumentException(
            "device profile " + profile + ": cpus range '" + p + "' runs backwards" + valid);
      }
      for (int cpu = from; cpu <= to; cpu++) {
        cpus.add(cpu);
      }
    }
    return new ArrayList<>(cpus);
  }
}
