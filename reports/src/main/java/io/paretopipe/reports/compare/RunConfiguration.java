package io.paretopipe.reports.compare;

import com.fasterxml.jackson.databind.JsonNode;
import io.paretopipe.format.RunFolder;
import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.run.MetadataFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How a run was measured, as far as it can move the figures: the settings {@link #KEYS} names, read
 * from the run folder's {@value RunFolder#METADATA_FILE}. {@code compare} reports those that differ
 * between the baseline and the current run, so that a verdict caused by a configuration change does
 * not read like a code regression. Immutable.
 *
 * <p>Never compared, since they differ between any two runs or say nothing about how the figures
 * were measured: times ({@code start_time}, {@code end_time}, {@code resumed_at}), {@code
 * git_commit} (the code is what {@code compare} judges), the host name and the memory size (which
 * moves by a few kB between boots of the same machine), the sweep's own JVM's vendor and heap
 * ({@code jvm.vm} names the build), the stage servers' addresses, pids and restarts, the sweep's
 * budget, passes, decisions and point status, and the plan ({@code models}, {@code transports},
 * {@code links}, {@code splits}, {@code batch}, {@code depth}: results of another plan do not
 * match, and {@code compare} counts them as missing or new).
 *
 * @param values the recorded settings by flattened key ({@link #KEYS} order, then the entries of a
 *     flattened object by name); a key the run did not record is absent, a recorded JSON {@code
 *     null} reads {@code none}, an object or array where a value was expected its compact JSON
 */
public record RunConfiguration(SortedMap<String, String> values) {

  /**
   * The compared keys, dotted paths into {@value RunFolder#METADATA_FILE} as the sweep writes it
   * (benchmarks' {@code RunMetadata}), in report order. A path ending in {@code .*} is an object
   * compared entry by entry, e.g. {@code sweep.stage_jvm_options.nio}, {@code threads.tail}.
   */
  public static final List<String> KEYS =
      List.of(
          "sweep.setting",
          "sweep.stage_dispatch",
          "sweep.grpc_tuning",
          "sweep.stage_jvm_options.*",
          "sweep.energy",
          "sweep.forks",
          "sweep.warmup",
          "sweep.group_warmup_seconds",
          "sweep.measurement",
          "threads.*",
          "cpus.*",
          "devices.*",
          "tail_cpu_quota_percent",
          "engine",
          "jvm.version",
          "jvm.vm",
          "allocator.*",
          "machine.cpu_model",
          "machine.cpus",
          "machine.arch",
          "machine.os",
          "machine.cpu_quota");

  /** How a value that one run did not record is shown. */
  public static final String NOT_RECORDED = "(not recorded)";

  /** Joins the distinct values of a history's baseline runs when they differ among themselves. */
  public static final String VALUE_SEPARATOR = " | ";

  private static final String ALL_ENTRIES = ".*";

  private static final Comparator<String> ORDER =
      Comparator.comparingInt(RunConfiguration::rank).thenComparing(Comparator.naturalOrder());

  public RunConfiguration {
    TreeMap<String, String> copy = new TreeMap<>(ORDER);
    copy.putAll(values);
    values = Collections.unmodifiableSortedMap(copy);
  }

  /**
   * @param run a run as given to {@code compare}
   * @return the configuration recorded in its {@value RunFolder#METADATA_FILE}; empty when {@code
   *     run} is a file (a JMH JSON file) or a folder without one
   * @throws ReportInputException when the metadata file exists but cannot be read ({@link
   *     MetadataFile#read})
   */
  public static Optional<RunConfiguration> read(Path run) throws ReportInputException {
    Path file = run.resolve(RunFolder.METADATA_FILE);
    if (!Files.isDirectory(run) || !Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return Optional.of(of(MetadataFile.read(file)));
  }

  /**
   * @param metadata a parsed {@value RunFolder#METADATA_FILE}
   * @return the values of {@link #KEYS} it records
   */
  public static RunConfiguration of(JsonNode metadata) {
    SortedMap<String, String> values = new TreeMap<>(ORDER);
    for (String key : KEYS) {
      boolean entries = key.endsWith(ALL_ENTRIES);
      String path = entries ? key.substring(0, key.length() - ALL_ENTRIES.length()) : key;
      JsonNode node = metadata;
      for (String name : path.split("\\.")) {
        node = node.path(name);
      }
      if (node.isMissingNode()) {
        continue;
      }
      if (entries && node.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          values.put(path + "." + e.getKey(), text(e.getValue()));
        }
      } else {
        values.put(path, text(node));
      }
    }
    return new RunConfiguration(values);
  }

  /**
   * The settings whose value differs between the current run and any baseline run; a key recorded
   * by one side only differs, whatever its value (an older run that predates the key shows {@value
   * #NOT_RECORDED} even when the current value is the key's default).
   *
   * @param baselines the baseline's runs, oldest first, at least one (one for {@code compare BASE
   *     NEW}, a history's window of pooled runs for {@code --history})
   * @param current the current run
   * @return the differences in {@link #KEYS} order; empty when every setting is equal
   */
  public static List<ConfigDifference> differences(
      List<RunConfiguration> baselines, RunConfiguration current) {
    if (baselines.isEmpty()) {
      throw new IllegalArgumentException("baselines: empty (expected: at least one run)");
    }
    Set<String> keys = new TreeSet<>(ORDER);
    keys.addAll(current.values.keySet());
    baselines.forEach(b -> keys.addAll(b.values.keySet()));
    List<ConfigDifference> differences = new ArrayList<>();
    for (String key : keys) {
      String now = current.values.get(key);
      Set<String> before = new LinkedHashSet<>();
      boolean differs = false;
      for (RunConfiguration b : baselines) {
        String value = b.values.get(key);
        before.add(value == null ? NOT_RECORDED : value);
        differs |= !Objects.equals(value, now);
      }
      if (differs) {
        String base =
            before.size() == 1
                ? baselines.get(0).values.get(key)
                : String.join(VALUE_SEPARATOR, before);
        differences.add(new ConfigDifference(key, base, now));
      }
    }
    return List.copyOf(differences);
  }

  private static String text(JsonNode value) {
    if (value.isNull()) {
      return "none";
    }
    return value.isContainerNode() ? value.toString() : value.asText();
  }

  /** The position in {@link #KEYS} of the key {@code key} was flattened from. */
  private static int rank(String key) {
    for (int i = 0; i < KEYS.size(); i++) {
      String k = KEYS.get(i);
      if (k.endsWith(ALL_ENTRIES)) {
        String path = k.substring(0, k.length() - ALL_ENTRIES.length());
        if (key.equals(path) || key.startsWith(path + ".")) {
          return i;
        }
      } else if (key.equals(k)) {
        return i;
      }
    }
    return KEYS.size();
  }
}
