package io.paretopipe.reports.compare;

import io.paretopipe.reports.jmh.JmhResult;
import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.pareto.Frontier;
import io.paretopipe.reports.pareto.LatencyStatistic;
import io.paretopipe.reports.pareto.Objective;
import io.paretopipe.reports.run.Units;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.inference.MannWhitneyUTest;

/**
 * Compares runs. Stateless apart from its settings; thread-safe.
 *
 * <p>Per result (same benchmark method, mode and params in both runs) the samples are JMH's
 * per-iteration scores of every fork ({@code rawData}, or for SampleTime each iteration's mean from
 * {@code rawDataHistogram}). The ratio is {@code mean(current) / mean(baseline)} with a
 * delta-method confidence interval (Student t, Welch-Satterthwaite degrees of freedom, level {@code
 * 1 - alpha}); the p-value is the two-sided Mann-Whitney U test of the two sample sets. A
 * regression is called only when {@code p < alpha} and the result is worse by more than the
 * threshold.
 */
public final class RunComparator {
  private final double thresholdPercent;
  private final double alpha;

  /**
   * @param thresholdPercent how much worse (in percent, >= 0) a result must be to count, e.g. 5
   * @param alpha significance level in (0, 1), e.g. 0.05
   */
  public RunComparator(double thresholdPercent, double alpha) {
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
    List<Run> baseline =
        history.subList(Math.max(0, history.size() - 1 - window), history.size() - 1);
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
    List<ResultComparison> results = new ArrayList<>();
    for (String key : keys) {
      results.add(compareOne(base.getOrDefault(key, List.of()), cur.getOrDefault(key, List.of())));
    }
    List<FrontierChange> frontierChanges =
        frontierChanges(baselines.get(baselines.size() - 1), current);
    return new Comparison(
        baselineName, current.name(), thresholdPercent, alpha, results, frontierChanges, trends);
  }

  private ResultComparison compareOne(List<JmhResult> baseline, List<JmhResult> current) {
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
          baseline.isEmpty() ? Verdict.NEW : Verdict.MISSING);
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
      p = new MannWhitneyUTest().mannWhitneyUTest(b, c);
    }
    double worse =
        switch (direction) {
          case LOWER_IS_BETTER -> (ratio - 1) * 100;
          case HIGHER_IS_BETTER -> (1 - ratio) * 100;
          case UNKNOWN -> Double.NaN;
        };
    Verdict verdict;
    if (Double.isNaN(worse) || b.length < 2 || c.length < 2 || !Double.isFinite(ratio)) {
      verdict = Verdict.INCONCLUSIVE;
    } else if (!(p < alpha) || Math.abs(worse) <= thresholdPercent) {
      verdict = Verdict.NO_CHANGE;
    } else {
      verdict = worse > 0 ? Verdict.REGRESSION : Verdict.IMPROVEMENT;
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
        verdict);
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

  /** Results with the same key are the same measurement in different runs. */
  static String key(JmhResult r) {
    return r.simpleName() + " " + r.mode() + " " + r.params();
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
