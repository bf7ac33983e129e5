package io.paretopipe.reports.stats;

import java.util.Locale;
import org.apache.commons.math3.distribution.BinomialDistribution;

/**
 * One latency percentile with its distribution-free 95% interval from order statistics, or the
 * reason the samples cannot support it. Immutable.
 *
 * <p>For the q-quantile of {@code n} independent values, the number of values below the true
 * quantile is Binomial(n, q). With {@code l} the largest rank such that {@code P(B <= l - 1) <=
 * 0.025} and {@code u} the smallest such that {@code P(B >= u) <= 0.025}, the order statistics
 * {@code [x(l), x(u)]} cover the true quantile with probability at least 95% whatever the
 * distribution. The percentile is <b>supported</b> when that interval lies inside the sample:
 * {@code l >= 2} and {@code u <= n - 1}, i.e. neither end is the smallest or the largest value.
 * Worked numbers: the median needs 9 requests, p90 54, p99 555 and p99.9 5,570 ({@link
 * #minimumSupportingCount}); a p99 of 17 requests would be the maximum in disguise and is not
 * printed. The interval ends use the conservative end of the histogram bucket they fall in.
 *
 * @param percentile in (0, 100), e.g. 99.9
 * @param count the number of values it rests on (0 when unknown)
 * @param valueMs the estimate (nearest rank, or HdrHistogram's value), NaN when not supported
 * @param lowMs lower end of the 95% interval, NaN when not supported
 * @param highMs upper end, NaN when not supported
 * @param reason why it is not supported, {@code ""} when it is
 */
public record PercentileEstimate(
    double percentile, long count, double valueMs, double lowMs, double highMs, String reason) {

  /** Confidence level of the interval. */
  public static final double LEVEL = 0.95;

  /**
   * @return true when the samples support the percentile
   */
  public boolean supported() {
    return reason.isEmpty();
  }

  /**
   * @param percentile in (0, 100)
   * @param values the pooled requests
   * @param estimateMs the point estimate to report (e.g. HdrHistogram's value at the percentile),
   *     or NaN to use the nearest-rank value of {@code values}
   * @return the estimate with its interval, or unsupported with the reason
   */
  public static PercentileEstimate of(double percentile, ValueCounts values, double estimateMs) {
    long n = values.total();
    if (n == 0) {
      return unsupported(percentile, 0, "no per-request samples");
    }
    long[] ranks = ranks(percentile / 100, n);
    if (ranks == null) {
      return unsupported(
          percentile,
          n,
          "needs at least " + minimumSupportingCount(percentile) + " requests (has " + n + ")");
    }
    double estimate =
        Double.isFinite(estimateMs)
            ? estimateMs
            : values.valueAtRank(ValueCounts.nearestRank(percentile / 100, n));
    return new PercentileEstimate(
        percentile, n, estimate, values.lowAtRank(ranks[0]), values.highAtRank(ranks[1]), "");
  }

  /**
   * @return a percentile the samples cannot support, with the reason
   */
  public static PercentileEstimate unsupported(double percentile, long count, String reason) {
    return new PercentileEstimate(percentile, count, Double.NaN, Double.NaN, Double.NaN, reason);
  }

  /**
   * @param quantile in (0, 1)
   * @param n values
   * @return {@code {l, u}} (1-based ranks) of the 95% order-statistic interval when it lies inside
   *     the sample ({@code 2 <= l}, {@code u <= n - 1}), else null
   */
  public static long[] ranks(double quantile, long n) {
    if (n < 3 || n > Integer.MAX_VALUE) {
      return n < 3 ? null : largeRanks(quantile, n);
    }
    BinomialDistribution b = new BinomialDistribution(null, (int) n, quantile);
    double tail = (1 - LEVEL) / 2;
    int x0 = b.inverseCumulativeProbability(tail);
    long l = (b.cumulativeProbability(x0) <= tail ? x0 : x0 - 1) + 1L;
    long u = b.inverseCumulativeProbability(1 - tail) + 1L;
    if (l < 2 || u > n - 1) {
      return null;
    }
    return new long[] {l, u};
  }

  /** Normal approximation for more than 2^31 values (never in practice; here for completeness). */
  private static long[] largeRanks(double quantile, long n) {
    double sd = Math.sqrt(n * quantile * (1 - quantile));
    long l = (long) Math.floor(n * quantile - 1.96 * sd);
    long u = (long) Math.ceil(n * quantile + 1.96 * sd) + 1;
    return l < 2 || u > n - 1 ? null : new long[] {l, u};
  }

  /**
   * @param percentile in (0, 100)
   * @return the smallest number of values that supports it
   */
  public static long minimumSupportingCount(double percentile) {
    long lo = 3;
    long hi = 3;
    while (ranks(percentile / 100, hi) == null) {
      lo = hi;
      hi *= 2;
    }
    while (lo < hi) {
      long mid = (lo + hi) / 2;
      if (ranks(percentile / 100, mid) == null) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * @return e.g. {@code p99.9}
   */
  public static String label(double percentile) {
    return "p"
        + (percentile == Math.rint(percentile)
            ? Long.toString((long) percentile)
            : String.format(Locale.ROOT, "%s", percentile));
  }
}
