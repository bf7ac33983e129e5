package io.paretopipe.reports.render;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.pareto.Objective;
import io.paretopipe.reports.pareto.ParetoFrontier;
import io.paretopipe.reports.pareto.PointConfidence;
import io.paretopipe.reports.stats.MeanInterval;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * With three or more objectives ({@code pareto --objectives latency,throughput,energy}), the 2-D
 * projections of each group's frontier: one PNG per pair of objectives, {@code
 * charts/gNN-proj-<a>-<b>.png}, every point at its two values with their 95% intervals, marked by
 * its class on all the objectives (so a point that is on the frontier may look dominated in one
 * projection: another objective keeps it), and the line of the frontier of the estimates on the
 * pair alone. With two objectives or fewer there are none (the latency-throughput chart is the
 * frontier). Stateless.
 */
public final class ObjectiveProjections {

  /** The chart kind (HTML heading). */
  public static final String KIND = "Frontier projections (pairs of objectives)";

  private ObjectiveProjections() {}

  /**
   * @return the projection charts of every group, in group order then pair order
   */
  public static List<ChartSpec> plan(ParetoReport report) {
    List<Objective> objectives = report.frontier().objectives();
    List<ChartSpec> specs = new ArrayList<>();
    if (objectives.size() < 3) {
      return specs;
    }
    int index = 0;
    for (Map.Entry<GroupKey, List<Point>> e : report.run().pointsByGroup().entrySet()) {
      GroupKey g = e.getKey();
      List<Point> points = e.getValue();
      String prefix = String.format(Locale.ROOT, "g%02d-proj-", ++index);
      for (int a = 0; a < objectives.size(); a++) {
        for (int b = a + 1; b < objectives.size(); b++) {
          Objective x = objectives.get(a);
          Objective y = objectives.get(b);
          FrontierPlot plot = plot(report, g, points, x, y);
          if (plot.markers().isEmpty()) {
            continue;
          }
          specs.add(
              new ChartSpec(
                  BestSplitByLink.section(g),
                  KIND,
                  GroupTitles.link(g) + ": " + shortName(x) + " vs " + shortName(y),
                  prefix + shortName(x) + "-" + shortName(y) + ".png",
                  x.name() + " vs " + y.name() + ", " + GroupTitles.link(g),
                  () ->
                      ParetoCharts.scatter(
                              plot,
                              x.name()
                                  + " vs "
                                  + y.name()
                                  + ": "
                                  + g.model()
                                  + " over "
                                  + g.transport()
                                  + ", "
                                  + GroupTitles.link(g),
                              axis(x) + "; bars: 95% intervals",
                              axis(y))
                          .chart()));
        }
      }
    }
    return specs;
  }

  /** The plot of one pair: markers at (x, y), the line of the pair's frontier of the estimates. */
  static FrontierPlot plot(
      ParetoReport report, GroupKey g, List<Point> points, Objective x, Objective y) {
    List<FrontierPlot.Marker> markers = new ArrayList<>();
    List<double[]> minimizable = new ArrayList<>();
    for (Point p : points) {
      double vx = x.value().applyAsDouble(p);
      double vy = y.value().applyAsDouble(p);
      if (!Double.isFinite(vx) || !Double.isFinite(vy)) {
        continue;
      }
      MeanInterval ix = x.interval(p);
      MeanInterval iy = y.interval(p);
      PointConfidence c = report.frontier().confidenceOf(p);
      markers.add(
          new FrontierPlot.Marker(
              p.splitLabel(points),
              vx,
              ix.low(),
              ix.high(),
              vy,
              iy.low(),
              iy.high(),
              c.frontierClass(),
              c.probability()));
      minimizable.add(new double[] {x.minimize() ? vx : -vx, y.minimize() ? vy : -vy});
    }
    boolean[] on = ParetoFrontier.compute(minimizable.toArray(double[][]::new));
    List<FrontierPlot.Marker> line = new ArrayList<>();
    for (int i = 0; i < markers.size(); i++) {
      if (on[i]) {
        line.add(markers.get(i));
      }
    }
    line.sort(
        Comparator.comparingDouble(FrontierPlot.Marker::latencyMs)
            .thenComparingDouble(FrontierPlot.Marker::throughputImgS));
    return new FrontierPlot(g, report.latency(), markers, line);
  }

  private static String shortName(Objective o) {
    return switch (o.sampling()) {
      case LATENCY_MEAN, LATENCY_PERCENTILE -> "latency";
      case THROUGHPUT -> "throughput";
      case CPU -> "cpu";
      case ENERGY -> "energy";
      case FIXED -> o.name().replace("_ms", "");
    };
  }

  private static String axis(Objective o) {
    String better = o.minimize() ? "lower is better" : "higher is better";
    return switch (o.sampling()) {
      case LATENCY_MEAN, LATENCY_PERCENTILE -> o.name().replace("_ms", "") + " (ms), " + better;
      case THROUGHPUT -> "throughput (images/s), " + better;
      case CPU -> "CPU time (ms per image), " + better;
      case ENERGY -> "energy (J per image), " + better;
      case FIXED -> o.name() + ", " + better;
    };
  }
}
