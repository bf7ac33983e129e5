package io.paretopipe.harness.driver;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The queueing prediction for one FIFO single server (M/G/1 when arrivals are Poisson; M/D/1 when
 * service times are equal), computed along a sample path by Lindley's recursion rather than from a
 * closed form: request {@code n} arriving at {@code a[n]} with service time {@code s[n]} waits
 * {@code w[n] = max(0, w[n-1] + s[n-1] - (a[n] - a[n-1]))} and leaves {@code w[n] + s[n]} after its
 * arrival. Fed the intended arrival times of an {@link ArrivalSchedule} and the service times a
 * stage measured in the same run, it says what an open-loop load generator must see, whatever else
 * shares the cores (a slower server slows both sides).
 *
 * <p>The band ({@link #band}) is the spread of the prediction's percentile when the service times
 * are drawn again with replacement from those measured (a bootstrap over the service-time
 * distribution, the arrivals fixed): the sampling error of an M/G/1 prediction from that many
 * service times. All times are nanoseconds; stateless.
 */
public final class LindleyQueue {

  /**
   * A percentile's prediction: along the measured path, and the bootstrap interval.
   *
   * @param pathNanos the percentile of the sojourn times with the service times in measured order
   * @param lowNanos the lower bootstrap quantile ({@code (1 - coverage) / 2})
   * @param highNanos the upper bootstrap quantile ({@code (1 + coverage) / 2})
   */
  public record Band(long pathNanos, long lowNanos, long highNanos) {
    /** The lower end of the band, the path value included. */
    public long lowerNanos() {
      return Math.min(pathNanos, lowNanos);
    }

    /** The upper end of the band, the path value included. */
    public long upperNanos() {
      return Math.max(pathNanos, highNanos);
    }
  }

  private LindleyQueue() {}

  /**
   * Sojourn times (wait plus service) of a FIFO single server.
   *
   * @param arrivalNanos arrival offsets, non-decreasing
   * @param serviceNanos service times, each >= 0, as many as arrivals
   * @throws IllegalArgumentException for arrays of different lengths, decreasing arrivals or a
   *     negative service time, naming the index
   */
  public static long[] sojournNanos(long[] arrivalNanos, long[] serviceNanos) {
    Objects.requireNonNull(arrivalNanos, "arrivalNanos");
    Objects.requireNonNull(serviceNanos, "serviceNanos");
    if (arrivalNanos.length != serviceNanos.length) {
      throw new IllegalArgumentException(
          "arrivals: "
              + arrivalNanos.length
              + ", service times: "
              + serviceNanos.length
              + " (expected: one service time per arrival)");
    }
    long[] sojourn = new long[arrivalNanos.length];
    long departure = Long.MIN_VALUE;
    for (int n = 0; n < arrivalNanos.length; n++) {
      if (serviceNanos[n] < 0) {
        throw new IllegalArgumentException(
            "service time " + n + ": " + serviceNanos[n] + " ns (expected: >= 0)");
      }
      if (n > 0 && arrivalNanos[n] < arrivalNanos[n - 1]) {
        throw new IllegalArgumentException(
            "arrival "
                + n
                + " at "
                + arrivalNanos[n]
                + " ns is before arrival "
                + (n - 1)
                + " at "
                + arrivalNanos[n - 1]
                + " ns (expected: non-decreasing)");
      }
      long start = Math.max(arrivalNanos[n], departure);
      departure = start + serviceNanos[n];
      sojourn[n] = departure - arrivalNanos[n];
    }
    return sojourn;
  }

  /**
   * The {@code percentile}-th sojourn time along the measured path and its bootstrap band.
   *
   * @param percentile in (0, 100]
   * @param resamples bootstrap resamples, >= 10
   * @param coverage the band's coverage, in (0, 1), e.g. 0.95
   * @param seed the resampling seed (the same seed gives the same band)
   */
  public static Band band(
      long[] arrivalNanos,
      long[] serviceNanos,
      double percentile,
      int resamples,
      double coverage,
      long seed) {
    if (!(percentile > 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile: " + percentile + " (expected: in (0, 100])");
    }
    if (resamples < 10) {
      throw new IllegalArgumentException("resamples: " + resamples + " (expected: >= 10)");
    }
    if (!(coverage > 0 && coverage < 1)) {
      throw new IllegalArgumentException("coverage: " + coverage + " (expected: in (0, 1))");
    }
    long path = percentileNanos(sojournNanos(arrivalNanos, serviceNanos), percentile);
    if (serviceNanos.length == 0) {
      return new Band(path, path, path);
    }
    SplittableRandom random = new SplittableRandom(seed);
    long[] drawn = new long[serviceNanos.length];
    long[] estimates = new long[resamples];
    for (int r = 0; r < resamples; r++) {
      for (int i = 0; i < drawn.length; i++) {
        drawn[i] = serviceNanos[random.nextInt(serviceNanos.length)];
      }
      estimates[r] = percentileNanos(sojournNanos(arrivalNanos, drawn), percentile);
    }
    Arrays.sort(estimates);
    double tail = (1 - coverage) / 2;
    int lo = (int) Math.floor(tail * (resamples - 1));
    int hi = (int) Math.ceil((1 - tail) * (resamples - 1));
    return new Band(path, estimates[lo], estimates[hi]);
  }

  /**
   * The nearest-rank {@code percentile}-th of {@code values} (0 for none).
   *
   * @param percentile in (0, 100]
   */
  public static long percentileNanos(long[] values, double percentile) {
    if (values.length == 0) {
      return 0;
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(percentile / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  /**
   * The M/G/1 mean wait before service by the Pollaczek-Khinchine formula, {@code lambda E[S^2] /
   * (2 (1 - rho))} with {@code rho = lambda E[S]}; infinite at {@code rho >= 1}. For equal service
   * times (M/D/1) this is {@code rho S / (2 (1 - rho))}.
   *
   * @param ratePerSecond the Poisson arrival rate
   * @param serviceNanos measured service times (their first two moments are used)
   */
  public static double meanWaitNanos(double ratePerSecond, long[] serviceNanos) {
    double mean = 0;
    double second = 0;
    for (long s : serviceNanos) {
      mean += s;
      second += (double) s * s;
    }
    mean /= serviceNanos.length;
    second /= serviceNanos.length;
    double lambdaPerNano = ratePerSecond / 1e9;
    double rho = lambdaPerNano * mean;
    return rho >= 1 ? Double.POSITIVE_INFINITY : lambdaPerNano * second / (2 * (1 - rho));
  }
}
