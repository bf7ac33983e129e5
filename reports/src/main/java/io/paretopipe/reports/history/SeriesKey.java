package io.paretopipe.reports.history;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One series: one figure of one point on one host fingerprint, one value per run.
 *
 * @param benchmark e.g. {@code PartitionBenchmark}
 * @param identity the point's identifying params ({@link PointRecord#identity()})
 * @param figure e.g. {@code latency_mean_ms}
 * @param hostId the host fingerprint
 */
public record SeriesKey(String benchmark, String identity, String figure, String hostId)
    implements Comparable<SeriesKey> {

  private static final List<String> LEADING =
      List.of("model", "transport", "link", "batch", "split", "depth");

  private static final Comparator<SeriesKey> ORDER =
      Comparator.comparing(SeriesKey::hostId)
          .thenComparing(SeriesKey::benchmark)
          .thenComparing(k -> k.params().getOrDefault("model", ""))
          .thenComparing(k -> k.params().getOrDefault("transport", ""))
          .thenComparing(k -> k.params().getOrDefault("link", ""))
          .thenComparing(SeriesKey::identity, (a, b) -> a.equals(b) ? 0 : splitThenText(a, b))
          .thenComparing(SeriesKey::figure);

  public SeriesKey {
    Objects.requireNonNull(benchmark, "benchmark");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(figure, "figure");
    Objects.requireNonNull(hostId, "hostId");
  }

  /**
   * @return the identity's params, in the order of the identity
   */
  public Map<String, String> params() {
    return parse(identity);
  }

  /**
   * @return the point for people: the benchmark, then model, transport, link, batch, split, depth,
   *     then the other params, e.g. {@code PartitionBenchmark model=mobilenetv2 transport=nio
   *     link=none batch=8 split=4 depth=4 headCpus=0}
   */
  public String pointLabel() {
    Map<String, String> params = params();
    StringBuilder b = new StringBuilder(benchmark);
    for (String k : LEADING) {
      if (params.containsKey(k)) {
        b.append(' ').append(k).append('=').append(params.get(k));
      }
    }
    params.forEach(
        (k, v) -> {
          if (!LEADING.contains(k)) {
            b.append(' ').append(k).append('=').append(v);
          }
        });
    return b.toString();
  }

  @Override
  public int compareTo(SeriesKey other) {
    return ORDER.compare(this, other);
  }

  static Map<String, String> parse(String identity) {
    return PointRecord.parseIdentity(identity);
  }

  private static int splitThenText(String a, String b) {
    int c =
        io.paretopipe.reports.model.SplitOrder.INSTANCE.compare(
            parse(a).getOrDefault("split", ""), parse(b).getOrDefault("split", ""));
    return c != 0 ? c : a.compareTo(b);
  }
}
