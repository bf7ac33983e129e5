package io.paretopipe.reports.history;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One partition point of one run, as the history stores it. Its identity is the benchmark and the
 * params that define the setup (model, transport, link, batch, split, depth and the placement and
 * device params of the variant), never what is ephemeral: the {@code tail} param (a stage server's
 * address such as {@code 127.0.0.1:33333}, or {@code spawn}) is left out, so the same setup matches
 * across runs whatever port its stage server had. Immutable.
 *
 * @param benchmark the benchmark's simple class name, e.g. {@code PartitionBenchmark}
 * @param params the identifying params, sorted by key
 * @param frontierClass {@code frontier}, {@code possible} or {@code dominated}, or null when
 *     unknown
 * @param frontierProbability the probability of being on the frontier in 0..1, NaN when the run
 *     does not give one
 * @param converged whether the point's measurement converged, or null when the run does not say
 * @param figures its figures, in a fixed order
 */
public record PointRecord(
    String benchmark,
    SortedMap<String, String> params,
    String frontierClass,
    double frontierProbability,
    Boolean converged,
    List<FigureValue> figures) {

  /** Params that never identify a point: they change from run to run for the same setup. */
  public static final List<String> EPHEMERAL_PARAMS = List.of("tail");

  /** Frontier classes from best to worst. */
  public static final List<String> FRONTIER_CLASSES = List.of("frontier", "possible", "dominated");

  public PointRecord {
    Objects.requireNonNull(benchmark, "benchmark");
    params = Collections.unmodifiableSortedMap(new TreeMap<>(params));
    for (String ephemeral : EPHEMERAL_PARAMS) {
      if (params.containsKey(ephemeral)) {
        throw new IllegalArgumentException(
            "params: holds the ephemeral param \"" + ephemeral + "\" (expected: left out)");
      }
    }
    if (frontierClass != null && !FRONTIER_CLASSES.contains(frontierClass)) {
      throw new IllegalArgumentException(
          "frontierClass: \"" + frontierClass + "\" (expected: one of " + FRONTIER_CLASSES + ")");
    }
    figures = List.copyOf(figures);
  }

  /**
   * @param params every param of a result
   * @return the params without the {@link #EPHEMERAL_PARAMS}
   */
  public static SortedMap<String, String> identifying(Map<String, String> params) {
    SortedMap<String, String> kept = new TreeMap<>(params);
    EPHEMERAL_PARAMS.forEach(kept::remove);
    return kept;
  }

  /**
   * @return the point's identity: the params as {@code k=v} joined by spaces, sorted by key
   */
  public String identity() {
    return identity(params);
  }

  /**
   * @param params identifying params
   * @return them as {@code k=v} joined by spaces, sorted by key, e.g. {@code batch=8 depth=4
   *     link=none model=mobilenetv2 split=4 transport=nio}; a {@code %} or space in a key or value
   *     is written {@code %25} or {@code %20}
   */
  public static String identity(Map<String, String> params) {
    StringBuilder b = new StringBuilder();
    new TreeMap<>(params)
        .forEach(
            (k, v) ->
                b.append(b.length() == 0 ? "" : " ")
                    .append(escape(k))
                    .append('=')
                    .append(escape(v)));
    return b.toString();
  }

  /**
   * @param identity an {@link #identity(Map)}
   * @return its params, in its order
   */
  public static Map<String, String> parseIdentity(String identity) {
    Map<String, String> params = new java.util.LinkedHashMap<>();
    for (String kv : identity.split(" ")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        params.put(unescape(kv.substring(0, eq)), unescape(kv.substring(eq + 1)));
      }
    }
    return params;
  }

  private static String escape(String text) {
    return text.replace("%", "%25").replace(" ", "%20");
  }

  private static String unescape(String text) {
    return text.replace("%20", " ").replace("%25", "%");
  }

  /**
   * @param frontierClass a class name or null
   * @return 2 for {@code frontier}, 1 for {@code possible}, 0 for {@code dominated}, -1 for null
   */
  public static int frontierRank(String frontierClass) {
    return frontierClass == null ? -1 : 2 - FRONTIER_CLASSES.indexOf(frontierClass);
  }
}
