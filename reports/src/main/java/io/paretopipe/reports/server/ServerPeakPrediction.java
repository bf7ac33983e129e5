package io.paretopipe.reports.server;

import io.paretopipe.format.NetworkCondition;

/**
 * The peak rate a split should sustain within a latency SLO, predicted from its bottleneck stage:
 * the pipeline is treated as an M/G/1 queue in front of its slowest stage (M/D/1 where the service
 * time's spread was not measured), with service time {@code S} the largest of the head's work
 * ({@code head_compute + encode}), the tail's ({@code tail_compute}) and the link's serialisation
 * of one request ({@code bytes x 8 / rate}), and {@code L0} the latency of a request alone ({@code
 * e2e} sent one at a time). At utilisation {@code rho} the waiting time's tail is taken as the
 * heavy-traffic exponential {@code P(W > t) = rho exp(-2 (1 - rho) t / (rho S (1 + cs^2)))}
 * (Kingman; its mean {@code rho S (1 + cs^2) / (2 (1 - rho))} is Pollaczek-Khinchine's), {@code
 * cs^2} the squared coefficient of variation of the service time ({@link ServiceTimeSpread}; 0 for
 * M/D/1). So the {@code p}-th percentile of the wait is {@code rho S (1 + cs^2) / (2 (1 - rho))
 * ln(rho / (1 - p))} (0 when {@code rho <= 1 - p}). The predicted peak is {@code rho* / S} for the
 * largest {@code rho*} with {@code L0 + W_p(rho*) <= bound}; NaN when even a request alone misses
 * the bound. Stateless.
 */
public final class ServerPeakPrediction {

  /** The model label of a prediction with a measured service-time spread. */
  public static final String MG1 = "M/G/1";

  /** The model label of a prediction without one (deterministic service). */
  public static final String MD1 = "M/D/1";

  /**
   * @param bottleneckMs service time of the slowest stage
   * @param bottleneck which stage: {@code head}, {@code tail} or {@code link}
   * @param aloneMs latency of a request alone
   * @param peakPerS the predicted peak (NaN: the SLO cannot be met)
   * @param serviceCv2 the bottleneck's measured {@code cs^2}; NaN when not recorded (M/D/1)
   */
  public record Prediction(
      double bottleneckMs, String bottleneck, double aloneMs, double peakPerS, double serviceCv2) {

    /**
     * @return {@link #MG1} with a measured {@code cs^2}, else {@link #MD1}
     */
    public String model() {
      return modelOf(serviceCv2);
    }
  }

  /**
   * @param serviceCv2 a measured {@code cs^2}, or NaN
   * @return {@link #MG1} when it is known, else {@link #MD1}
   */
  public static String modelOf(double serviceCv2) {
    return Double.isFinite(serviceCv2) ? MG1 : MD1;
  }

  private ServerPeakPrediction() {}

  /**
   * Predicts {@code point}'s peak under {@code percentile} / {@code boundMs} as M/D/1; bottleneck
   * {@code unknown} and NaN when the file has no phases of requests sent alone.
   */
  public static Prediction of(ServerScenarioFile.Point point, double percentile, double boundMs) {
    return of(point, percentile, boundMs, ServiceTimeSpread.NONE);
  }

  /**
   * Predicts {@code point}'s peak under {@code percentile} / {@code boundMs}, as M/G/1 with the
   * {@code cs^2} {@code spread} holds for its busiest stage, else as M/D/1; bottleneck {@code
   * unknown} and NaN when the file has no phases of requests sent alone.
   */
  public static Prediction of(
      ServerScenarioFile.Point point, double percentile, double boundMs, ServiceTimeSpread spread) {
    if (point.closedLoopMs().isEmpty()) {
      return new Prediction(Double.NaN, "unknown", Double.NaN, Double.NaN, Double.NaN);
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
    double cv2 =
        which.equals("link") ? Double.NaN : spread.cv2(point.transport(), point.split(), which);
    return new Prediction(
        s, which, alone, peak(s, alone, percentile, boundMs, Double.isFinite(cv2) ? cv2 : 0), cv2);
  }

  /**
   * The M/D/1 peak: {@link #peak(double, double, double, double, double)} with {@code cs^2 = 0}.
   *
   * @param serviceMs bottleneck service time, > 0
   * @param aloneMs latency of a request alone
   * @param percentile e.g. 99
   * @return the highest rate per second whose predicted percentile is within {@code boundMs}
   */
  public static double peak(double serviceMs, double aloneMs, double percentile, double boundMs) {
    return peak(serviceMs, aloneMs, percentile, boundMs, 0);
  }

  /**
   * The M/G/1 peak.
   *
   * @param serviceMs bottleneck mean service time, > 0
   * @param aloneMs latency of a request alone
   * @param percentile e.g. 99
   * @param serviceCv2 the service time's squared coefficient of variation, >= 0 (0: M/D/1, 1:
   *     M/M/1)
   * @return the highest rate per second whose predicted percentile is within {@code boundMs}; NaN
   *     when a request alone misses it
   * @throws IllegalArgumentException when {@code serviceCv2} is negative or not finite
   */
  public static double peak(
      double serviceMs, double aloneMs, double percentile, double boundMs, double serviceCv2) {
    if (!(serviceCv2 >= 0) || Double.isInfinite(serviceCv2)) {
      throw new IllegalArgumentException("cs^2 " + serviceCv2 + " (expected: finite, >= 0)");
    }
    if (!(serviceMs > 0) || !(aloneMs <= boundMs)) {
      return Double.NaN;
    }
    double lo = 0;
    double hi = 1;
    for (int i = 0; i < 60; i++) {
      double rho = (lo + hi) / 2;
      if (aloneMs + waitPercentileMs(rho, serviceMs, percentile, serviceCv2) <= boundMs) {
        lo = rho;
      } else {
        hi = rho;
      }
    }
    return lo / serviceMs * 1e3;
  }

  /** The heavy-traffic M/D/1 waiting-time percentile at utilisation {@code rho} in [0, 1). */
  static double waitPercentileMs(double rho, double serviceMs, double percentile) {
    return waitPercentileMs(rho, serviceMs, percentile, 0);
  }

  /**
   * The heavy-traffic M/G/1 waiting-time percentile at utilisation {@code rho} in [0, 1), service
   * time {@code cs^2} = {@code serviceCv2}.
   */
  static double waitPercentileMs(
      double rho, double serviceMs, double percentile, double serviceCv2) {
    double tail = 1 - percentile / 100;
    if (rho <= tail) {
      return 0;
    }
    return rho * serviceMs * (1 + serviceCv2) / (2 * (1 - rho)) * Math.log(rho / tail);
  }
}
