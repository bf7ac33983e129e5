package io.paretopipe.reports.server;

import io.paretopipe.format.NetworkCondition;

/**
 * The peak rate a split should sustain within a latency SLO, predicted from its bottleneck stage:
 * the pipeline is treated as an M/D/1 queue in front of its slowest stage, with service time {@code
 * S} the largest of the head's work ({@code head_compute + encode}), the tail's ({@code
 * tail_compute}) and the link's serialisation of one request ({@code bytes x 8 / rate}), and {@code
 * L0} the latency of a request alone ({@code e2e} sent one at a time). At utilisation {@code rho}
 * the waiting time's tail is taken as the heavy-traffic exponential {@code P(W > t) = rho exp(-2 (1
 * - rho) t / (rho S))} (Kingman, exact in its mean for M/D/1), so the {@code p}-th percentile of
 * the wait is {@code rho S / (2 (1 - rho)) ln(rho / (1 - p))} (0 when {@code rho <= 1 - p}). The
 * predicted peak is {@code rho* / S} for the largest {@code rho*} with {@code L0 + W_p(rho*) <=
 * bound}; NaN when even a request alone misses the bound. Stateless.
 */
public final class ServerPeakPrediction {

  /**
   * @param bottleneckMs service time of the slowest stage
   * @param bottleneck which stage: {@code head}, {@code tail} or {@code link}
   * @param aloneMs latency of a request alone
   * @param peakPerS the predicted peak (NaN: the SLO cannot be met)
   */
  public record Prediction(
      double bottleneckMs, String bottleneck, double aloneMs, double peakPerS) {}

  private ServerPeakPrediction() {}

  /**
   * Predicts {@code point}'s peak under {@code percentile} / {@code boundMs}; bottleneck {@code
   * unknown} and NaN when the file has no phases of requests sent alone.
   */
  public static Prediction of(ServerScenarioFile.Point point, double percentile, double boundMs) {
    if (point.closedLoopMs().isEmpty()) {
      return new Prediction(Double.NaN, "unknown", Double.NaN, Double.NaN);
    }
    double head =
        point.closedLoopMs().getOrDefault("head_compute", 0.0)
            + point.closedLoopMs().getOrDefault("encode", 0.0);
    double tail = point.closedLoopMs().getOrDefault("tail_compute", 0.0);
    double link = 0;
    NetworkCondition condition;
    try {
      condition = NetworkCondition.parse(point.link());
      if (condition.rateBitsPerSecond() > 0) {
        link = point.bytesPerRequest() * 8e3 / condition.rateBitsPerSecond();
      }
    } catch (IllegalArgumentException e) {
      link = 0;
    }
    double s = Math.max(head, Math.max(tail, link));
    String which = s == head ? "head" : s == tail ? "tail" : "link";
    double alone = point.closedLoopMs().getOrDefault("e2e", Double.NaN);
    return new Prediction(s, which, alone, peak(s, alone, percentile, boundMs));
  }

  /**
   * @param serviceMs bottleneck service time, > 0
   * @param aloneMs latency of a request alone
   * @param percentile e.g. 99
   * @return the highest rate per second whose predicted percentile is within {@code boundMs}
   */
  public static double peak(double serviceMs, double aloneMs, double percentile, double boundMs) {
    if (!(serviceMs > 0) || !(aloneMs <= boundMs)) {
      return Double.NaN;
    }
    double lo = 0;
    double hi = 1;
    for (int i = 0; i < 60; i++) {
      double rho = (lo + hi) / 2;
      if (aloneMs + waitPercentileMs(rho, serviceMs, percentile) <= boundMs) {
        lo = rho;
      } else {
        hi = rho;
      }
    }
    return lo / serviceMs * 1e3;
  }

  /** The heavy-traffic M/D/1 waiting-time percentile at utilisation {@code rho} in [0, 1). */
  static double waitPercentileMs(double rho, double serviceMs, double percentile) {
    double tail = 1 - percentile / 100;
    if (rho <= tail) {
      return 0;
    }
    return rho * serviceMs / (2 * (1 - rho)) * Math.log(rho / tail);
  }
}
