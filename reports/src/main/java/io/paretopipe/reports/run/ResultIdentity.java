package io.paretopipe.reports.run;

import io.paretopipe.reports.jmh.JmhResult;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What identifies a measurement across files, forks, passes and runs: the benchmark method, the
 * mode and every param except {@code tail} (and the closed-loop defaults of {@link #SCENARIO}, and
 * {@link #GRPC_TUNING} where it changes nothing). {@code tail} names where a stage server was
 * reached ({@code spawn}, or the {@code HOST:PORT} of a shared server, whose port is ephemeral),
 * not what was measured, so it never identifies a point, a group, a comparison or an hlog; it is
 * kept only as information. Stateless.
 */
public final class ResultIdentity {
  /** The param that never identifies a measurement. */
  public static final String TAIL = "tail";

  /**
   * PartitionBenchmark's scenario param. At its default ({@code closed}, with {@code rate} and
   * {@code slo} at {@code none}) the three identify nothing, so results from before the params
   * existed and after pool together and match the same hlogs.
   */
  public static final String SCENARIO = "scenario";

  private static final String CLOSED_SCENARIO = "closed";

  /**
   * PartitionBenchmark's grpc tuning param. It identifies a grpc point when it is not {@value
   * #DEFAULT_GRPC_TUNING}, and nothing otherwise: at the default, grpc results from before the
   * param existed and after pool together; over another transport it changes nothing (the trial
   * ignores it).
   */
  public static final String GRPC_TUNING = "grpcTuning";

  /** {@link #GRPC_TUNING}'s default, grpc-java's own settings. */
  public static final String DEFAULT_GRPC_TUNING = "default";

  private ResultIdentity() {}

  /**
   * @param params a result's params
   * @return them without {@code tail} and the params that identify nothing, sorted by key
   */
  public static SortedMap<String, String> params(Map<String, String> params) {
    SortedMap<String, String> identity = new TreeMap<>(params);
    identity.remove(TAIL);
    if (CLOSED_SCENARIO.equals(identity.get(SCENARIO))) {
      identity.remove(SCENARIO);
      identity.remove("rate", "none");
      identity.remove("slo", "none");
    }
    if (DEFAULT_GRPC_TUNING.equals(identity.get(GRPC_TUNING))
        || !"grpc".equals(identity.get("transport"))) {
      identity.remove(GRPC_TUNING);
    }
    return identity;
  }

  /**
   * Whether {@code params} are of an open-loop Server-scenario trial ({@code scenario=server}): its
   * JMH score is the release rate and its latencies are in its {@code .server.json}, so it is no
   * closed-loop point.
   */
  public static boolean openLoop(Map<String, String> params) {
    String s = params.get(SCENARIO);
    return s != null && !s.equals(CLOSED_SCENARIO);
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
