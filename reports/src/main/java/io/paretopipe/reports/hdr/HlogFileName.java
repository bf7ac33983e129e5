package io.paretopipe.reports.hdr;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The hlog naming contract shared with the benchmarks: {@code
 * PartitionBenchmark.latency__batch=8__depth=4__
 * link=none__model=mobilenetv2__split=3__tail=spawn__transport=nio.hlog} (without the line break).
 * Stateless.
 */
public final class HlogFileName {
  /** File name extension, including the dot. */
  public static final String EXTENSION = ".hlog";

  private static final String SEPARATOR = "__";

  private HlogFileName() {}

  /**
   * @param simpleName {@code SimpleClassName.method}
   * @param params the benchmark params, any order (they are sorted by key)
   * @return the file name, e.g. {@code PartitionBenchmark.latency__split=3%3A9.hlog}
   */
  public static String of(String simpleName, Map<String, String> params) {
    StringBuilder name = new StringBuilder(simpleName);
    new TreeMap<>(params)
        .forEach((k, v) -> name.append(SEPARATOR).append(encode(k)).append('=').append(encode(v)));
    return name.append(EXTENSION).toString();
  }

  /**
   * @param fileName a file name that follows the contract
   * @return the params it encodes, sorted by key
   * @throws IllegalArgumentException when the name does not follow the contract
   */
  public static SortedMap<String, String> params(String fileName) {
    if (!fileName.endsWith(EXTENSION)) {
      throw new IllegalArgumentException(
          "hlog file name must end with " + EXTENSION + ": " + fileName);
    }
    String[] parts =
        fileName.substring(0, fileName.length() - EXTENSION.length()).split(SEPARATOR, -1);
    SortedMap<String, String> params = new TreeMap<>();
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "hlog file name part \"" + parts[i] + "\" is not key=value: " + fileName);
      }
      params.put(decode(parts[i].substring(0, eq)), decode(parts[i].substring(eq + 1)));
    }
    return params;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
