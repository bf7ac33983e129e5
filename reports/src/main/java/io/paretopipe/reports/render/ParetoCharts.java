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
 * The charts of a {@code pareto} report, per group (so one panel per link condition): latency vs
 * throughput with the frontier line and split labels; stacked head / network / tail time per split;
 * bytes at each cut; latency percentile curves. Per section measured under two or more links: the
 * best-latency and best-throughput split per link, links from the fastest to the slowest ({@link
 * BestSplitByLink}). A chart is only planned when its data exists. Stateless.
 */
public final class ParetoCharts {
  private ParetoCharts() {}

  /**
   * @param report the report
   * @return every chart, in page order: by section (model, transport, batch, variant), then kind,
   *     then link
   */
  public static List<ChartSpec> plan(ParetoReport report) {
    List<ChartSpec> specs = new ArrayList<>();
    int index = 0;
    for (Map.Entry<GroupKey, List<Point>> e : report.run().pointsByGroup().entrySet()) {
      GroupKey g = e.getKey();
      List<Point> points = e.getValue();
      String section =
          g.model()
              + " / "
              + g.transport()
              + " / batch "
              + g.batch()
              + (g.variant().isEmpty() ? "" : " / " + g.variant());
      String panel = "link " + g.link();
      String prefix = String.format(java.util.Locale.ROOT, "g%02d-", ++index);
      List<Point> frontier = report.frontier().frontierByGroup().getOrDefault(g, List.of());
      LatencyStatistic stat = report.latency();
      if (points.stream()
          .anyMatch(p -> Double.isFinite(stat.valueMs(p)) && Double.isFinite(p.throughputImgS()))) {
        specs.add(
            new ChartSpec(
                section,
                "Latency vs throughput",
                panel,
                prefix + "latency-throughput.png",
                "latency (" + stat.label() + ") vs throughput, " + panel,
                () -> latencyThroughput(g, points, frontier, stat)));
      }
      if (points.stream().anyMatch(p -> !p.phaseMeanMs().isEmpty())) {
        specs.add(
            new ChartSpec(
                section,
                "Time per phase",
                panel,
                prefix + "phases.png",
                "mean time per phase and split, " + panel,
                () -> phases(g, points)));
      }
      if (points.stream().anyMatch(p -> p.bytes() >= 0)) {
        specs.add(
            new ChartSpec(
                section,
                "Bytes at the cut",
                panel,
                prefix + "bytes.png",
                "bytes sent at each cut, " + panel,
                () -> bytes(g, points)));
      }
      if (points.stream().anyMatch(p -> p.latencyPercentilesMs().size() > 1)) {
        specs.add(
            new ChartSpec(
                section,
                "Latency percentiles",
                panel,
                prefix + "percentiles.png",
                "latency percentile curves, " + panel,
                () -> percentiles(g, points)));
      }
    }
    int sectionIndex = 0;
    for (Map.Entry<String, List<BestSplitByLink.Entry>> e : BestSplitByLink.of(report).entrySet()) {
      String file =
          String.format(java.util.Locale.ROOT, "s%02d-best-split-by-link.png", ++sectionIndex);
      String section = e.getKey();
      List<BestSplitByLink.Entry> entries = e.getValue();
      specs.add(
          new ChartSpec(
              section,
              BEST_SPLIT_KIND,
              "measured, links from the fastest to the slowest",
              file,
              "best measured split per link, " + section,
              () -> bestSplitByLink(section, entries, report.latency())));
    }
    return specs;
  }

  /** The chart kind (HTML heading) of the best split against the link. */
  public static final String BEST_SPLIT_KIND = "Best split as the link gets slower";

  private static CategoryChart bestSplitByLink(
      String section, List<BestSplitByLink.Entry> entries, LatencyStatistic stat) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(ChartStyle.WIDTH)
            .height(ChartStyle.HEIGHT)
            .title("Best split by link, " + section.substring(0, section.indexOf(" / ")))
            .xAxisTitle("link, fastest first (rate each way)")
            .yAxisTitle("split")
            .build();
    ChartStyle.apply(chart.getStyler());
    chart.getStyler().setYAxisDecimalPattern("0");
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setMarkerSize(8);
    chart.getStyler().setOverlapped(true);
    chart.getStyler().setXAxisLabelRotation(entries.size() > 3 ? 20 : 0);
    List<String> labels = entries.stream().map(BestSplitByLink.Entry::axisLabel).toList();
    int cuts =
        entries.stream()
            .flatMap(e -> java.util.stream.Stream.of(e.bestLatency(), e.bestThroughput()))
            .flatMap(java.util.Optional::stream)
            .mapToInt(p -> p.split().split(":").length)
            .max()
            .orElse(1);
    for (int c = 0; c < cuts; c++) {
      int cut = c;
      String suffix = cuts == 1 ? "" : ", cut " + (c + 1);
      addBestSeries(
          chart,
          "lowest latency (" + stat.label() + ")" + suffix,
          labels,
          entries.stream().map(e -> cutOf(e.bestLatency(), cut)).toList(),
          SeriesMarkers.CIRCLE);
      addBestSeries(
          chart,
          "highest throughput" + suffix,
          labels,
          entries.stream().map(e -> cutOf(e.bestThroughput(), cut)).toList(),
          SeriesMarkers.DIAMOND);
    }
    return chart;
  }

  private static void addBestSeries(
      CategoryChart chart,
      String name,
      List<String> labels,
      List<Double> values,
      org.knowm.xchart.style.markers.Marker marker) {
    List<String> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      xs.add(labels.get(i));
      ys.add(values.get(i));
    }
    org.knowm.xchart.CategorySeries s = chart.addSeries(name, xs, ys);
    s.setChartCategorySeriesRenderStyle(
        org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Line);
    s.setMarker(marker);
  }

  private static Double cutOf(java.util.Optional<Point> point, int cut) {
    if (point.isEmpty()) {
      return null;
    }
    String[] parts = point.get().split().split(":");
    try {
      return cut < parts.length ? Double.valueOf(parts[cut].trim()) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static XYChart latencyThroughput(
      GroupKey g, List<Point> points, List<Point> frontier, LatencyStatistic stat) {
    XYChart chart =
        new XYChartBuilder()
            .width(ChartStyle.WIDTH)
            .height(ChartStyle.HEIGHT)
            .title("Latency vs throughput, link " + g.link())
            .xAxisTitle("latency " + stat.label() + " (ms)")
            .yAxisTitle("throughput (images/s)")
            .build();
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
    double yRange =
        ys.stream().mapToDouble(Double::doubleValue).max().orElse(1)
            - ys.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double labelOffset =
        (yRange > 0 ? yRange : Math.max(1, Math.abs(ys.isEmpty() ? 1 : ys.get(0)))) * 0.06;
    if (!ys.isEmpty()) {
      chart
          .getStyler()
          .setYAxisMax(
              ys.stream().mapToDouble(Double::doubleValue).max().getAsDouble() + 2 * labelOffset);
    }
    for (int i = 0; i < xs.size(); i++) {
      Point p = labelled(points, stat).get(i);
      chart.addAnnotation(
          new AnnotationText("split " + p.split(), xs.get(i), ys.get(i) + labelOffset, false));
    }
    XYSeries all = chart.addSeries("all splits", xs, ys);
    all.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    all.setMarker(SeriesMarkers.CIRCLE);
    List<Point> line = new ArrayList<>(frontier);
    line.removeIf(p -> !Double.isFinite(stat.valueMs(p)) || !Double.isFinite(p.throughputImgS()));
    line.sort(Comparator.comparingDouble(stat::valueMs).thenComparingDouble(Point::throughputImgS));
    if (!line.isEmpty()) {
      XYSeries f =
          chart.addSeries(
              "frontier",
              line.stream().map(stat::valueMs).toList(),
              line.stream().map(Point::throughputImgS).toList());
      f.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      f.setMarker(SeriesMarkers.DIAMOND);
    }
    return chart;
  }

  private static List<Point> labelled(List<Point> points, LatencyStatistic stat) {
    return points.stream()
        .filter(p -> Double.isFinite(stat.valueMs(p)) && Double.isFinite(p.throughputImgS()))
        .toList();
  }

  private static CategoryChart phases(GroupKey g, List<Point> points) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(ChartStyle.WIDTH)
            .height(ChartStyle.HEIGHT)
            .title("Mean time per phase, link " + g.link())
            .xAxisTitle("split")
            .yAxisTitle("ms per request")
            .build();
    ChartStyle.apply(chart.getStyler());
    chart.getStyler().setStacked(true);
    chart.getStyler().setYAxisDecimalPattern("0.###");
    List<String> splits =
        points.stream().map(p -> shortLabel(p, points).replace("split ", "")).toList();
    for (Phase phase : Phase.values()) {
      List<Double> ms =
          points.stream()
              .map(p -> Double.isFinite(p.phaseMs(phase)) ? p.phaseMs(phase) : 0.0)
              .toList();
      chart.addSeries(phase.tag(), splits, ms);
    }
    return chart;
  }

  private static CategoryChart bytes(GroupKey g, List<Point> points) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(ChartStyle.WIDTH)
            .height(ChartStyle.HEIGHT)
            .title("Bytes at the cut, link " + g.link())
            .xAxisTitle("split")
            .yAxisTitle("KiB per request")
            .build();
    ChartStyle.apply(chart.getStyler());
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setYAxisDecimalPattern("0.#");
    List<String> splits =
        points.stream().map(p -> shortLabel(p, points).replace("split ", "")).toList();
    chart.addSeries(
        "KiB", splits, points.stream().map(p -> p.bytes() < 0 ? 0.0 : p.bytes() / 1024.0).toList());
    return chart;
  }

  private static XYChart percentiles(GroupKey g, List<Point> points) {
    XYChart chart =
        new XYChartBuilder()
            .width(ChartStyle.WIDTH)
            .height(ChartStyle.HEIGHT)
            .title("Latency by percentile, link " + g.link())
            .xAxisTitle("percentile nines: 0 = p0, 1 = p90, 2 = p99, 3 = p99.9, 4 = p99.99")
            .yAxisTitle("latency (ms)")
            .build();
    ChartStyle.apply(chart.getStyler());
    chart.getStyler().setXAxisTickMarkSpacingHint(60);
    chart.getStyler().setYAxisDecimalPattern("0.###");
    chart.getStyler().setXAxisDecimalPattern("0.#");
    chart.getStyler().setMarkerSize(4);
    for (Point p : points) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      p.latencyPercentilesMs()
          .forEach(
              (pct, ms) -> {
                if (pct < 100 && Double.isFinite(ms)) {
                  xs.add(-Math.log10(1 - pct / 100));
                  ys.add(ms);
                }
              });
      if (xs.size() > 1) {
        chart
            .addSeries(shortLabel(p, points), xs, ys)
            .setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      }
    }
    return chart;
  }

  /** {@code split 3}, or {@code split 3 depth 4} when the group has points at several depths. */
  static String shortLabel(Point p, List<Point> group) {
    return group.stream().map(Point::depth).distinct().count() > 1
        ? p.label()
        : "split " + p.split();
  }
}
