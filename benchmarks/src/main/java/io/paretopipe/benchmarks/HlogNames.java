package io.paretopipe.benchmarks;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * File names of the HdrHistogram logs, as the reports post-processor matches them to JMH results
 * ({@code docs/REPORTS.md}, "hlog naming contract"): {@code
 * <BenchmarkSimpleName>.<method>__<k1>=<v1>__<k2>=<v2>....hlog}, every param of the result, sorted
 * by key, keys and values percent-encoded with {@link URLEncoder} (UTF-8), e.g. {@code
 * PartitionBenchmark.latency__batch=8__depth=4__link=none__model=mobilenetv2__split=3%3A9__tail=spawn__transport=nio.hlog}.
 */
public final class HlogNames {

  /** System property naming the folder the benchmarks write {@code .hlog} files to. */
  public static final String DIR_PROPERTY = "paretopipe.hlog.dir";

  /**
   * Default folder, relative to the working directory: beside {@code -rff r.json} written there.
   */
  public static final String DEFAULT_DIR = "hlog";

  private HlogNames() {}

  /**
   * @param benchmark JMH's full benchmark name, e.g. {@code
   *     io.paretopipe.benchmarks.PartitionBenchmark.latency}
   * @param params every param of the result
   */
  public static String fileName(String benchmark, Map<String, String> params) {
    String[] parts = benchmark.split("\\.");
    if (parts.length < 2) {
      throw new IllegalArgumentException("benchmark '" + benchmark + "' is not CLASS.METHOD");
    }
    StringBuilder b =
        new StringBuilder(parts[parts.length - 2]).append('.').append(parts[parts.length - 1]);
    for (Map.Entry<String, String> e : new TreeMap<>(params).entrySet()) {
      b.append("__").append(encode(e.getKey())).append('=').append(encode(e.getValue()));
    }
    return b.append(".hlog").toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
