package io.paretopipe.reports.compare;

import java.util.Objects;

/**
 * One configuration setting that differs between the baseline and the current run ({@link
 * RunConfiguration}). Immutable.
 *
 * @param key the setting's dotted path in {@code run-metadata.json}, an object's entry flattened,
 *     e.g. {@code sweep.stage_jvm_options.nio}
 * @param base the baseline's value; {@code null} when the baseline did not record the key. For a
 *     history whose baseline runs disagree among themselves: their distinct values, oldest first,
 *     joined by {@value RunConfiguration#VALUE_SEPARATOR} ({@value RunConfiguration#NOT_RECORDED}
 *     for a run without the key)
 * @param current the current run's value; {@code null} when it did not record the key
 */
public record ConfigDifference(String key, String base, String current) {

  public ConfigDifference {
    Objects.requireNonNull(key, "key");
  }

  /**
   * @return e.g. {@code tail_cpu_quota_percent: none -> 50}, a missing value as {@value
   *     RunConfiguration#NOT_RECORDED}
   */
  public String text() {
    return key + ": " + shown(base) + " -> " + shown(current);
  }

  private static String shown(String value) {
    return value == null ? RunConfiguration.NOT_RECORDED : value;
  }
}
