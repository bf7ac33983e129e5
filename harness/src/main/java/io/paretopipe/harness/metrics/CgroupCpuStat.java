package io.paretopipe.harness.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One reading of a cgroup's {@code cpu.stat}: {@code key value} lines.
 *
 * <ul>
 *   <li>cgroup v2: {@code usage_usec}, {@code user_usec}, {@code system_usec}, {@code nr_periods},
 *       {@code nr_throttled}, {@code throttled_usec}.
 *   <li>cgroup v1 ({@code cpu} controller): {@code nr_periods}, {@code nr_throttled}, {@code
 *       throttled_time} (nanoseconds); no usage (that is {@code cpuacct}'s).
 * </ul>
 *
 * Microsecond accessors convert v1's nanoseconds; a figure the file does not have is empty, never
 * 0. Immutable.
 *
 * @param fields every line of the file as read
 */
public record CgroupCpuStat(Map<String, Long> fields) {

  public CgroupCpuStat {
    fields = Map.copyOf(fields);
  }

  /**
   * Reads {@code <directory>/cpu.stat}.
   *
   * @throws UncheckedIOException naming the file when it cannot be read
   * @throws IllegalArgumentException naming the file and line when a line is not {@code key value}
   */
  public static CgroupCpuStat read(Path directory) {
    Path file = directory.resolve("cpu.stat");
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return parse(text, file.toString());
  }

  /** Parses the text of a {@code cpu.stat}; {@code source} names it in errors. */
  public static CgroupCpuStat parse(String text, String source) {
    Map<String, Long> fields = new LinkedHashMap<>();
    int lineNumber = 0;
    for (String line : text.split("\n")) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      String[] parts = line.trim().split("\\s+");
      if (parts.length != 2 || !parts[1].matches("\\d+")) {
        throw new IllegalArgumentException(
            source + " line " + lineNumber + ": '" + line + "' (expected: 'key <integer>')");
      }
      fields.put(parts[0], Long.parseLong(parts[1]));
    }
    return new CgroupCpuStat(fields);
  }

  /** CPU time of every process in the group (v2 only). */
  public Optional<Long> usageMicros() {
    return Optional.ofNullable(fields.get("usage_usec"));
  }

  public Optional<Long> userMicros() {
    return Optional.ofNullable(fields.get("user_usec"));
  }

  public Optional<Long> systemMicros() {
    return Optional.ofNullable(fields.get("system_usec"));
  }

  /** Quota periods that had runnable work. */
  public Optional<Long> periods() {
    return Optional.ofNullable(fields.get("nr_periods"));
  }

  /** Periods in which the group used its whole quota and was stopped. */
  public Optional<Long> throttledPeriods() {
    return Optional.ofNullable(fields.get("nr_throttled"));
  }

  /**
   * Time the group was stopped for its quota (v2 {@code throttled_usec}, v1 {@code throttled_time}
   * / 1000).
   */
  public Optional<Long> throttledMicros() {
    Long v2 = fields.get("throttled_usec");
    if (v2 != null) {
      return Optional.of(v2);
    }
    Long v1 = fields.get("throttled_time");
    return v1 == null ? Optional.empty() : Optional.of(v1 / 1000);
  }

  /** This reading minus an earlier one, field by field (fields missing from either are dropped). */
  public CgroupCpuStat minus(CgroupCpuStat earlier) {
    Map<String, Long> d = new LinkedHashMap<>();
    fields.forEach(
        (k, v) -> {
          Long before = earlier.fields.get(k);
          if (before != null) {
            d.put(k, v - before);
          }
        });
    return new CgroupCpuStat(d);
  }
}
