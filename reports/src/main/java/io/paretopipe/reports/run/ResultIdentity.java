package io.paretopipe.reports.run;

import io.paretopipe.reports.jmh.JmhResult;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What identifies a measurement across files, forks, passes and runs: the benchmark method, the
 * mode and every param except {@code tail}. {@code tail} names where a stage server was reached
 * ({@code spawn}, or the {@code HOST:PORT} of a shared server, whose port is ephemeral), not what
 * was measured, so it never identifies a point, a group, a comparison or an hlog; it is kept only
 * as information. Stateless.
 */
public final class ResultIdentity {
  /** The param that never identifies a measurement. */
  public static final String TAIL = "tail";

  private ResultIdentity() {}

  /**
   * @param params a result's params
   * @return them without {@code tail}, sorted by key
   */
  public static SortedMap<String, String> params(Map<String, String> params) {
    SortedMap<String, String> identity = new TreeMap<>(params);
    identity.remove(TAIL);
    return identity;
  }

  /**
   * @return e.g. {@code PartitionBenchmark.latency sample {batch=8, split=3}}: results with the
   *     same key measure the same thing and are pooled
   */
  public static String key(JmhResult r) {
    return r.simpleName() + " " + r.mode() + " " + params(r.params());
  }

  /**
   * @param simpleName {@code SimpleClass.method}
   * @param params the params (e.g. decoded from an hlog file name)
   * @return the key an hlog of those params is matched to results by (no mode: hlog names have
   *     none)
   */
  public static String hlogKey(String simpleName, Map<String, String> params) {
    return simpleName + " " + params(params);
  }
}
