package io.paretopipe.reports.history;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a run's numbers depend on besides the code: the machine and the software under the
 * benchmark. Two runs are compared only when their fingerprints are equal; a new fingerprint (a
 * different CPU, kernel, JDK, DJL or PyTorch version, allocator setting or CPU quota) starts a new
 * segment of every series, never a regression.
 *
 * <p>Read from {@code run-metadata.json} (format {@code paretopipe-run-metadata}): {@code
 * machine.cpu_model}, {@code machine.cpus}, {@code machine.memory}, {@code machine.os} (the
 * kernel), {@code machine.arch}, {@code jvm.vm}, {@code engine} ({@code DJL 0.36.0 / PyTorch
 * 2.7.1}: two components), every {@code allocator} entry, and {@code machine.cpu_quota} (the CPU
 * limit of the cgroup the sweep ran in; {@code not recorded} for runs written before it existed).
 * The {@link #id()} is the first 12 hex digits of the SHA-256 of the components as {@code
 * key=value} lines in key order. The host name is not a component: renaming a machine changes
 * nothing it measures.
 *
 * <p>A JMH JSON file without a {@code run-metadata.json} in its run folder gets {@link #UNKNOWN}:
 * all such runs share one fingerprint, {@code unknown}, since nothing says what they ran on.
 *
 * @param id the fingerprint, 12 hex digits, or {@code unknown}
 * @param components what it was computed from, by key; empty for {@link #UNKNOWN}
 */
public record HostFingerprint(String id, SortedMap<String, String> components) {

  /** The fingerprint of every run without metadata. */
  public static final HostFingerprint UNKNOWN = new HostFingerprint("unknown", new TreeMap<>());

  private static final Pattern ENGINE =
      Pattern.compile("DJL\\s+(\\S+)\\s*/\\s*PyTorch\\s+(\\S+)", Pattern.CASE_INSENSITIVE);

  public HostFingerprint {
    components = Collections.unmodifiableSortedMap(new TreeMap<>(components));
  }

  /**
   * @param metadata the parsed {@code run-metadata.json}
   * @return its fingerprint; a missing field is the component {@code unknown}
   */
  public static HostFingerprint of(JsonNode metadata) {
    SortedMap<String, String> c = new TreeMap<>();
    JsonNode machine = metadata.path("machine");
    c.put("cpu_model", text(machine.path("cpu_model")));
    c.put("cpus", text(machine.path("cpus")));
    c.put("memory", text(machine.path("memory")));
    c.put("kernel", text(machine.path("os")));
    c.put("arch", text(machine.path("arch")));
    c.put("cpu_quota", machine.has("cpu_quota") ? text(machine.get("cpu_quota")) : "not recorded");
    c.put("jdk", text(metadata.path("jvm").path("vm")));
    String engine = text(metadata.path("engine"));
    Matcher m = ENGINE.matcher(engine);
    boolean parsed = m.find();
    c.put("djl", parsed ? m.group(1) : engine);
    c.put("pytorch", parsed ? m.group(2) : engine);
    StringBuilder allocator = new StringBuilder();
    JsonNode alloc = metadata.path("allocator");
    SortedMap<String, String> entries = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = alloc.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      entries.put(e.getKey(), text(e.getValue()));
    }
    entries.forEach(
        (k, v) ->
            allocator.append(allocator.length() == 0 ? "" : " ").append(k).append('=').append(v));
    c.put("allocator", alloc.isMissingNode() ? "unknown" : allocator.toString());
    return new HostFingerprint(digest(c), c);
  }

  /**
   * @return true for {@link #UNKNOWN}
   */
  public boolean isUnknown() {
    return components.isEmpty();
  }

  /**
   * @return one line for people, e.g. {@code AMD EPYC x2, 24683656 kB, Linux 6.18.44, OpenJDK ...,
   *     DJL 0.36.0 / PyTorch 2.7.1}, or {@code unknown host (no run-metadata.json)}
   */
  public String description() {
    if (isUnknown()) {
      return "unknown host (no run-metadata.json)";
    }
    return components.get("cpu_model")
        + " x"
        + components.get("cpus")
        + ", "
        + components.get("memory")
        + ", "
        + components.get("kernel")
        + ", "
        + components.get("jdk")
        + ", DJL "
        + components.get("djl")
        + " / PyTorch "
        + components.get("pytorch")
        + ", CPU quota "
        + components.get("cpu_quota");
  }

  private static String text(JsonNode node) {
    return node == null || node.isMissingNode() || node.isNull() ? "unknown" : node.asText();
  }

  private static String digest(SortedMap<String, String> components) {
    StringBuilder lines = new StringBuilder();
    components.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(lines.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
