package io.paretopipe.reports.pareto;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.MetricSamples;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.SampleUnit;
import io.paretopipe.reports.stats.MeanInterval;
import io.paretopipe.reports.stats.PercentileEstimate;
import io.paretopipe.reports.stats.ValueCounts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * The probability of each point of being on its group's frontier, from a seeded bootstrap of its
 * samples, and the classes {@link FrontierClass#FRONTIER}, {@link FrontierClass#POSSIBLE} and
 * {@link FrontierClass#DOMINATED}. Stateless; the same inputs and seed give the same answer.
 *
 * <p>One resample draws, for every point of a group, every objective anew and computes the frontier
 * of the drawn values; {@code P} is the share of resamples in which the point is on it. A latency
 * or throughput is drawn hierarchically: its replication units ({@link SampleUnit}: passes, else
 * iterations) with replacement, then within each drawn unit its mean from a normal with the unit's
 * own standard error (the limit of resampling its requests, which keeps 1,000 resamples of 60
 * points well under a second); a percentile draws the units and then its rank within their pooled
 * requests. When several points were measured in the same files (the passes of a sweep: drift hits
 * every split of a pass alike), the passes are drawn once per resample for the whole group, so
 * differences between splits keep the pairing. Each draw's deviation from the point's estimate is
 * scaled by {@link MeanInterval#bootstrapScale} so its 95% spread equals the point's Student-t
 * interval. A point measured in one unit only has no known between-unit variance: it is drawn with
 * its within-unit noise, and can be neither {@code frontier} nor {@code dominated} nor make another
 * point {@code dominated}.
 */
public final class FrontierConfidence {
  /** Default number of resamples. */
  public static final int DEFAULT_RESAMPLES = 1000;

  /** Default seed. */
  public static final long DEFAULT_SEED = 1;

  /** {@code P} at or above which a point is {@link FrontierClass#FRONTIER}. */
  public static final double FRONTIER_P = 0.95;

  /** {@code P} at or below which a point may be {@link FrontierClass#DOMINATED}. */
  public static final double DOMINATED_P = 0.05;

  /**
   * Share of resamples in which either of two points must be better on an objective to tell them
   * apart.
   */
  public static final double TOLD_APART = 0.975;

  private FrontierConfidence() {}

  /**
   * @param pointsByGroup the points per group
   * @param objectives at least one
   * @param resamples >= 1000
   * @param seed the seed: the same seed, points and objectives give the same result
   * @return per point (by identity), its confidence
   */
  public static Map<Point, PointConfidence> compute(
      Map<GroupKey, List<Point>> pointsByGroup,
      List<Objective> objectives,
      int resamples,
      long seed) {
    if (resamples < 1000) {
      throw new IllegalArgumentException("resamples: " + resamples + " (expected: >= 1000)");
    }
    if (objectives.isEmpty()) {
      throw new IllegalArgumentException("objectives: empty (expected: at least one)");
    }
    Map<Point, PointConfidence> result = new IdentityHashMap<>();
    pointsByGroup.forEach(
        (group, points) -> result.putAll(group(group, points, objectives, resamples, seed)));
    return result;
  }

  private static Map<Point, PointConfidence> group(
      GroupKey group, List<Point> points, List<Objective> objectives, int resamples, long seed) {
    Random random = new Random(seed * 0x9E3779B97F4A7C15L + group.label().hashCode());
    Map<Point, PointConfidence> result = new IdentityHashMap<>();
    List<Point> known = new ArrayList<>();
    List<Sampler[]> samplers = new ArrayList<>();
    for (Point p : points) {
      Sampler[] row = new Sampler[objectives.size()];
      boolean ok = true;
      for (int k = 0; k < objectives.size(); k++) {
        row[k] = Sampler.of(p, objectives.get(k));
        ok &= row[k] != null;
      }
      if (ok) {
        known.add(p);
        samplers.add(row);
      } else {
        result.put(p, new PointConfidence(Double.NaN, null, List.of(), unknownNote(p, objectives)));
      }
    }
    int m = known.size();
    int kObj = objectives.size();
    List<String> sources = new ArrayList<>(new TreeSet<>(sharedSources(samplers)));
    Map<String, Integer> sourceIndex = new LinkedHashMap<>();
    for (int i = 0; i < sources.size(); i++) {
      sourceIndex.put(sources.get(i), i);
    }
    samplers.forEach(row -> Arrays.stream(row).forEach(s -> s.bind(sourceIndex)));
    int[] onCount = new int[m];
    int[][] dominates = new int[m][m];
    int[][][] better = new int[kObj][m][m];
    double[][] values = new double[m][kObj];
    int[] sourceWeights = new int[sources.size()];
    for (int b = 0; b < resamples; b++) {
      Arrays.fill(sourceWeights, 0);
      for (int i = 0; i < sources.size(); i++) {
        sourceWeights[random.nextInt(sources.size())]++;
      }
      for (int i = 0; i < m; i++) {
        for (int k = 0; k < kObj; k++) {
          double v = samplers.get(i)[k].draw(random, sourceWeights);
          values[i][k] = objectives.get(k).minimize() ? v : -v;
        }
      }
      boolean[] on = ParetoFrontier.compute(values);
      for (int i = 0; i < m; i++) {
        if (on[i]) {
          onCount[i]++;
        }
        for (int j = 0; j < m; j++) {
          if (i == j) {
            continue;
          }
          if (ParetoFrontier.dominates(values[i], values[j])) {
            dominates[i][j]++;
          }
          for (int k = 0; k < kObj; k++) {
            if (values[i][k] < values[j][k]) {
              better[k][i][j]++;
            }
          }
        }
      }
    }
    boolean[] replicated = new boolean[m];
    for (int i = 0; i < m; i++) {
      replicated[i] = Arrays.stream(samplers.get(i)).allMatch(Sampler::replicated);
    }
    long dominanceNeeded =
        m <= 1
            ? Long.MAX_VALUE
            : (long) Math.ceil((1 - DOMINATED_P / ((double) m * (m - 1))) * resamples - 1e-9);
    for (int i = 0; i < m; i++) {
      double p = onCount[i] / (double) resamples;
      FrontierClass c;
      String note = "";
      if (!replicated[i]) {
        c = FrontierClass.POSSIBLE;
        note =
            "measured in one pass/iteration: the variance between passes is unknown, so it is"
                + " neither frontier nor dominated";
      } else if (p >= FRONTIER_P) {
        c = FrontierClass.FRONTIER;
      } else {
        boolean dominated = false;
        for (int j = 0; j < m && !dominated; j++) {
          dominated =
              j != i && replicated[j] && p <= DOMINATED_P && dominates[j][i] >= dominanceNeeded;
        }
        c = dominated ? FrontierClass.DOMINATED : FrontierClass.POSSIBLE;
      }
      List<String> twins = new ArrayList<>();
      for (int j = 0; j < m; j++) {
        if (j == i) {
          continue;
        }
        boolean apart = false;
        for (int k = 0; k < kObj && !apart && replicated[i] && replicated[j]; k++) {
          apart = Math.max(better[k][i][j], better[k][j][i]) >= TOLD_APART * resamples;
        }
        if (!apart) {
          twins.add(known.get(j).splitLabel(points));
        }
      }
      result.put(known.get(i), new PointConfidence(p, c, twins, note));
    }
    return result;
  }

  private static String unknownNote(Point p, List<Objective> objectives) {
    List<String> missing = new ArrayList<>();
    for (Objective o : objectives) {
      if (!Double.isFinite(o.value().applyAsDouble(p))) {
        missing.add(o.name());
      }
    }
    return "unknown " + String.join(", ", missing) + ": not part of the frontier";
  }

  private static List<String> sharedSources(List<Sampler[]> samplers) {
    List<String> sources = new ArrayList<>();
    for (Sampler[] row : samplers) {
      for (Sampler s : row) {
        if (s.bySource) {
          for (SampleUnit u : s.units) {
            sources.add(u.source());
          }
        }
      }
    }
    return sources;
  }

  /** Draws one objective of one point. */
  private static final class Sampler {
    private final double estimate;
    private final List<SampleUnit> units;
    private final boolean bySource;
    private final double scale;
    private final double parametricSpread;
    private final double center;
    private final double quantile;
    private final double[] pooledValues;
    private final long[][] cumulative;
    private int[] sourceOfUnit;
    private final int[] ownWeights;

    private Sampler(double estimate, List<SampleUnit> units, double quantile) {
      this(estimate, units, quantile, null);
    }

    /**
     * @param interval the mean's interval when it is {@linkplain MeanInterval#isModerated
     *     moderated}, else null. A moderated mean's draws keep the resampled units (paired by
     *     source across the group's splits, so the drift common to a pass cancels), their t factor
     *     taken at the moderated degrees of freedom, plus independent normal noise for whatever the
     *     moderated standard error exceeds the unit's own: the spread is never narrower than the
     *     own units show. Rescaling the resampled units to the moderated width instead would scale
     *     each split's share of the common drift differently and invent differences between splits
     *     (it did: 58 of 100 A/A groups called a split dominated).
     */
    private Sampler(
        double estimate, List<SampleUnit> units, double quantile, MeanInterval interval) {
      this.estimate = estimate;
      this.units = units;
      this.bySource =
          units.stream().map(SampleUnit::source).distinct().count() == units.size()
              && units.size() >= 2;
      double ownScale = units.size() >= 2 ? MeanInterval.bootstrapScale(units.size()) : 1;
      double parametric = 0;
      if (interval != null && interval.isModerated()) {
        int k = units.size();
        double own =
            MeanInterval.of(
                    interval.estimate(),
                    units.stream().mapToDouble(SampleUnit::weight).toArray(),
                    units.stream().mapToDouble(SampleUnit::mean).toArray())
                .standardError();
        double tScale = MeanInterval.normalScale(interval.degreesOfFreedom());
        ownScale = tScale * Math.sqrt(k / (k - 1.0));
        double moderated = interval.standardError();
        parametric = tScale * Math.sqrt(Math.max(0, moderated * moderated - own * own));
      }
      this.scale = ownScale;
      this.parametricSpread = parametric;
      this.quantile = quantile;
      this.ownWeights = new int[units.size()];
      if (Double.isNaN(quantile)) {
        double total = 0;
        double sum = 0;
        for (SampleUnit u : units) {
          total += u.weight();
          sum += u.weight() * u.mean();
        }
        this.center = units.isEmpty() ? estimate : sum / total;
        this.pooledValues = null;
        this.cumulative = null;
      } else {
        TreeSet<Double> distinct = new TreeSet<>();
        for (SampleUnit u : units) {
          for (double v : u.values().values()) {
            distinct.add(v);
          }
        }
        pooledValues = distinct.stream().mapToDouble(Double::doubleValue).toArray();
        cumulative = new long[units.size()][pooledValues.length];
        long[] all = new long[pooledValues.length];
        for (int u = 0; u < units.size(); u++) {
          double[] v = units.get(u).values().values();
          long[] c = units.get(u).values().cumulativeCounts();
          int idx = 0;
          long running = 0;
          for (int d = 0; d < pooledValues.length; d++) {
            while (idx < v.length && v[idx] <= pooledValues[d]) {
              running = c[idx];
              idx++;
            }
            cumulative[u][d] = running;
            all[d] += running;
          }
        }
        long n = all.length == 0 ? 0 : all[all.length - 1];
        this.center =
            n == 0 ? estimate : pooledValues[indexOf(all, ValueCounts.nearestRank(quantile, n))];
      }
    }

    /** A fixed value. */
    private Sampler(double value) {
      this(value, List.of(), Double.NaN);
    }

    static Sampler of(Point p, Objective o) {
      double value = o.value().applyAsDouble(p);
      if (!Double.isFinite(value)) {
        return null;
      }
      return switch (o.sampling()) {
        case FIXED -> new Sampler(value);
        case LATENCY_MEAN -> units(value, p.samples().latency(), p.samples().latencyMean());
        case THROUGHPUT -> units(value, p.samples().throughput(), p.samples().throughputMean());
        case CPU -> units(value, p.costs().cpuTotal().samples(), p.costs().cpuTotal().interval());
        case ENERGY ->
            units(
                value,
                p.costs().energyJPerImage().samples(),
                p.costs().energyJPerImage().interval());
        case LATENCY_PERCENTILE -> {
          MetricSamples latency = p.samples().latency();
          boolean perRequest = latency.units().stream().allMatch(u -> u.values().total() > 0);
          PercentileEstimate reported = p.samples().percentile(o.percentile());
          if (!perRequest
              || latency.units().isEmpty()
              || (reported != null && !reported.supported())) {
            yield latency.units().isEmpty() ? new Sampler(value) : null;
          }
          yield new Sampler(value, latency.units(), o.percentile() / 100);
        }
      };
    }

    private static Sampler units(double value, MetricSamples samples, MeanInterval interval) {
      return samples.units().isEmpty()
          ? new Sampler(value)
          : new Sampler(value, samples.units(), Double.NaN, interval);
    }

    /** True when the between-unit variance is known (or the value is exact). */
    boolean replicated() {
      return units.isEmpty() || units.size() >= 2;
    }

    void bind(Map<String, Integer> sourceIndex) {
      sourceOfUnit = new int[units.size()];
      for (int u = 0; u < units.size(); u++) {
        sourceOfUnit[u] = bySource ? sourceIndex.get(units.get(u).source()) : -1;
      }
    }

    double draw(Random random, int[] sourceWeights) {
      if (units.isEmpty()) {
        return estimate;
      }
      int[] w = ownWeights;
      int drawn = 0;
      if (bySource) {
        for (int u = 0; u < units.size(); u++) {
          w[u] = sourceWeights[sourceOfUnit[u]];
          drawn += w[u];
        }
      }
      if (drawn == 0) {
        Arrays.fill(w, 0);
        for (int u = 0; u < units.size(); u++) {
          w[random.nextInt(units.size())]++;
        }
      }
      double raw;
      if (Double.isNaN(quantile)) {
        double total = 0;
        double sum = 0;
        for (int u = 0; u < units.size(); u++) {
          if (w[u] == 0) {
            continue;
          }
          SampleUnit unit = units.get(u);
          for (int c = 0; c < w[u]; c++) {
            double mean = unit.mean();
            if (unit.innerStandardError() > 0) {
              mean += unit.innerStandardError() * random.nextGaussian();
            }
            total += unit.weight();
            sum += unit.weight() * mean;
          }
        }
        raw = sum / total;
      } else {
        long n = 0;
        for (int u = 0; u < units.size(); u++) {
          n += w[u] * cumulative[u][pooledValues.length - 1];
        }
        double q = quantile + Math.sqrt(quantile * (1 - quantile) / n) * random.nextGaussian();
        long rank = ValueCounts.nearestRank(Math.min(1, Math.max(0, q)), n);
        int lo = 0;
        int hi = pooledValues.length - 1;
        while (lo < hi) {
          int mid = (lo + hi) >>> 1;
          long count = 0;
          for (int u = 0; u < units.size(); u++) {
            count += w[u] * cumulative[u][mid];
          }
          if (count >= rank) {
            hi = mid;
          } else {
            lo = mid + 1;
          }
        }
        raw = pooledValues[lo];
      }
      return estimate
          + scale * (raw - center)
          + (parametricSpread > 0 ? parametricSpread * random.nextGaussian() : 0);
    }

    private static int indexOf(long[] cumulative, long rank) {
      int i = Arrays.binarySearch(cumulative, rank);
      return i >= 0 ? firstIndex(cumulative, i) : -i - 1;
    }

    private static int firstIndex(long[] cumulative, int i) {
      while (i > 0 && cumulative[i - 1] == cumulative[i]) {
        i--;
      }
      return i;
    }
  }
}
