package io.paretopipe.reports.stats;

import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A distribution of per-request values (milliseconds) as sorted distinct values with counts: the
 * requests of one iteration, or of many pooled. Each value carries the range it stands for (an
 * HdrHistogram bucket holds every value between its lowest and highest equivalent value; a JMH
 * sample is exact), so an interval built from ranks can use the conservative end of a bucket.
 * Immutable.
 */
public final class ValueCounts {
  /** No values. */
  public static final ValueCounts EMPTY =
      new ValueCounts(new double[0], new double[0], new double[0], new long[0]);

  private final double[] value;
  private final double[] low;
  private final double[] high;
  private final long[] cumulative;

  private ValueCounts(double[] value, double[] low, double[] high, long[] cumulative) {
    this.value = value;
    this.low = low;
    this.high = high;
    this.cumulative = cumulative;
  }

  /**
   * @param histogram values in nanoseconds (HdrHistogram), not modified
   * @return its recorded values in milliseconds, each with its bucket's range
   */
  public static ValueCounts ofNanosHistogram(AbstractHistogram histogram) {
    int n = 0;
    for (HistogramIterationValue ignored : histogram.recordedValues()) {
      n++;
    }
    double[] v = new double[n];
    double[] lo = new double[n];
    double[] hi = new double[n];
    long[] cum = new long[n];
    int i = 0;
    long total = 0;
    for (HistogramIterationValue x : histogram.recordedValues()) {
      long raw = x.getValueIteratedTo();
      v[i] = histogram.medianEquivalentValue(raw) / 1e6;
      lo[i] = histogram.lowestEquivalentValue(raw) / 1e6;
      hi[i] = histogram.highestEquivalentValue(raw) / 1e6;
      total += x.getCountAtValueIteratedTo();
      cum[i] = total;
      i++;
    }
    return new ValueCounts(v, lo, hi, cum);
  }

  /**
   * @param pairs {@code [value, count]} pairs (JMH's {@code rawDataHistogram} of one iteration),
   *     any order; counts >= 0
   * @param toMillis factor from the pairs' unit to milliseconds
   * @return the exact values in milliseconds
   */
  public static ValueCounts ofPairs(List<double[]> pairs, double toMillis) {
    TreeMap<Double, Long> sorted = new TreeMap<>();
    for (double[] pair : pairs) {
      if (pair[1] > 0 && Double.isFinite(pair[0])) {
        sorted.merge(pair[0] * toMillis, (long) pair[1], Long::sum);
      }
    }
    double[] v = new double[sorted.size()];
    long[] cum = new long[sorted.size()];
    int i = 0;
    long total = 0;
    for (var e : sorted.entrySet()) {
      v[i] = e.getKey();
      total += e.getValue();
      cum[i++] = total;
    }
    return new ValueCounts(v, v, v, cum);
  }

  /**
   * @param parts distributions to pool
   * @return one distribution holding every value of every part
   */
  public static ValueCounts pool(List<ValueCounts> parts) {
    TreeMap<Double, double[]> merged = new TreeMap<>();
    for (ValueCounts p : parts) {
      for (int i = 0; i < p.value.length; i++) {
        double[] slot =
            merged.computeIfAbsent(
                p.value[i], k -> new double[] {0, Double.MAX_VALUE, -Double.MAX_VALUE});
        slot[0] += p.count(i);
        slot[1] = Math.min(slot[1], p.low[i]);
        slot[2] = Math.max(slot[2], p.high[i]);
      }
    }
    double[] v = new double[merged.size()];
    double[] lo = new double[merged.size()];
    double[] hi = new double[merged.size()];
    long[] cum = new long[merged.size()];
    int i = 0;
    long total = 0;
    for (var e : merged.entrySet()) {
      v[i] = e.getKey();
      lo[i] = e.getValue()[1];
      hi[i] = e.getValue()[2];
      total += (long) e.getValue()[0];
      cum[i++] = total;
    }
    return new ValueCounts(v, lo, hi, cum);
  }

  /**
   * @return the number of values
   */
  public long total() {
    return cumulative.length == 0 ? 0 : cumulative[cumulative.length - 1];
  }

  /**
   * @return the number of distinct values
   */
  public int distinct() {
    return value.length;
  }

  /**
   * @return the distinct values, ascending (a copy)
   */
  public double[] values() {
    return value.clone();
  }

  /**
   * @return for each distinct value, the number of values at or below it (a copy)
   */
  public long[] cumulativeCounts() {
    return cumulative.clone();
  }

  private long count(int i) {
    return cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
  }

  /**
   * @return the mean, NaN when empty
   */
  public double mean() {
    long n = total();
    if (n == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < value.length; i++) {
      sum += value[i] * count(i);
    }
    return sum / n;
  }

  /**
   * @return the sample variance (n - 1 denominator), NaN with fewer than 2 values
   */
  public double variance() {
    long n = total();
    if (n < 2) {
      return Double.NaN;
    }
    double mean = mean();
    double sum = 0;
    for (int i = 0; i < value.length; i++) {
      double d = value[i] - mean;
      sum += d * d * count(i);
    }
    return sum / (n - 1);
  }

  private int indexOfRank(long rank) {
    int i = Arrays.binarySearch(cumulative, rank);
    return i >= 0 ? i : -i - 1;
  }

  /**
   * @param rank 1..total, 1 = the smallest
   * @return the value of that order statistic
   */
  public double valueAtRank(long rank) {
    return value[indexOfRank(checkRank(rank))];
  }

  /**
   * @return the lowest value the order statistic {@code rank} may stand for
   */
  public double lowAtRank(long rank) {
    return low[indexOfRank(checkRank(rank))];
  }

  /**
   * @return the highest value the order statistic {@code rank} may stand for
   */
  public double highAtRank(long rank) {
    return high[indexOfRank(checkRank(rank))];
  }

  /**
   * The nearest-rank percentile: the value of rank {@code max(1, ceil(q x n))}.
   *
   * @param quantile in [0, 1]
   * @return the value, NaN when empty
   */
  public double quantile(double quantile) {
    long n = total();
    if (n == 0) {
      return Double.NaN;
    }
    return valueAtRank(nearestRank(quantile, n));
  }

  /**
   * @return {@code max(1, ceil(q x n))}, at most n
   */
  public static long nearestRank(double quantile, long n) {
    return Math.min(n, Math.max(1, (long) Math.ceil(quantile * n - 1e-9)));
  }

  private long checkRank(long rank) {
    if (rank < 1 || rank > total()) {
      throw new IllegalArgumentException("rank: " + rank + " (expected: 1.." + total() + ")");
    }
    return rank;
  }
}
