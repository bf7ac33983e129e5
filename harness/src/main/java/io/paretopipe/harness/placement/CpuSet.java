package io.paretopipe.harness.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The CPUs a process is pinned to, as a {@code taskset -c} list ({@code 0}, {@code 1-3}, {@code
 * 0,2-3}), or {@link #UNPINNED}: the one way "leave it where the OS puts it" is said inside the
 * code. Immutable.
 *
 * @param list the taskset list; "" for {@link #UNPINNED}
 */
public record CpuSet(String list) {
  /** Not pinned. */
  public static final CpuSet UNPINNED = new CpuSet("");

  /** The CPUs this JVM was allowed when this class was loaded, ascending. */
  private static final List<Integer> INITIAL_CPUS =
      cpus(CpuAffinity.allowedCpus(ProcessHandle.current().pid()));

  public CpuSet {
    Objects.requireNonNull(list, "list");
    list = list.trim();
    if (!list.isEmpty() && !list.matches("\\d{1,4}(-\\d{1,4})?(,\\d{1,4}(-\\d{1,4})?)*")) {
      throw new IllegalArgumentException(
          "CPU list '"
              + list
              + "' (expected: CPU numbers and ranges as in taskset -c, e.g. 0 or 1-3 or 0,2-3;"
              + " or none)");
    }
  }

  /**
   * {@code none} (or nothing) as {@link #UNPINNED}, anything else as a taskset list.
   *
   * @throws IllegalArgumentException if it is neither
   */
  public static CpuSet parse(String text) {
    if (text == null || text.isBlank() || text.trim().equals("none")) {
      return UNPINNED;
    }
    return new CpuSet(text);
  }

  /**
   * The head's CPU when placement is {@code auto}: the first CPU this JVM was allowed when this
   * class was loaded (so a head that has pinned itself since still resolves it the same way);
   * unpinned on a one-CPU machine.
   */
  public static CpuSet autoHead() {
    return INITIAL_CPUS.size() >= 2 ? new CpuSet(INITIAL_CPUS.get(0).toString()) : UNPINNED;
  }

  /** The stage servers' CPUs when placement is {@code auto}: every allowed CPU but the head's. */
  public static CpuSet autoTail() {
    return INITIAL_CPUS.size() >= 2
        ? new CpuSet(
            INITIAL_CPUS.subList(1, INITIAL_CPUS.size()).stream()
                .map(String::valueOf)
                .collect(Collectors.joining(",")))
        : UNPINNED;
  }

  /** Whether it names CPUs at all. */
  public boolean pinned() {
    return !list.isEmpty();
  }

  /** The CPU numbers it names, ascending; empty if unpinned. */
  public List<Integer> cpus() {
    return cpus(list);
  }

  /** {@code 0-2,5} to {@code [0, 1, 2, 5]}; empty for "" or text that is not a CPU list. */
  public static List<Integer> cpus(String list) {
    List<Integer> cpus = new ArrayList<>();
    try {
      for (String part : list.trim().split(",")) {
        if (part.isBlank()) {
          continue;
        }
        String[] range = part.trim().split("-");
        int from = Integer.parseInt(range[0].trim());
        int to = range.length > 1 ? Integer.parseInt(range[1].trim()) : from;
        for (int c = from; c <= to; c++) {
          cpus.add(c);
        }
      }
    } catch (NumberFormatException e) {
      return List.of();
    }
    return List.copyOf(cpus);
  }

  /** The taskset list, or {@code none}. */
  @Override
  public String toString() {
    return pinned() ? list : "none";
  }
}
