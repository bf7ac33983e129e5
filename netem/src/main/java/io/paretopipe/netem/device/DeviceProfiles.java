package io.paretopipe.netem.device;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads named {@link DeviceProfile}s from a file of {@code NAME.FIELD=VALUE} lines.
 *
 * <h2>Format</h2>
 *
 * <pre>
 * # comment lines start with '#'; blank lines are ignored
 * pi4.cpus=0                 # required: CPUs as in taskset -c ("0", "1-3", "0,2-3")
 * pi4.threads=1              # required: compute threads, >= 1
 * pi4.cpuQuotaPercent=25     # optional: CPU cap in percent of ONE CPU (omit for no cap)
 * </pre>
 *
 * Names are lower-case letters, digits and '-'. Unknown fields, duplicates, missing required fields
 * and bad values are errors that name the source and line. The built-in set is {@code
 * device-profiles.properties} on the class path of this module; see docs/NETEM.md for the values.
 * Immutable once loaded; thread-safe.
 */
public final class DeviceProfiles {

  /** The class-path resource with the built-in profiles. */
  public static final String BUILT_IN_RESOURCE = "/device-profiles.properties";

  private static final Set<String> FIELDS = Set.of("cpus", "threads", "cpuQuotaPercent");

  private final Map<String, DeviceProfile> profiles;
  private final String source;

  private DeviceProfiles(Map<String, DeviceProfile> profiles, String source) {
    this.profiles = profiles;
    this.source = source;
  }

  /** The built-in profiles. */
  public static DeviceProfiles builtIn() {
    try (InputStream in = DeviceProfiles.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + BUILT_IN_RESOURCE + " is missing from the class path");
      }
      return parse(
          new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + BUILT_IN_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The environment variable naming a profiles file that adds to (and may override) the built-ins.
   */
  public static final String FILE_ENV = "PARETOPIPE_DEVICE_PROFILES";

  /**
   * The profiles a run uses: the built-ins, plus those of the file named by {@code file}, or when
   * that is null by the environment variable {@value #FILE_ENV}; a file's profile replaces a
   * built-in of the same name.
   *
   * @throws UncheckedIOException naming the file if it cannot be read
   * @throws IllegalArgumentException naming the file and line of a bad entry
   */
  public static DeviceProfiles standard(Path file) {
    DeviceProfiles builtIn = builtIn();
    Path extra = file;
    if (extra == null) {
      String env = System.getenv(FILE_ENV);
      extra = env == null || env.isBlank() ? null : Path.of(env);
    }
    if (extra == null) {
      return builtIn;
    }
    DeviceProfiles user = load(extra);
    Map<String, DeviceProfile> merged = new java.util.LinkedHashMap<>(builtIn.profiles);
    merged.putAll(user.profiles);
    return new DeviceProfiles(
        java.util.Collections.unmodifiableMap(merged), builtIn.source + " and " + user.source);
  }

  /** Profiles from a file in the documented format. */
  public static DeviceProfiles load(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read device profiles " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Parses {@code text} in the documented format.
   *
   * @param source names the text in error messages (a path or resource)
   * @throws IllegalArgumentException naming the source, the line and what is valid
   */
  public static DeviceProfiles parse(String text, String source) {
    Map<String, Map<String, String>> fields = new LinkedHashMap<>();
    Map<String, Integer> firstLine = new LinkedHashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNumber = i + 1;
      String line = lines[i].strip();
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash).strip();
      }
      if (line.isEmpty()) {
        continue;
      }
      String where = source + ":" + lineNumber + ": ";
      int eq = line.indexOf('=');
      int dot = line.lastIndexOf('.', eq < 0 ? line.length() : eq);
      if (eq < 0 || dot <= 0) {
        throw new IllegalArgumentException(
            where
                + "'"
                + line
                + "' is not NAME.FIELD=VALUE (fields: "
                + String.join(", ", List.of("cpus", "threads", "cpuQuotaPercent"))
                + ")");
      }
      String name = line.substring(0, dot).strip();
      String field = line.substring(dot + 1, eq).strip();
      String value = line.substring(eq + 1).strip();
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException(
            where
                + "unknown field '"
                + field
                + "' of profile '"
                + name
                + "'; valid fields are cpus, threads, cpuQuotaPercent");
      }
      Map<String, String> profile = fields.computeIfAbsent(name, n -> new LinkedHashMap<>());
      firstLine.putIfAbsent(name, lineNumber);
      if (profile.put(field, value) != null) {
        throw new IllegalArgumentException(
            where + "profile '" + name + "' sets '" + field + "' twice");
      }
    }
    Map<String, DeviceProfile> profiles = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, String>> entry : fields.entrySet()) {
      String name = entry.getKey();
      Map<String, String> f = entry.getValue();
      String where = source + ":" + firstLine.get(name) + ": ";
      for (String required : List.of("cpus", "threads")) {
        if (!f.containsKey(required)) {
          throw new IllegalArgumentException(
              where
                  + "profile '"
                  + name
                  + "' lacks '"
                  + name
                  + "."
                  + required
                  + "' (required fields: cpus, threads)");
        }
      }
      try {
        int threads = parseInt(f.get("threads"), "threads");
        Integer quota =
            f.containsKey("cpuQuotaPercent")
                ? parseInt(f.get("cpuQuotaPercent"), "cpuQuotaPercent")
                : null;
        profiles.put(name, new DeviceProfile(name, f.get("cpus"), threads, quota));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + e.getMessage(), e);
      }
    }
    return new DeviceProfiles(Map.copyOf(profiles), source);
  }

  private static int parseInt(String value, String field) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " '" + value + "' is not a whole number", e);
    }
  }

  /** The profile names, sorted. */
  public List<String> names() {
    return profiles.keySet().stream().sorted().toList();
  }

  /**
   * The named profile.
   *
   * @throws IllegalArgumentException naming the unknown profile and listing the valid ones
   */
  public DeviceProfile get(String name) {
    DeviceProfile profile = profiles.get(name);
    if (profile == null) {
      throw new IllegalArgumentException(
          "unknown device profile '"
              + name
              + "' in "
              + source
              + ": valid profiles are "
              + String.join(", ", names()));
    }
    return profile;
  }

  /** All profiles by name. */
  public Map<String, DeviceProfile> asMap() {
    return profiles;
  }
}
