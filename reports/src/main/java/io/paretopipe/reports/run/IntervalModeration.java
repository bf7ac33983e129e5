package io.paretopipe.reports.run;

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
 * fewer than two units keep an unknown interval. Stateless.
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

  private static void moderate(List<Point> points, Function<Point, Object> family, Metric metric) {
    Map<Object, List<Integer>> families = new LinkedHashMap<>();
    for (int i = 0; i < points.size(); i++) {
      families.computeIfAbsent(family.apply(points.get(i)), k -> new ArrayList<>()).add(i);
    }
    for (List<Integer> indices : families.values()) {
      List<Member> members = new ArrayList<>();
      double[] effectiveUnits = new double[indices.size()];
      for (int j = 0; j < indices.size(); j++) {
        PointSamples s = points.get(indices.get(j)).samples();
        MeanInterval interval = metric.interval(s);
        double n = metric.samples(s).effectiveUnits();
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
      for (int j = 0; j < indices.size(); j++) {
        Moderated m = moderated.get(j);
        if (!m.pooled()) {
          continue;
        }
        int i = indices.get(j);
        Point p = points.get(i);
        PointSamples s = p.samples();
        MeanInterval interval =
            metric
                .interval(s)
                .moderated(m.relativeVariance(), effectiveUnits[j], m.degreesOfFreedom());
        points.set(i, p.withSamples(metric.with(s, interval)));
      }
    }
  }
}
