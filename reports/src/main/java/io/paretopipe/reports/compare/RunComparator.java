package io.paretopipe.reports.compare;

import io.paretopipe.reports.jmh.JmhResult;
import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.pareto.Frontier;
import io.paretopipe.reports.pareto.LatencyStatistic;
import io.paretopipe.reports.pareto.Objective;
import io.paretopipe.reports.run.ResultIdentity;
import io.paretopipe.reports.run.RunLoader;
import io.paretopipe.reports.run.Units;
import io.paretopipe.reports.stats.Holm;
import io.paretopipe.reports.stats.IntervalMethod;
import io.paretopipe.reports.stats.VarianceModeration;
import io.paretopipe.reports.stats.VarianceModeration.Member;
import io.paretopipe.reports.stats.VarianceModeration.Moderated;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * Compares runs. Stateless apart from its settings; thread-safe.
 *
 * <p>Results are matched by {@link ResultIdentity} (benchmark, mode, params except {@code tail}),
 * and every result of one identity in a run is pooled (a sweep writes one file per pass). Per
 * result the samples are JMH's per-iteration scores of every file and fork ({@code rawData}, or for
 * SampleTime each iteration's mean from {@code rawDataHistogram}): the iteration, not the request,
 * is the unit that carries the machine's drift. The ratio is {@code mean(current) / mean(baseline)}
 * with a delta-method confidence interval (Student t, Welch-Satterthwaite degrees of freedom, level
 * {@code 1 - alpha}); the p-value is Welch's two-sided t-test on the logarithms of the scores
 * (ratios are what changes; the log makes them differences), and Holm's correction over every
 * result keeps the chance of any false alarm in the whole comparison at most {@code alpha}. A
 * regression is called only when the corrected {@code p < alpha} and the result is worse by more
 * than the threshold.
 *
 * <p>The splits of one benchmark and setting ({@link #family}: the same params but {@code split})
 * are measured alike, in the same interleaved passes: the variance of each result's logs is
 * moderated with the others' of its run ({@link VarianceModeration}), so a result measured in two
 * or three passes is tested with the degrees of freedom of its family, not with one or two. The
 * test is then Welch's on the logs with the moderated variances and degrees of freedom, and the
 * ratio's interval is {@code ratio x exp(+-t x SE)} on the log scale. A result whose variance
 * exceeds its family's keeps its own.
 */
public final class RunComparator {
  /** Default share of the baseline's results that must be compared: 90%. */
  public static final double DEFAULT_MIN_COMPARED_SHARE = 0.9;

  private final double thresholdPercent;
  private final double alpha;
  private final double minComparedShare;
  private final IntervalMethod intervals;

  /**
   * @param thresholdPercent how much worse (in percent, >= 0) a result must be to count, e.g. 5
   * @param alpha significance level in (0, 1), e.g. 0.05
   */
  public RunComparator(double thresholdPercent, double alpha) {
    this(thresholdPercent, alpha, DEFAULT_MIN_COMPARED_SHARE);
  }

  /**
   * @param thresholdPercent how much worse (in percent, >= 0) a result must be to count, e.g. 5
   * @param alpha significance level in (0, 1), e.g. 0.05
   * @param minComparedShare the share in [0, 1] of the baseline's results that must get a verdict
   */
  public RunComparator(double thresholdPercent, double alpha, double minComparedShare) {
    this(thresholdPercent, alpha, minComparedShare, IntervalMethod.MODERATED);
  }

  /**
   * @param thresholdPercent how much worse (in percent, >= 0) a result must be to count, e.g. 5
   * @param alpha significance level in (0, 1), e.g. 0.05
   * @param minComparedShare the share in [0, 1] of the baseline's results that must get a verdict
   * @param intervals whether each result's variance is moderated with its family's or its own
   */
  public RunComparator(
      double thresholdPercent, double alpha, double minComparedShare, IntervalMethod intervals) {
    this.intervals = java.util.Objects.requireNonNull(intervals, "intervals");
    if (!(minComparedShare >= 0 && minComparedShare <= 1)) {
      throw new IllegalArgumentException(
          "minimum compared share: " + minComparedShare * 100 + "% (expected: 0% to 100%)");
    }
    this.minComparedShare = minComparedShare;
    if (!(thresholdPercent >= 0) || Double.isInfinite(thresholdPercent)) {
      throw new IllegalArgumentException(
          "threshold: " + thresholdPercent + "% (expected: a percentage >= 0)");
    }
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException(
          "alpha: " + alpha + " (expected: 0 < alpha < 1, e.g. 0.05)");
    }
    this.thresholdPercent = thresholdPercent;
    this.alpha = alpha;
  }

  /**
   * @param baseline the baseline run
   * @param current the current run
   * @return the comparison
   */
  public Comparison compare(Run baseline, Run current) {
    return compare(List.of(baseline), current, baseline.name(), List.of());
  }

  /**
   * Compares the newest run of a history with the pooled samples of the {@code window} runs before
   * it.
   *
   * @param history at least two runs, oldest first
   * @param window how many previous runs form the baseline, >= 1
   * @return the comparison, with a trend per result over the whole history
   */
  public Comparison compareHistory(List<Run> history, int window) {
    if (history.size() < 2) {
      throw new IllegalArgumentException(
          "history: " + history.size() + " runs (expected: at least 2)");
    }
    if (window < 1) {
      throw new IllegalArgumentException("window: " + window + " (expected: >= 1)");
    }
    Run current = history.get(history.size() - 1);
    List<Run> baseline = baselineWindow(history, window);
    String baselineName =
        baseline.size() == 1
            ? baseline.get(0).name()
            : baseline.get(0).name()
                + " .. "
                + baseline.get(baseline.size() - 1).name()
                + " ("
                + baseline.size()
                + " runs pooled)";
    return compare(baseline, current, baselineName, trends(history));
  }

  /**
   * @param history runs (or their paths), oldest first, at least two
   * @param window how many previous runs form the baseline, >= 1
   * @param <T> a run or where it was read from
   * @return the runs {@link #compareHistory} pools as the baseline: the {@code window} runs before
   *     the newest (fewer when the history is shorter), oldest first
   */
  public static <T> List<T> baselineWindow(List<T> history, int window) {
    return history.subList(Math.max(0, history.size() - 1 - window), history.size() - 1);
  }

  private Comparison compare(
      List<Run> baselines, Run current, String baselineName, List<Comparison.Trend> trends) {
    Map<String, List<JmhResult>> base = new TreeMap<>();
    for (Run run : baselines) {
      for (JmhResult r : run.results()) {
        base.computeIfAbsent(key(r), k -> new ArrayList<>()).add(r);
      }
    }
    Map<String, List<JmhResult>> cur = new TreeMap<>();
    for (JmhResult r : current.results()) {
      cur.computeIfAbsent(key(r), k -> new ArrayList<>()).add(r);
    }
    TreeSet<String> keys = new TreeSet<>(base.keySet());
    keys.addAll(cur.keySet());
    boolean moderate = intervals == IntervalMethod.MODERATED;
    Map<String, Moderated> moderatedBase = moderate ? moderate(base) : Map.of();
    Map<String, Moderated> moderatedCur = moderate ? moderate(cur) : Map.of();
    List<ResultComparison> raw = new ArrayList<>();
    for (String key : keys) {
      raw.add(
          compareOne(
              base.getOrDefault(key, List.of()),
              cur.getOrDefault(key, List.of()),
              moderatedBase.get(key),
              moderatedCur.get(key)));
    }
    double[] adjusted = Holm.adjust(raw.stream().mapToDouble(ResultComparison::pValue).toArray());
    List<ResultComparison> results = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      results.add(decide(raw.get(i), adjusted[i]));
    }
    boolean partitionsOnly =
        base.values().stream().anyMatch(list -> isPartitionResult(list.get(0)));
    int baselineResults = 0;
    int compared = 0;
    int i = 0;
    for (String key : keys) {
      ResultComparison r = results.get(i++);
      List<JmhResult> b = base.get(key);
      if (b == null || (partitionsOnly && !isPartitionResult(b.get(0)))) {
        continue;
      }
      baselineResults++;
      if (r.verdict() == Verdict.REGRESSION
          || r.verdict() == Verdict.IMPROVEMENT
          || r.verdict() == Verdict.NO_CHANGE) {
        compared++;
      }
    }
    List<FrontierChange> frontierChanges =
        frontierChanges(baselines.get(baselines.size() - 1), current);
    return new Comparison(
        baselineName,
        current.name(),
        thresholdPercent,
        alpha,
        results,
        frontierChanges,
        trends,
        minComparedShare,
        partitionsOnly ? "partition results" : "results",
        baselineResults,
        compared,
        null);
  }

  private static boolean isPartitionResult(JmhResult r) {
    return RunLoader.PARTITION_BENCHMARK.equals(r.className())
        && (r.method().equals("latency") || r.method().equals("throughput"));
  }

  /** The verdict of a result from its Holm-adjusted p-value. */
  private ResultComparison decide(ResultComparison r, double pAdjusted) {
    Verdict verdict = r.verdict();
    if (verdict == null) {
      if (!(pAdjusted < alpha) || Math.abs(r.worsePercent()) <= thresholdPercent) {
        verdict = Verdict.NO_CHANGE;
      } else {
        verdict = r.worsePercent() > 0 ? Verdict.REGRESSION : Verdict.IMPROVEMENT;
      }
    }
    return new ResultComparison(
        r.benchmark(),
        r.mode(),
        r.params(),
        r.unit(),
        r.direction(),
        r.baselineScore(),
        r.currentScore(),
        r.baselineSamples(),
        r.currentSamples(),
        r.ratio(),
        r.ratioLow(),
        r.ratioHigh(),
        r.worsePercent(),
        r.pValue(),
        verdict,
        pAdjusted);
  }

  /**
   * The variances of the logs of each result's samples, moderated with those of the other splits of
   * its family ({@link #family}) in the same run(s) ({@link VarianceModeration}); results with a
   * non-positive sample or fewer than two are absent.
   */
  private static Map<String, Moderated> moderate(Map<String, List<JmhResult>> byKey) {
    Map<String, List<String>> families = new LinkedHashMap<>();
    byKey.forEach(
        (key, list) ->
            families.computeIfAbsent(family(list.get(0)), f -> new ArrayList<>()).add(key));
    Map<String, Moderated> result = new HashMap<>();
    for (List<String> keys : families.values()) {
      List<Member> members = new ArrayList<>();
      for (String key : keys) {
        double[] v = samples(byKey.get(key));
        boolean positive = v.length >= 2 && Arrays.stream(v).allMatch(x -> x > 0);
        members.add(
            positive
                ? new Member(
                    StatUtils.variance(Arrays.stream(v).map(Math::log).toArray()), v.length - 1)
                : new Member(Double.NaN, 0));
      }
      List<Moderated> moderated = VarianceModeration.moderate(members);
      for (int i = 0; i < keys.size(); i++) {
        if (moderated.get(i).degreesOfFreedom() >= 1) {
          result.put(keys.get(i), moderated.get(i));
        }
      }
    }
    return result;
  }

  /** The results measured alike: the same benchmark, mode and params but {@code split}. */
  static String family(JmhResult r) {
    SortedMap<String, String> params = ResultIdentity.params(r.params());
    params.remove("split");
    return r.simpleName() + " " + r.mode() + " " + params;
  }

  private ResultComparison compareOne(
      List<JmhResult> baseline,
      List<JmhResult> current,
      Moderated moderatedBaseline,
      Moderated moderatedCurrent) {
    JmhResult any = current.isEmpty() ? baseline.get(0) : current.get(0);
    String unit = any.primary().unit();
    Units.Direction direction = Units.direction(unit);
    double[] b = samples(baseline);
    double[] c = samples(current);
    double meanB = b.length == 0 ? Double.NaN : StatUtils.mean(b);
    double meanC = c.length == 0 ? Double.NaN : StatUtils.mean(c);
    if (baseline.isEmpty() || current.isEmpty()) {
      return new ResultComparison(
          any.simpleName(),
          any.mode(),
          any.params(),
          unit,
          direction,
          meanB,
          meanC,
          b.length,
          c.length,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          baseline.isEmpty() ? Verdict.NEW : Verdict.MISSING,
          Double.NaN);
    }
    double ratio = meanC / meanB;
    double ratioLow = Double.NaN;
    double ratioHigh = Double.NaN;
    double p = Double.NaN;
    if (b.length >= 2 && c.length >= 2 && meanB != 0 && meanC != 0) {
      double vb = StatUtils.variance(b) / b.length;
      double vc = StatUtils.variance(c) / c.length;
      double relVar = vc / (meanC * meanC) + vb / (meanB * meanB);
      double se = Math.abs(ratio) * Math.sqrt(relVar);
      double df = welchDegreesOfFreedom(vb, vc, b.length, c.length);
      double t = new TDistribution(df).inverseCumulativeProbability(1 - alpha / 2);
      ratioLow = ratio - t * se;
      ratioHigh = ratio + t * se;
      p = welchP(b, c);
      if (moderatedBaseline != null
          && moderatedCurrent != null
          && (moderatedBaseline.pooled() || moderatedCurrent.pooled())) {
        double vlb = moderatedBaseline.relativeVariance() / b.length;
        double vlc = moderatedCurrent.relativeVariance() / c.length;
        double seLog = Math.sqrt(vlb + vlc);
        double dfLog =
            seLog == 0
                ? moderatedBaseline.degreesOfFreedom() + moderatedCurrent.degreesOfFreedom()
                : (vlb + vlc)
                    * (vlb + vlc)
                    / (vlb * vlb / moderatedBaseline.degreesOfFreedom()
                        + vlc * vlc / moderatedCurrent.degreesOfFreedom());
        TDistribution td = new TDistribution(null, Math.max(1, dfLog));
        double diff = meanLog(c) - meanLog(b);
        double tq = td.inverseCumulativeProbability(1 - alpha / 2);
        ratioLow = ratio * Math.exp(-tq * seLog);
        ratioHigh = ratio * Math.exp(tq * seLog);
        p =
            seLog == 0
                ? (diff == 0 ? 1 : 0)
                : 2 * (1 - td.cumulativeProbability(Math.abs(diff) / seLog));
      }
    }
    double worse =
        switch (direction) {
          case LOWER_IS_BETTER -> (ratio - 1) * 100;
          case HIGHER_IS_BETTER -> (1 - ratio) * 100;
          case UNKNOWN -> Double.NaN;
        };
    Verdict verdict = null;
    if (Double.isNaN(worse)
        || b.length < 2
        || c.length < 2
        || !Double.isFinite(ratio)
        || Double.isNaN(p)) {
      verdict = Verdict.INCONCLUSIVE;
      p = Double.NaN;
    }
    return new ResultComparison(
        any.simpleName(),
        any.mode(),
        any.params(),
        unit,
        direction,
        meanB,
        meanC,
        b.length,
        c.length,
        ratio,
        ratioLow,
        ratioHigh,
        worse,
        p,
        verdict,
        Double.NaN);
  }

  /**
   * Welch's two-sided t-test on the logarithms of the samples (on the samples when one is not
   * positive). Two constant samples give 1 when equal and 0 when not.
   */
  static double welchP(double[] baseline, double[] current) {
    boolean positive =
        Arrays.stream(baseline).allMatch(v -> v > 0) && Arrays.stream(current).allMatch(v -> v > 0);
    double[] b = positive ? Arrays.stream(baseline).map(Math::log).toArray() : baseline;
    double[] c = positive ? Arrays.stream(current).map(Math::log).toArray() : current;
    double vb = StatUtils.variance(b);
    double vc = StatUtils.variance(c);
    if (vb == 0 && vc == 0) {
      return StatUtils.mean(b) == StatUtils.mean(c) ? 1 : 0;
    }
    return new TTest().tTest(b, c);
  }

  private static double meanLog(double[] v) {
    return Arrays.stream(v).map(Math::log).average().orElse(Double.NaN);
  }

  private static double welchDegreesOfFreedom(double vb, double vc, int nb, int nc) {
    double numerator = (vb + vc) * (vb + vc);
    double denominator = vb * vb / (nb - 1) + vc * vc / (nc - 1);
    double df = denominator == 0 ? nb + nc - 2 : numerator / denominator;
    return Math.max(1, df);
  }

  private static double[] samples(List<JmhResult> results) {
    return results.stream()
        .flatMapToDouble(r -> Arrays.stream(r.primary().iterationScores()))
        .filter(Double::isFinite)
        .toArray();
  }

  /** Results with the same key are the same measurement in different files and runs. */
  static String key(JmhResult r) {
    return ResultIdentity.key(r);
  }

  private static List<FrontierChange> frontierChanges(Run baseline, Run current) {
    List<Objective> objectives =
        List.of(Objective.latency(LatencyStatistic.MEAN), Objective.throughput());
    Frontier fb = Frontier.compute(baseline.pointsByGroup(), objectives, false);
    Frontier fc = Frontier.compute(current.pointsByGroup(), objectives, false);
    TreeSet<GroupKey> groups = new TreeSet<>(fb.frontierByGroup().keySet());
    groups.addAll(fc.frontierByGroup().keySet());
    List<FrontierChange> changes = new ArrayList<>();
    for (GroupKey g : groups) {
      changes.add(
          new FrontierChange(
              g, splits(fb.frontierByGroup().get(g)), splits(fc.frontierByGroup().get(g))));
    }
    return changes;
  }

  private static List<String> splits(List<Point> points) {
    return points == null ? null : points.stream().map(Point::split).distinct().toList();
  }

  private static List<Comparison.Trend> trends(List<Run> history) {
    Map<String, JmhResult[]> byKey = new LinkedHashMap<>();
    for (int i = 0; i < history.size(); i++) {
      for (JmhResult r : history.get(i).results()) {
        byKey.computeIfAbsent(key(r), k -> new JmhResult[history.size()])[i] = r;
      }
    }
    List<String> names = history.stream().map(Run::name).toList();
    List<Comparison.Trend> trends = new ArrayList<>();
    new TreeMap<>(byKey)
        .forEach(
            (key, perRun) -> {
              double[] scores = new double[perRun.length];
              double[] errors = new double[perRun.length];
              JmhResult any = null;
              for (int i = 0; i < perRun.length; i++) {
                scores[i] = perRun[i] == null ? Double.NaN : perRun[i].primary().score();
                errors[i] = perRun[i] == null ? Double.NaN : perRun[i].primary().scoreError();
                any = perRun[i] == null ? any : perRun[i];
              }
              SortedMap<String, String> params = any.params();
              StringBuilder label = new StringBuilder(any.simpleName());
              params.forEach((k, v) -> label.append(' ').append(k).append('=').append(v));
              trends.add(
                  new Comparison.Trend(
                      label.toString(), any.primary().unit(), names, scores, errors));
            });
    return trends;
  }
}
