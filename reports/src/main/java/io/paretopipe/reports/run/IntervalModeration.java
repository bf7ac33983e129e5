package io.paretopipe.reports.run;

import io.paretopipe.reports.model.CostFigure;
import io.paretopipe.reports.model.MetricSamples;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.PointSamples;
import io.paretopipe.reports.stats.MeanInterval;
import io.paretopipe.reports.stats.VarianceModeration;
import io.paretopipe.reports.stats.VarianceModeration.Member;
import io.paretopipe.reports.stats.VarianceModeration.Moderated;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Moderates the 95% intervals of the mean latency and throughput of every point with those of the
 * other points of its family ({@link VarianceModeration}): the latencies of one group, and the
 * throughputs of one group and depth. A point's own relative variance of one unit is {@code SE^2 x
 * n / mean^2} ({@code n} its effective number of units); the moderated one gives the standard error
 * {@code mean x sqrt(v / n)} and the t quantile of the moderated degrees of freedom. Points with
 * fewer than two units keep an unknown interval. The CPU and energy figures of every point are
 * moderated the same way, each figure within its group and depth. Stateless.
 */
public final class IntervalModeration {

  private IntervalModeration() {}

  /**
   * @param points the run's points
   * @return the same points, in the same order, with moderated intervals
   */
  public static List<Point> apply(List<Point> points) {
    List<Point> result = new ArrayList<>(points);
    moderate(result, p -> p.group(), Metric.LATENCY);
    moderate(result, p -> p.group() + "|" + p.depth(), Metric.THROUGHPUT);
    moderateCosts(result);
    return result;
  }

  private enum Metric {
    LATENCY,
    THROUGHPUT;

    MetricSamples samples(PointSamples s) {
      return this == LATENCY ? s.latency() : s.throughput();
    }

    MeanInterval interval(PointSamples s) {
      return this == LATENCY ? s.latencyMean() : s.throughputMean();
    }

    PointSamples with(PointSamples s, MeanInterval i) {
      return this == LATENCY
          ? new PointSamples(s.latency(), s.throughput(), i, s.throughputMean(), s.percentiles())
          : new PointSamples(s.latency(), s.throughput(), s.latencyMean(), i, s.percentiles());
    }
  }

  /**
   * The CPU and energy figures of {@link io.paretopipe.reports.model.PointCosts}: each figure (e.g.
   * {@code cpu.total}, {@code energy}) of one group and depth is one family, as the throughput is
   * (their windows are the throughput method's).
   */
  private static void moderateCosts(List<Point> points) {
    Map<String, List<Integer>> families = new LinkedHashMap<>();
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      for (String name : p.costs().figures().keySet()) {
        families
            .computeIfAbsent(p.group() + "|" + p.depth() + "|" + name, k -> new ArrayList<>())
            .add(i);
      }
    }
    for (Map.Entry<String, List<Integer>> family : families.entrySet()) {
      String name = family.getKey().substring(family.getKey().lastIndexOf('|') + 1);
      List<Integer> indices = family.getValue();
      List<MetricSamples> samples = new ArrayList<>();
      List<MeanInterval> intervals = new ArrayList<>();
      for (int i : indices) {
        CostFigure f = points.get(i).costs().figures().get(name);
        samples.add(f.samples());
        intervals.add(f.interval());
      }
      List<MeanInterval> moderated = moderate(samples, intervals);
      for (int j = 0; j < indices.size(); j++) {
        Point p = points.get(indices.get(j));
        points.set(indices.get(j), p.withCosts(p.costs().withInterval(name, moderated.get(j))));
      }
    }
  }

  private static void moderate(List<Point> points, Function<Point, Object> family, Metric metric) {
    Map<Object, List<Integer>> families = new LinkedHashMap<>();
    for (int i = 0; i < points.size(); i++) {
      families.computeIfAbsent(family.apply(points.get(i)), k -> new ArrayList<>()).add(i);
    }
    for (List<Integer> indices : families.values()) {
      List<MetricSamples> samples = new ArrayList<>();
      List<MeanInterval> intervals = new ArrayList<>();
      for (int i : indices) {
        PointSamples s = points.get(i).samples();
        samples.add(metric.samples(s));
        intervals.add(metric.interval(s));
      }
      List<MeanInterval> moderated = moderate(samples, intervals);
      for (int j = 0; j < indices.size(); j++) {
        int i = indices.get(j);
        Point p = points.get(i);
        points.set(i, p.withSamples(metric.with(p.samples(), moderated.get(j))));
      }
    }
  }

  /**
   * Moderates one family: each member's relative variance of one unit, {@code SE^2 x n / mean^2},
   * with the others' ({@link VarianceModeration}).
   *
   * @param samples each member's units
   * @param intervals each member's own interval, same order
   * @return each member's interval, moderated where {@link VarianceModeration} pooled it, else the
   *     given one
   */
  static List<MeanInterval> moderate(List<MetricSamples> samples, List<MeanInterval> intervals) {
    List<Member> members = new ArrayList<>();
    double[] effectiveUnits = new double[samples.size()];
    for (int j = 0; j < samples.size(); j++) {
      MeanInterval interval = intervals.get(j);
      double n = samples.get(j).effectiveUnits();
      effectiveUnits[j] = n;
      double v =
          interval.known() && interval.estimate() != 0
              ? interval.standardError()
                  * interval.standardError()
                  * n
                  / (interval.estimate() * interval.estimate())
              : Double.NaN;
      members.add(new Member(v, interval.known() ? interval.units() - 1 : 0));
    }
    List<Moderated> moderated = VarianceModeration.moderate(members);
    List<MeanInterval> out = new ArrayList<>();
    for (int j = 0; j < samples.size(); j++) {
      Moderated m = moderated.get(j);
      out.add(
          m.pooled()
              ? intervals
                  .get(j)
                  .moderated(m.relativeVariance(), effectiveUnits[j], m.degreesOfFreedom())
              : intervals.get(j));
    }
    return out;
  }
}
