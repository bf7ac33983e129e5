package io.paretopipe.reports.render;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.pareto.FrontierClass;
import io.paretopipe.reports.pareto.LatencyStatistic;
import io.paretopipe.reports.pareto.ParetoFrontier;
import io.paretopipe.reports.pareto.PointConfidence;
import io.paretopipe.reports.stats.MeanInterval;
import io.paretopipe.reports.stats.PercentileEstimate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The data of one group's latency-throughput chart, in one place for every renderer that draws it
 * (the PNG of {@link ParetoCharts}; an interactive page can take the same): each point with its 95%
 * interval on both axes, its class and probability, and the exact frontier of the estimates as a
 * line. Immutable.
 *
 * @param group the group
 * @param latency the latency statistic on the x axis
 * @param markers the plotted points (those with both values known), in point order
 * @param estimateFrontier the markers on the exact frontier of the estimates, by latency
 */
public record FrontierPlot(
    GroupKey group, LatencyStatistic latency, List<Marker> markers, List<Marker> estimateFrontier) {

  /**
   * One plotted point. Unknown interval ends are NaN.
   *
   * @param label the split label ({@link Point#splitLabel})
   * @param latencyMs x
   * @param latencyLowMs lower end of x's 95% interval
   * @param latencyHighMs upper end
   * @param throughputImgS y
   * @param throughputLowImgS lower end of y's 95% interval
   * @param throughputHighImgS upper end
   * @param frontierClass its class, null when unknown
   * @param probability its probability of being on the frontier, NaN when unknown
   */
  public record Marker(
      String label,
      double latencyMs,
      double latencyLowMs,
      double latencyHighMs,
      double throughputImgS,
      double throughputLowImgS,
      double throughputHighImgS,
      FrontierClass frontierClass,
      double probability) {}

  /**
   * @return the plot of {@code group}
   */
  public static FrontierPlot of(ParetoReport report, GroupKey group, List<Point> points) {
    LatencyStatistic stat = report.latency();
    List<Marker> markers = new ArrayList<>();
    for (Point p : points) {
      double x = stat.valueMs(p);
      double y = p.throughputImgS();
      if (!Double.isFinite(x) || !Double.isFinite(y)) {
        continue;
      }
      double xLow;
      double xHigh;
      if (stat == LatencyStatistic.MEAN) {
        MeanInterval i = p.samples().latencyMean();
        xLow = i.low();
        xHigh = i.high();
      } else {
        PercentileEstimate e = p.samples().percentile(stat.percentile());
        xLow = e == null ? Double.NaN : e.lowMs();
        xHigh = e == null ? Double.NaN : e.highMs();
      }
      PointConfidence c = report.frontier().confidenceOf(p);
      markers.add(
          new Marker(
              p.splitLabel(points),
              x,
              xLow,
              xHigh,
              y,
              p.samples().throughputMean().low(),
              p.samples().throughputMean().high(),
              c.frontierClass(),
              c.probability()));
    }
    double[][] values = new double[markers.size()][];
    for (int i = 0; i < markers.size(); i++) {
      values[i] = new double[] {markers.get(i).latencyMs(), -markers.get(i).throughputImgS()};
    }
    boolean[] on = ParetoFrontier.compute(values);
    List<Marker> line = new ArrayList<>();
    for (int i = 0; i < markers.size(); i++) {
      if (on[i]) {
        line.add(markers.get(i));
      }
    }
    line.sort(
        Comparator.comparingDouble(Marker::latencyMs).thenComparingDouble(Marker::throughputImgS));
    return new FrontierPlot(group, stat, markers, line);
  }
}
