package io.paretopipe.harness.driver;

/**
 * MLPerf LoadGen's early-stopping bound for a latency percentile claim (the Server scenario's rule,
 * {@code loadgen/early_stopping.cc} and {@code results.cc} of mlcommons/inference, implemented here
 * from its definition): with {@code t} queries over the bound, the run supports "the {@code p}
 * percentile is within the bound" at confidence {@code c} only if at least {@code h} queries were
 * within it, where {@code h} is the least value with
 *
 * <pre>P(Binomial(h + t, 1 - p) <= t) <= 1 - c</pre>
 *
 * i.e. had the true over-bound probability been {@code 1 - p} or more, seeing as few as {@code t}
 * in {@code h + t} would have had probability at most {@code 1 - c}. LoadGen uses {@code c = 0.99}
 * and no tolerance. Worked numbers at p99: {@code t = 0} needs {@code h = 459}; {@code t = 1} needs
 * {@code h = 661}, so 662 queries in all (LoadGen's floor for a p99 estimate; 64 for p90); every
 * further over-bound query needs about 100-150 more within the bound.
 */
public final class EarlyStopping {

  /** LoadGen's confidence. */
  public static final double CONFIDENCE = 0.99;

  private EarlyStopping() {}

  /**
   * The least number of within-bound queries that, with {@code overBound} over it, supports the
   * claim at {@link #CONFIDENCE}.
   *
   * @param overBound queries over the bound, >= 0
   * @param fraction the percentile as a fraction in (0, 1), e.g. 0.99
   */
  public static long minWithinBound(long overBound, double fraction) {
    if (overBound < 0) {
      throw new IllegalArgumentException("overBound: " + overBound + " (expected: >= 0)");
    }
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("fraction: " + fraction + " (expected: in (0, 1))");
    }
    long lo = 0;
    long hi = 1;
    while (!passes(hi, overBound, fraction)) {
      lo = hi;
      hi *= 2;
    }
    while (hi - lo > 1) {
      long mid = (lo + hi) >>> 1;
      if (passes(mid, overBound, fraction)) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return passes(lo, overBound, fraction) ? lo : hi;
  }

  /** Queries a run needs in all with {@code overBound} of them over the bound. */
  public static long minQueries(long overBound, double fraction) {
    return minWithinBound(overBound, fraction) + overBound;
  }

  /** Whether {@code queries} queries with {@code overBound} over the bound support the claim. */
  public static boolean met(long queries, long overBound, double fraction) {
    return queries >= minQueries(overBound, fraction);
  }

  /**
   * Whether {@code queries} queries with {@code overBound} over the bound refute the claim at
   * {@link #CONFIDENCE}: had the true over-bound probability been only {@code 1 - fraction}, seeing
   * {@code overBound} or more would have had probability at most {@code 1 - CONFIDENCE}. Used on
   * requests sent one at a time (the best case: no queueing), it says no arrival rate can meet the
   * percentile.
   *
   * @param queries >= 0
   * @param overBound 0..queries
   * @param fraction the percentile as a fraction in (0, 1)
   */
  public static boolean refuted(long queries, long overBound, double fraction) {
    if (overBound <= 0) {
      return false;
    }
    return 1 - binomialCdf(queries, 1 - fraction, overBound - 1) <= 1 - CONFIDENCE;
  }

  private static boolean passes(long within, long overBound, double fraction) {
    return binomialCdf(within + overBound, 1 - fraction, overBound) <= 1 - CONFIDENCE;
  }

  /** P(Binomial(n, q) <= k), summed in log space so large n do not underflow. */
  static double binomialCdf(long n, double q, long k) {
    if (k >= n) {
      return 1;
    }
    double logQ = Math.log(q);
    double logP = Math.log1p(-q);
    double logTerm = n * logP;
    double sum = Math.exp(logTerm);
    for (long i = 0; i < k; i++) {
      logTerm += Math.log((double) (n - i) / (i + 1)) + logQ - logP;
      sum += Math.exp(logTerm);
    }
    return Math.min(1, sum);
  }
}
