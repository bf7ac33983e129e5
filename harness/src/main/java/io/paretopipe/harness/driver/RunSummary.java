package io.paretopipe.harness.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.format.Phase;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The figures of one measured run, in milliseconds and images per second. Its JSON form ({@link
 * #toJson()}) is the stable {@code run --json} interface documented in {@code docs/CLI.md}.
 *
 * <p>{@code overhead} holds each request's end-to-end minus head and stage compute, in nanoseconds
 * ({@link RequestTiming#overheadNanos()}).
 */
public record RunSummary(
    Map<String, String> config,
    long requests,
    int batch,
    double wallSeconds,
    Histogram e2e,
    Map<Phase, Double> phaseMeansMs,
    long bytesPerRequest,
    Histogram overhead) {

  private static final double NS_PER_MS = 1e6;

  /** Summarises what {@code recorder} holds for a run that took {@code wallSeconds}. */
  public static RunSummary of(
      Map<String, String> config,
      PhaseRecorder recorder,
      int batch,
      double wallSeconds,
      long bytesPerRequest) {
    Map<Phase, Double> means = new java.util.EnumMap<>(Phase.class);
    for (Phase p : Phase.values()) {
      means.put(p, recorder.total(p).getMean() / NS_PER_MS);
    }
    return new RunSummary(
        config,
        recorder.count(),
        batch,
        wallSeconds,
        recorder.total(Phase.E2E),
        means,
        bytesPerRequest,
        recorder.overhead());
  }

  public double percentileMs(double percentile) {
    return e2e.getValueAtPercentile(percentile) / NS_PER_MS;
  }

  public double throughputImagesPerSecond() {
    return wallSeconds <= 0 ? 0 : requests * batch / wallSeconds;
  }

  /** Mean end-to-end minus mean head and tail compute: what the harness and the link cost. */
  public double overheadMs() {
    return e2e.getMean() / NS_PER_MS
        - phaseMeansMs.get(Phase.HEAD_COMPUTE)
        - phaseMeansMs.get(Phase.TAIL_COMPUTE);
  }

  /**
   * The median of the per-request overhead in milliseconds with its distribution-free 95% interval
   * {@code [low, high]} (order statistics whose ranks a Binomial(n, 1/2) gives; HdrHistogram's 3
   * digits resolve them). {@code low} and {@code high} are {@code NaN} when fewer than 6 requests
   * cannot support a 95% interval; all three are {@code NaN} when nothing was recorded.
   */
  public double[] overheadMedianMs() {
    long n = overhead.getTotalCount();
    if (n == 0) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN};
    }
    double median = overhead.getValueAtPercentile(50) / NS_PER_MS;
    long rank = 0;
    while (rank + 1 <= n / 2 && EarlyStopping.binomialCdf(n, 0.5, rank) <= 0.025) {
      rank++;
    }
    if (rank == 0) {
      return new double[] {median, Double.NaN, Double.NaN};
    }
    double low = overhead.getValueAtPercentile(100.0 * rank / n) / NS_PER_MS;
    double high = overhead.getValueAtPercentile(100.0 * (n + 1 - rank) / n) / NS_PER_MS;
    return new double[] {median, low, high};
  }

  public ObjectNode toJson() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    config.forEach(root::put);
    root.put("requests", requests);
    ObjectNode latency = root.putObject("latency_ms");
    latency.put("mean", e2e.getMean() / NS_PER_MS);
    latency.put("p50", percentileMs(50));
    latency.put("p90", percentileMs(90));
    latency.put("p99", percentileMs(99));
    latency.put("p999", percentileMs(99.9));
    latency.put("max", e2e.getMaxValue() / NS_PER_MS);
    root.put("throughput_img_s", throughputImagesPerSecond());
    ObjectNode phases = root.putObject("phases_ms");
    for (Phase p : Phase.values()) {
      if (p != Phase.E2E) {
        phases.put(p.tag(), phaseMeansMs.get(p));
      }
    }
    root.put("overhead_ms", overheadMs());
    double[] median = overheadMedianMs();
    ObjectNode perRequest = root.putObject("overhead_per_request_ms");
    perRequest.put("count", overhead.getTotalCount());
    putOrNull(perRequest, "p50", median[0]);
    putOrNull(perRequest, "p50_low", median[1]);
    putOrNull(perRequest, "p50_high", median[2]);
    putOrNull(
        perRequest,
        "p90",
        overhead.getTotalCount() == 0 ? Double.NaN : overhead.getValueAtPercentile(90) / NS_PER_MS);
    putOrNull(
        perRequest,
        "mean",
        overhead.getTotalCount() == 0 ? Double.NaN : overhead.getMean() / NS_PER_MS);
    root.put("bytes_per_request", bytesPerRequest);
    return root;
  }

  private static void putOrNull(ObjectNode node, String key, double value) {
    if (Double.isNaN(value)) {
      node.putNull(key);
    } else {
      node.put(key, value);
    }
  }

  /** The human-readable form. */
  public String toText() {
    StringBuilder b = new StringBuilder();
    config.forEach((k, v) -> b.append(String.format(Locale.ROOT, "%-18s %s%n", k, v)));
    b.append(String.format(Locale.ROOT, "%-18s %d (batch %d)%n", "requests", requests, batch));
    b.append(
        String.format(
            Locale.ROOT,
            "latency ms         mean %.2f  p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
            e2e.getMean() / NS_PER_MS,
            percentileMs(50),
            percentileMs(90),
            percentileMs(99),
            percentileMs(99.9),
            e2e.getMaxValue() / NS_PER_MS));
    b.append(
        String.format(
            Locale.ROOT, "throughput         %.1f images/s%n", throughputImagesPerSecond()));
    b.append("phases (mean ms)  ");
    for (Phase p : Phase.values()) {
      if (p != Phase.E2E) {
        b.append(String.format(Locale.ROOT, " %s %.2f", p.tag(), phaseMeansMs.get(p)));
      }
    }
    b.append(System.lineSeparator());
    b.append(
        String.format(
            Locale.ROOT,
            "overhead           %.2f ms (end-to-end minus head and tail compute)%n",
            overheadMs()));
    double[] median = overheadMedianMs();
    b.append(
        String.format(
            Locale.ROOT,
            "overhead per req.  median %.2f ms, 95%% interval %s (n %d)%n",
            median[0],
            Double.isNaN(median[1])
                ? "unsupported (too few requests)"
                : String.format(Locale.ROOT, "[%.2f, %.2f]", median[1], median[2]),
            overhead.getTotalCount()));
    b.append(String.format(Locale.ROOT, "bytes per request  %,d%n", bytesPerRequest));
    return b.toString();
  }
}
