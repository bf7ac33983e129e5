package io.paretopipe.reports.history;

import io.paretopipe.reports.stats.VarianceModeration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Finds the points where one series of nightly values changed level: E-divisive means (Matteson and
 * James, 2014) with a Student t test instead of permutations, in sliding windows, followed by a
 * merge step that drops weak change points, after Hunter / Apache Otava (Fleming et al., ICPE
 * 2023). Our own implementation. Stateless and thread-safe.
 *
 * <h2>The algorithm</h2>
 *
 * <ol>
 *   <li>Values are compared on a log scale when they are all positive (run-to-run noise of times
 *       and rates is multiplicative: a 10% step is the same shift at 5 ms and at 500 ms), else as
 *       they are.
 *   <li><b>Split.</b> Windows of {@link Settings#window()} values, each starting half a window
 *       after the previous one (or at its last change point). In a window, with the change points
 *       found so far cutting it into intervals, the candidate is the index {@code t} (and end
 *       {@code k}) maximising the energy statistic {@code Q(X = x[a..t), Y = x[t..k))} = {@code
 *       2/(m+n) sum|X-Y| - 2m/((m+n)(n-1)) sum_{i<j}|Xi-Xj| - 2n/((m+n)(m-1)) sum_{i<j}|Yi-Yj|}
 *       over every interval {@code [a, b)}; it is accepted when a two-sided Student t test (pooled
 *       variance) of {@code x[a..t)} against {@code x[t..b)} gives {@code p} below a relaxed level
 *       (10 x {@link Settings#alpha()}, at most 0.05: "weak" change points); the window is done at
 *       the first candidate that is not.
 *   <li><b>Merge.</b> Each weak change point is tested against its neighbours (the values between
 *       the previous and the next change point). While one has {@code p >= alpha}, the one with the
 *       largest {@code p} goes; then, while one has a relative magnitude below {@link
 *       Settings#minMagnitude()}, the smallest goes; its neighbours are re-tested after each
 *       removal.
 *   <li>No change point lies within the first {@link Settings#buffer()} values: those are the
 *       baseline (with fewer, the first values of a series are flagged as changes of the second, as
 *       Otava's users found).
 *   <li><b>Noise floor.</b> When the runs say how precise each value is (the relative standard
 *       error of a mean over a run's passes, from its stored 95% interval: {@link
 *       FigureValue#relativeStandardError}), the t test's variance is at least the mean squared
 *       standard error of the values it compares: values cannot vary less from run to run than each
 *       run's own measurement does, so a few runs that happen to agree closely (a short or lucky
 *       baseline) do not make a small shift look certain.
 *   <li><b>Family prior.</b> Given what the other series of its family say about run-to-run
 *       variance ({@link VarianceModeration.Prior}, on the log scale: the same figure of the other
 *       points on the same host), the t test's variance is moderated as limma's: {@code (d0 s0^2 +
 *       SS) / (d0 + df)} with {@code d0 + df} degrees of freedom, so a short series is tested with
 *       the family's knowledge of the noise instead of a t with a handful of degrees of freedom. A
 *       series whose own variance exceeds the prior beyond chance (one-sided F test, {@link
 *       VarianceModeration#exceeds}) keeps its own.
 * </ol>
 *
 * <p>Worked numbers: 30 values at 100 +- 3 (1 sd) then 3 at 110: t = 10 / (3 sqrt(1/30 + 1/3)) =
 * 5.5 with 31 degrees of freedom, p = 5e-6, times the 28 splits searched = 1.4e-4 &lt; 0.001,
 * magnitude 10% &gt; 5%: a change point at index 30.
 */
public final class ChangePointDetector {

  /**
   * Detection settings.
   *
   * @param alpha significance level of the t test, in (0, 0.5), default {@value #DEFAULT_ALPHA}
   * @param minMagnitude smallest relative change that counts, e.g. 0.05 for 5%
   * @param window values per sliding window, at least 4, default 30
   * @param buffer first values of a series that hold no change point, at least 1, default 5
   */
  public record Settings(double alpha, double minMagnitude, int window, int buffer) {
    /**
     * The default significance level, as text for the command line: 0.0002, tuned on the seeded
     * simulation with the family prior (docs/REPORTS.md, History): false alarms on at most 0.9% of
     * quiet series at every noise level of this machine's quick runs, where 0.001 raised them on
     * 1.5-2.3% and the 0.01 on more.
     */
    public static final String DEFAULT_ALPHA = "0.0002";

    /** alpha {@value #DEFAULT_ALPHA}, 5%, window 30, buffer 5. */
    public static final Settings DEFAULT =
        new Settings(Double.parseDouble(DEFAULT_ALPHA), 0.05, 30, 5);

    public Settings {
      if (!(alpha > 0 && alpha < 0.5)) {
        throw new IllegalArgumentException("alpha: " + alpha + " (expected: 0 < alpha < 0.5)");
      }
      if (!(minMagnitude >= 0) || !Double.isFinite(minMagnitude)) {
        throw new IllegalArgumentException(
            "minMagnitude: " + minMagnitude + " (expected: >= 0, e.g. 0.05 for 5%)");
      }
      if (window < 4) {
        throw new IllegalArgumentException("window: " + window + " (expected: >= 4)");
      }
      if (buffer < 1) {
        throw new IllegalArgumentException("buffer: " + buffer + " (expected: >= 1)");
      }
    }
  }

  /**
   * One change point.
   *
   * @param index the first value of the new level
   * @param from start of the values it was tested on (the previous change point, or 0)
   * @param to end (exclusive) of the values it was tested on (the next change point, or the end)
   * @param before the typical value before it: the geometric mean of {@code [from, index)} on a log
   *     scale, else the mean
   * @param after the same over {@code [index, to)}
   * @param pValue two-sided p of the t test
   */
  public record ChangePoint(
      int index, int from, int to, double before, double after, double pValue) {
    /**
     * @return {@code after / before - 1}, e.g. 0.1 for a 10% increase
     */
    public double magnitude() {
      return before == 0 ? Double.POSITIVE_INFINITY : after / before - 1;
    }
  }

  private final Settings settings;

  /**
   * @param settings the settings
   */
  public ChangePointDetector(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /**
   * @return the settings
   */
  public Settings settings() {
    return settings;
  }

  /**
   * @param values the series, oldest first; NaN values are not allowed (leave them out)
   * @return its change points in index order, each tested against its neighbours
   */
  public List<ChangePoint> detect(double[] values) {
    return detect(values, null);
  }

  /**
   * @param values the series, oldest first; NaN values are not allowed (leave them out)
   * @param relativeStandardErrors per value, its relative standard error as the run measured it
   *     (e.g. 0.02 for 2%), NaN when unknown; null when none is known
   * @return its change points in index order, each tested against its neighbours
   */
  public List<ChangePoint> detect(double[] values, double[] relativeStandardErrors) {
    return detect(values, relativeStandardErrors, null);
  }

  /**
   * @param values the series, oldest first; NaN values are not allowed (leave them out)
   * @param relativeStandardErrors per value, its relative standard error as the run measured it
   *     (e.g. 0.02 for 2%), NaN when unknown; null when none is known
   * @param prior the family's prior for the run-to-run variance of the values' logs; null for none
   *     (it is also unused when a value is not positive: the test is then not on a log scale)
   * @return its change points in index order, each tested against its neighbours
   */
  public List<ChangePoint> detect(
      double[] values, double[] relativeStandardErrors, VarianceModeration.Prior prior) {
    if (relativeStandardErrors != null && relativeStandardErrors.length != values.length) {
      throw new IllegalArgumentException(
          "relativeStandardErrors: "
              + relativeStandardErrors.length
              + " values (expected: one per value, "
              + values.length
              + ")");
    }
    for (double v : values) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(
            "values: holds " + v + " (expected: finite numbers; leave unknown values out)");
      }
    }
    int n = values.length;
    if (n <= settings.buffer()) {
      return List.of();
    }
    boolean log = true;
    for (double v : values) {
      log &= v > 0;
    }
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = log ? Math.log(values[i]) : values[i];
    }
    double[] floor = new double[n + 1];
    int[] floorCount = new int[n + 1];
    for (int i = 0; i < n; i++) {
      double se = relativeStandardErrors == null ? Double.NaN : relativeStandardErrors[i];
      boolean known = Double.isFinite(se) && se >= 0;
      double variance = known ? (log ? se * se : se * se * values[i] * values[i]) : 0;
      floor[i + 1] = floor[i] + variance;
      floorCount[i + 1] = floorCount[i] + (known ? 1 : 0);
    }
    Noise noise = new Noise(x, floor, floorCount, log ? prior : null);
    Prefix prefix = new Prefix(x);
    double weakAlpha = Math.min(settings.alpha() * 10, 0.05);
    TreeSet<Integer> weak = new TreeSet<>();
    int step = Math.max(1, settings.window() / 2);
    int start = 0;
    while (start < n) {
      int end = Math.min(start + settings.window(), n);
      List<Integer> found = splitWindow(noise, prefix, start, end, weakAlpha);
      weak.addAll(found);
      int last = found.isEmpty() ? 0 : found.get(found.size() - 1);
      if (end == n) {
        break;
      }
      start = Math.max(last, start + step);
    }
    List<Integer> kept = merge(noise, log, new ArrayList<>(weak));
    List<ChangePoint> result = new ArrayList<>();
    for (int i = 0; i < kept.size(); i++) {
      int from = i == 0 ? 0 : kept.get(i - 1);
      int to = i == kept.size() - 1 ? n : kept.get(i + 1);
      result.add(changePoint(noise, log, from, kept.get(i), to));
    }
    return result;
  }

  /** Recursive E-divisive in {@code [start, end)}: the accepted change points, sorted. */
  private List<Integer> splitWindow(Noise x, Prefix prefix, int start, int end, double alpha) {
    TreeSet<Integer> points = new TreeSet<>();
    while (true) {
      int bestIndex = -1;
      int bestFrom = 0;
      int bestTo = 0;
      double bestQ = Double.NEGATIVE_INFINITY;
      List<Integer> bounds = new ArrayList<>();
      bounds.add(start);
      bounds.addAll(points);
      bounds.add(end);
      for (int i = 0; i + 1 < bounds.size(); i++) {
        int a = bounds.get(i);
        int b = bounds.get(i + 1);
        for (int t = Math.max(a + 1, settings.buffer()); t < b; t++) {
          for (int k = t + 1; k <= b; k++) {
            double q = prefix.q(a, t, k);
            if (q > bestQ) {
              bestQ = q;
              bestIndex = t;
              bestFrom = a;
              bestTo = b;
            }
          }
        }
      }
      if (bestIndex < 0 || !(adjustedPValue(x, bestFrom, bestIndex, bestTo) < alpha)) {
        return new ArrayList<>(points);
      }
      points.add(bestIndex);
    }
  }

  /** The merge step: drops the weakest change point until all are significant and large enough. */
  private List<Integer> merge(Noise x, boolean log, List<Integer> points) {
    int n = x.values.length;
    while (!points.isEmpty()) {
      double[] p = new double[points.size()];
      double[] magnitude = new double[points.size()];
      for (int i = 0; i < points.size(); i++) {
        int from = i == 0 ? 0 : points.get(i - 1);
        int to = i == points.size() - 1 ? n : points.get(i + 1);
        p[i] = adjustedPValue(x, from, points.get(i), to);
        magnitude[i] = Math.abs(relativeChange(x.values, log, from, points.get(i), to));
      }
      int weakest = 0;
      for (int i = 1; i < p.length; i++) {
        if (p[i] > p[weakest]) {
          weakest = i;
        }
      }
      if (p[weakest] < settings.alpha()) {
        weakest = 0;
        for (int i = 1; i < magnitude.length; i++) {
          if (magnitude[i] < magnitude[weakest]) {
            weakest = i;
          }
        }
        if (magnitude[weakest] >= settings.minMagnitude()) {
          return points;
        }
      }
      points.remove(weakest);
    }
    return points;
  }

  private static double relativeChange(double[] x, boolean log, int from, int index, int to) {
    double before = mean(x, from, index);
    double after = mean(x, index, to);
    return log ? Math.exp(after - before) - 1 : (after - before) / Math.abs(before);
  }

  private ChangePoint changePoint(Noise noise, boolean log, int from, int index, int to) {
    double before = mean(noise.values, from, index);
    double after = mean(noise.values, index, to);
    return new ChangePoint(
        index,
        from,
        to,
        log ? Math.exp(before) : before,
        log ? Math.exp(after) : after,
        adjustedPValue(noise, from, index, to));
  }

  /**
   * The t test's p for the best split of {@code [from, to)}, corrected for having searched every
   * admissible split (Bonferroni: times their number): a plain t test of the split that maximises
   * the difference is far too confident (40% of quiet series raised false alarms over 40 nights in
   * the simulation, at every noise level).
   */
  private double adjustedPValue(Noise x, int from, int index, int to) {
    int candidates = Math.max(1, to - Math.max(from + 1, settings.buffer()));
    return Math.min(
        1, pValue(x.values, from, index, to, x.floorVariance(from, to), x.prior) * candidates);
  }

  /**
   * Two-sided Student t test (pooled variance) of {@code x[from..index)} vs {@code x[index..to)}.
   */
  static double pValue(double[] x, int from, int index, int to) {
    return pValue(x, from, index, to, 0);
  }

  /**
   * The same with the pooled variance at least {@code floorVariance} (the values' own measurement
   * variance, on the scale of {@code x}).
   */
  static double pValue(double[] x, int from, int index, int to, double floorVariance) {
    return pValue(x, from, index, to, floorVariance, null);
  }

  /**
   * The same with the variance moderated by a family prior (null: none): {@code (d0 s0^2 + SS) /
   * (d0 + df)} with {@code d0 + df} degrees of freedom, unless the values' own variance exceeds the
   * prior beyond chance.
   */
  static double pValue(
      double[] x,
      int from,
      int index,
      int to,
      double floorVariance,
      VarianceModeration.Prior prior) {
    int n1 = index - from;
    int n2 = to - index;
    if (n1 < 1 || n2 < 1 || (prior == null && n1 + n2 < 3)) {
      return 1;
    }
    double m1 = mean(x, from, index);
    double m2 = mean(x, index, to);
    double ss = 0;
    for (int i = from; i < index; i++) {
      ss += (x[i] - m1) * (x[i] - m1);
    }
    for (int i = index; i < to; i++) {
      ss += (x[i] - m2) * (x[i] - m2);
    }
    double df = n1 + n2 - 2;
    double own = df > 0 ? ss / df : Double.NaN;
    double pooled = own;
    if (prior != null && !VarianceModeration.exceeds(own, df, prior)) {
      pooled = (prior.degreesOfFreedom() * prior.variance() + ss) / (prior.degreesOfFreedom() + df);
      df += prior.degreesOfFreedom();
    }
    double variance = Math.max(pooled, floorVariance);
    double diff = Math.abs(m1 - m2);
    if (variance <= 0) {
      return diff > 1e-12 * Math.max(Math.abs(m1), Math.abs(m2)) ? 0 : 1;
    }
    double t = diff / Math.sqrt(variance * (1.0 / n1 + 1.0 / n2));
    return 2 * new TDistribution(null, df).cumulativeProbability(-t);
  }

  private static double mean(double[] x, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++) {
      sum += x[i];
    }
    return sum / (to - from);
  }

  /** The values on the detection scale with prefix sums of their own measurement variance. */
  private static final class Noise {
    private final double[] values;
    private final double[] floor;
    private final int[] floorCount;
    private final VarianceModeration.Prior prior;

    Noise(double[] values, double[] floor, int[] floorCount, VarianceModeration.Prior prior) {
      this.values = values;
      this.floor = floor;
      this.floorCount = floorCount;
      this.prior = prior;
    }

    /** The mean measurement variance of the values in {@code [from, to)} that have one, else 0. */
    double floorVariance(int from, int to) {
      int known = floorCount[to] - floorCount[from];
      return known == 0 ? 0 : (floor[to] - floor[from]) / known;
    }
  }

  /** 2-D prefix sums of the pairwise distances, for the energy statistic in O(1) per pair. */
  private static final class Prefix {
    private final double[][] s;

    Prefix(double[] x) {
      int n = x.length;
      s = new double[n + 1][n + 1];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          s[i + 1][j + 1] = s[i][j + 1] + s[i + 1][j] - s[i][j] + Math.abs(x[i] - x[j]);
        }
      }
    }

    private double block(int r0, int r1, int c0, int c1) {
      return s[r1][c1] - s[r0][c1] - s[r1][c0] + s[r0][c0];
    }

    /** The energy statistic of {@code X = [a, t)} against {@code Y = [t, k)}. */
    double q(int a, int t, int k) {
      int n = t - a;
      int m = k - t;
      double cross = block(a, t, t, k);
      double withinX = block(a, t, a, t) / 2;
      double withinY = block(t, k, t, k) / 2;
      double q = 2.0 / (m + n) * cross;
      if (n > 1) {
        q -= 2.0 * m / ((m + n) * (n - 1.0)) * withinX;
      }
      if (m > 1) {
        q -= 2.0 * n / ((m + n) * (m - 1.0)) * withinY;
      }
      return q;
    }
  }
}
