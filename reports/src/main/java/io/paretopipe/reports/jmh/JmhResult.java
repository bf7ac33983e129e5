package io.paretopipe.reports.jmh;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;

/**
 * One element of a JMH JSON result array: one benchmark method run with one parameter set.
 * Immutable.
 *
 * @param file the file it was read from (for error messages)
 * @param index its position (0-based) in that file's array
 * @param benchmark the fully qualified benchmark, e.g. {@code
 *     io.paretopipe.benchmarks.PartitionBenchmark.latency}
 * @param mode JMH's short mode name: {@code thrpt}, {@code avgt}, {@code sample}, {@code ss}
 * @param params the {@code @Param} values, sorted by name; empty when JMH wrote no {@code params}
 * @param primary the primary metric
 * @param secondary the secondary metrics by name (e.g. {@code "images"} from {@code @AuxCounters}),
 *     in file order
 * @param measurementSeconds the length of one measurement iteration from {@code measurementTime}
 *     (e.g. {@code "2 s"}), NaN when absent or not a time
 */
public record JmhResult(
    Path file,
    int index,
    String benchmark,
    String mode,
    SortedMap<String, String> params,
    JmhMetric primary,
    Map<String, JmhMetric> secondary,
    double measurementSeconds) {

  public JmhResult {
    params = Collections.unmodifiableSortedMap(params);
    secondary = Collections.unmodifiableMap(secondary);
  }

  /**
   * @return the class's simple name, e.g. {@code PartitionBenchmark}
   */
  public String className() {
    String withoutMethod = benchmark.substring(0, Math.max(0, benchmark.lastIndexOf('.')));
    return withoutMethod.substring(withoutMethod.lastIndexOf('.') + 1);
  }

  /**
   * @return the method name, e.g. {@code latency}
   */
  public String method() {
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }

  /**
   * @return {@code SimpleClass.method}, the prefix of this result's hlog file name
   */
  public String simpleName() {
    return className() + "." + method();
  }

  /**
   * @return a readable one-line label, e.g. {@code PartitionBenchmark.latency [batch=8, split=3]}
   */
  public String label() {
    return params.isEmpty() ? simpleName() : simpleName() + " " + params;
  }
}
