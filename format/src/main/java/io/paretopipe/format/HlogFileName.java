package io.paretopipe.format;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The names of the HdrHistogram logs a benchmark writes and the reports match to its JMH results
 * ({@code docs/REPORTS.md}, "hlog naming contract"): {@code
 * <BenchmarkSimpleName>.<method>__<k1>=<v1>__<k2>=<v2>....hlog}, every param of the result sorted
 * by key, keys and values percent-encoded with {@link URLEncoder} (UTF-8), e.g. {@code
 * PartitionBenchmark.latency__batch=8__depth=4__link=none__model=mobilenetv2__split=3%3A9__tail=spawn__transport=nio.hlog}.
 * Stateless.
 */
public final class HlogFileName {
  /** File name extension, including the dot. */
  public static final String EXTENSION = ".hlog";

  /**
   * What every metadata comment line of an hlog starts with, after HdrHistogram's {@code #}: {@code
   * #paretopipe.KEY=VALUE}.
   */
  public static final String COMMENT_PREFIX = "paretopipe.";

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
   * The file name of a JMH result.
   *
   * @param benchmark JMH's full benchmark name, e.g. {@code
   *     io.paretopipe.benchmarks.PartitionBenchmark.latency}
   * @param params every param of the result
   * @throws IllegalArgumentException if {@code benchmark} is not {@code CLASS.METHOD}
   */
  public static String ofBenchmark(String benchmark, Map<String, String> params) {
    String[] parts = benchmark.split("\\.");
    if (parts.length < 2) {
      throw new IllegalArgumentException("benchmark '" + benchmark + "' is not CLASS.METHOD");
    }
    return of(parts[parts.length - 2] + "." + parts[parts.length - 1], params);
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
