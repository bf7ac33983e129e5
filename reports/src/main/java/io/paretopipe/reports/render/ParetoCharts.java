package io.paretopipe.reports.render;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Phase;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.pareto.LatencyStatistic;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts of a {@code pareto} report, per group (so one panel per link condition): latency vs throughput with
 * the frontier line and split labels; stacked head / network / tail time per split; bytes at each cut; latency
 * percentile curves. A chart is only planned when its data exists. Stateless.
 */
public final class ParetoCharts {
  private ParetoCharts() {}

  /**
   * @param report the report
   * @return every chart, in page order: by section (model, transport, batch, variant), then kind, then link
   */
  public static List<ChartSpec> plan(ParetoReport report) {
    List<ChartSpec> specs = new ArrayList<>();
    int index = 0;
    for (Map.Entry<GroupKey, List<Point>> e : report.run().pointsByGroup().entrySet()) {
      GroupKey g = e.getKey();
      List<Point> points = e.getValue();
      String section = g.model() + " / " + g.transport() + " / batch " + g.batch()
          + (g.variant().isEmpty() ? "" : " / " + g.variant());
      String panel = "link " + g.link();
      String prefix = String.format(java.util.Locale.ROOT, "g%02d-", ++index);
      List<Point> frontier = report.frontier().frontierByGroup().getOrDefault(g, List.of());
      LatencyStatistic stat = report.latency();
      if (points.stream().anyMatch(p -> Double.isFinite(stat.valueMs(p)) && Double.isFinite(p.throughputImgS()))) {
        specs.add(new ChartSpec(section, "Latency vs throughput", panel, prefix + "latency-throughput.png",
            "latency (" + stat.label() + ") vs throughput, " + panel,
            () -> latencyThroughput(g, points, frontier, stat)));
      }
      if (points.stream().anyMatch(p -> !p.phaseMeanMs().isEmpty())) {
        specs.add(new ChartSpec(section, "Time per phase", panel, prefix + "phases.png",
            "mean time per phase and split, " + panel, () -> phases(g, points)));
      }
      if (points.stream().anyMatch(p -> p.bytes() >= 0)) {
        specs.add(new ChartSpec(section, "Bytes at the cut", panel, prefix + "bytes.png",
            "bytes sent at each cut, " + panel, () -> bytes(g, points)));
      }
      if (points.stream().anyMatch(p -> p.latencyPercentilesMs().size() > 1)) {
        specs.add(new ChartSpec(section, "Latency percentiles", panel, prefix + "percentiles.png",
            "latency percentile curves, " + panel, () -> percentiles(g, points)));
      }
    }
    return specs;
  }

  private static XYChart latencyThroughput(GroupKey g, List<Point> points, List<Point> frontier,
      LatencyStatistic stat) {
    XYChart chart = new XYChartBuilder().width(ChartStyle.WIDTH).height(ChartStyle.HEIGHT)
        .title("Latency vs throughput, link " + g.link())
        .xAxisTitle("latency " + stat.label() + " (ms)").yAxisTitle("throughput (images/s)").build();
    ChartStyle.apply(chart.getStyler());
    chart.getStyler().setXAxisDecimalPattern("0.###");
    chart.getStyler().setYAxisDecimalPattern("0.#");
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (Point p : points) {
      if (Double.isFinite(stat.valueMs(p)) && Double.isFinite(p.throughputImgS())) {
        xs.add(stat.valueMs(p));
        ys.add(p.throughputImgS());
      }
    }
    double yRange = ys.stream().mapToDouble(Double::doubleValue).max().orElse(1)
        - ys.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double labelOffset = (yRange > 0 ? yRange : Math.max(1, Math.abs(ys.isEmpty() ? 1 : ys.get(0)))) * 0.06;
    if (!ys.isEmpty()) {
      chart.getStyler().setYAxisMax(ys.stream().mapToDouble(Double::doubleValue).max().getAsDouble() + 2 * labelOffset);
    }
    for (int i = 0; i < xs.size(); i++) {
      Point p = labelled(points, stat).get(i);
      chart.addAnnotation(new AnnotationText("split " + p.split(), xs.get(i), ys.get(i) + labelOffset, false));
    }
    XYSeries all = chart.addSeries("all splits", xs, ys);
    all.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    all.setMarker(SeriesMarkers.CIRCLE);
    List<Point> line = new ArrayList<>(frontier);
    line.removeIf(p -> !Double.isFinite(stat.valueMs(p)) || !Double.isFinite(p.throughputImgS()));
    line.sort(Comparator.comparingDouble(stat::valueMs).thenComparingDouble(Point::throughputImgS));
    if (!line.isEmpty()) {
      XYSeries f = chart.addSeries("frontier", line.stream().map(stat::valueMs).toList(),
          line.stream().map(Point::throughputImgS).toList());
      f.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      f.setMarker(SeriesMarkers.DIAMOND);
    }
    return chart;
  }

  private static List<Point> labelled(List<Point> points, LatencyStatistic stat) {
    return points.stream()
        .filter(p -> Double.isFinite(stat.valueMs(p)) && Double.isFinite(p.throughputImgS())).toList();
  }

  private static CategoryChart phases(GroupKey g, List<Point> points) {
    CategoryChart chart = new CategoryChartBuilder().width(ChartStyle.WIDTH).height(ChartStyle.HEIGHT)
        .title("Mean time per phase, link " + g.link()).xAxisTitle("split").yAxisTitle("ms per request").build();
    ChartStyle.apply(chart.getStyler());
    chart.getStyler().setStacked(true);
    chart.getStyler().setYAxisDecimalPattern("0.###");
    List<String> splits = points.stream().map(p -> shortLabel(p, points).replace("split ", "")).toList();
    for (Phase phase : Phase.values()) {
      List<Double> ms = points.stream().map(p -> Double.isFinite(p.phaseMs(phase)) ? p.phaseMs(phase) : 0.0)
          .toList();
      chart.addSeries(phase.tag(), splits, ms);
    }
    return chart;
  }

  private static CategoryChart bytes(GroupKey g, List<Point> points) {
    CategoryChart chart = new CategoryChartBuilder().width(ChartStyle.WIDTH).height(ChartStyle.HEIGHT)
        .title("Bytes at the cut, link " + g.link()).xAxisTitle("split").yAxisTitle("KiB per request").build();
    ChartStyle.apply(chart.getStyler());
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setYAxisDecimalPattern("0.#");
    List<String> splits = points.stream().map(p -> shortLabel(p, points).replace("split ", "")).toList();
    chart.addSeries("KiB", splits, points.stream().map(p -> p.bytes() < 0 ? 0.0 : p.bytes() / 1024.0).toList());
    return chart;
  }

  private static XYChart percentiles(GroupKey g, List<Point> points) {
    XYChart chart = new XYChartBuilder().width(ChartStyle.WIDTH).height(ChartStyle.HEIGHT)
        .title("Latency by percentile, link " + g.link()).xAxisTitle("percentile nines: 0 = p0, 1 = p90, 2 = p99, 3 = p99.9, 4 = p99.99").yAxisTitle("latency (ms)")
        .build();
    ChartStyle.apply(chart.getStyler());
    chart.getStyler().setXAxisTickMarkSpacingHint(60);
    chart.getStyler().setYAxisDecimalPattern("0.###");
    chart.getStyler().setXAxisDecimalPattern("0.#");
    chart.getStyler().setMarkerSize(4);
    for (Point p : points) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      p.latencyPercentilesMs().forEach((pct, ms) -> {
        if (pct < 100 && Double.isFinite(ms)) {
          xs.add(-Math.log10(1 - pct / 100));
          ys.add(ms);
        }
      });
      if (xs.size() > 1) {
        chart.addSeries(shortLabel(p, points), xs, ys).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      }
    }
    return chart;
  }

  /** {@code split 3}, or {@code split 3 depth 4} when the group has points at several depths. */
  static String shortLabel(Point p, List<Point> group) {
    return group.stream().map(Point::depth).distinct().count() > 1 ? p.label() : "split " + p.split();
  }
}
