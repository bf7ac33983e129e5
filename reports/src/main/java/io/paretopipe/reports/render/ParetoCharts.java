package io.paretopipe.reports.render;

import io.paretopipe.format.Phase;
import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.pareto.FrontierClass;
import io.paretopipe.reports.pareto.LatencyStatistic;
import java.util.ArrayList;
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
 * throughput ({@link FrontierPlot}: 95% interval bars on both axes, markers by frontier class, the
 * frontier of the estimates as a line, split labels); stacked head / network / tail time per split;
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
      String section = BestSplitByLink.section(g);
      String panel = GroupTitles.link(g);
      String prefix = String.format(java.util.Locale.ROOT, "g%02d-", ++index);
      LatencyStatistic stat = report.latency();
      if (points.stream()
          .anyMatch(p -> Double.isFinite(stat.valueMs(p)) && Double.isFinite(p.throughputImgS()))) {
        specs.add(
            new ChartSpec(
                section,
                LATENCY_THROUGHPUT_KIND,
                panel,
                prefix + "latency-throughput.png",
                "latency (" + stat.label() + ") vs throughput, " + panel,
                () -> latencyThroughput(FrontierPlot.of(report, g, points)).chart()));
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
    specs.addAll(ObjectiveProjections.plan(report));
    return specs;
  }

  /** The chart kind (HTML heading) of latency against throughput. */
  public static final String LATENCY_THROUGHPUT_KIND = "Latency vs throughput";

  /** The chart kind (HTML heading) of the best split against the link. */
  public static final String BEST_SPLIT_KIND = "Best split as the link gets slower";

  private static CategoryChart bestSplitByLink(
      String section, List<BestSplitByLink.Entry> entries, LatencyStatistic stat) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(ChartStyle.WIDTH)
            .height(ChartStyle.HEIGHT)
            .title("Best split by link, " + entries.get(0).group().model())
            .xAxisTitle("link, fastest first (rate each way)")
            .yAxisTitle("split (cut index)")
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

  /** Width of the latency-throughput PNG, px: wide enough for 20 labelled splits. */
  static final int SCATTER_WIDTH = 960;

  /** Height of the latency-throughput PNG, px. */
  static final int SCATTER_HEIGHT = 620;

  /** Half the size of a scatter marker, px. */
  private static final int MARKER_RADIUS = 5;

  /**
   * A latency-throughput chart with its split labels placed by {@link LabelPlacer}.
   *
   * @param chart the chart, labels added
   * @param plotArea the plot area, px
   * @param labels where each split label went, px
   */
  record LabelledChart(
      XYChart chart, LabelPlacer.Box plotArea, List<LabelPlacer.Placement> labels) {}

  static LabelledChart latencyThroughput(FrontierPlot plot) {
    GroupKey g = plot.group();
    return scatter(
        plot,
        "Latency vs throughput: "
            + g.model()
            + " over "
            + g.transport()
            + ", "
            + GroupTitles.link(g)
            + ", batch "
            + g.batch(),
        "latency, " + plot.latency().label() + " (ms); bars: 95% intervals",
        "throughput (images/s)");
  }

  /**
   * The scatter of a {@link FrontierPlot} whose markers hold any two figures ({@code latencyMs} as
   * x, {@code throughputImgS} as y): intervals, markers by class, the line of {@code
   * estimateFrontier}, split labels.
   */
  static LabelledChart scatter(FrontierPlot plot, String title, String xTitle, String yTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(SCATTER_WIDTH)
            .height(SCATTER_HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    ChartStyle.apply(chart.getStyler());
    chart.getStyler().setXAxisDecimalPattern("0.###");
    chart.getStyler().setYAxisDecimalPattern("0.#");
    chart.getStyler().setMarkerSize(2 * MARKER_RADIUS);
    List<FrontierPlot.Marker> markers = plot.markers();
    if (!markers.isEmpty()) {
      double[] x = range(markers, true);
      double[] y = range(markers, false);
      chart.getStyler().setXAxisMin(x[0]);
      chart.getStyler().setXAxisMax(x[1]);
      chart.getStyler().setYAxisMin(y[0]);
      chart.getStyler().setYAxisMax(y[1]);
    }
    int bar = 0;
    for (FrontierPlot.Marker m : markers) {
      if (Double.isFinite(m.latencyLowMs()) && Double.isFinite(m.latencyHighMs())) {
        errorBar(
            chart,
            "x" + bar,
            List.of(m.latencyLowMs(), m.latencyHighMs()),
            List.of(m.throughputImgS(), m.throughputImgS()));
      }
      if (Double.isFinite(m.throughputLowImgS()) && Double.isFinite(m.throughputHighImgS())) {
        errorBar(
            chart,
            "y" + bar,
            List.of(m.latencyMs(), m.latencyMs()),
            List.of(m.throughputLowImgS(), m.throughputHighImgS()));
      }
      bar++;
    }
    for (FrontierClass c : FrontierClass.values()) {
      addClass(chart, markers, c, c.label() + CLASS_LEGEND.get(c));
    }
    addClass(chart, markers, null, "not classified");
    List<FrontierPlot.Marker> line = plot.estimateFrontier();
    if (!line.isEmpty()) {
      XYSeries f =
          chart.addSeries(
              "frontier of the estimates",
              line.stream().map(FrontierPlot.Marker::latencyMs).toList(),
              line.stream().map(FrontierPlot.Marker::throughputImgS).toList());
      f.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      f.setMarker(SeriesMarkers.NONE);
      f.setLineColor(new java.awt.Color(0x1f, 0x5f, 0xbf));
    }
    return placeLabels(chart, markers);
  }

  /**
   * Lays the chart out once (fixed axes, so the layout of the final drawing is the same), then
   * places the split labels in pixel space and adds them, with leader lines where a label had to
   * move away from its marker.
   */
  private static LabelledChart placeLabels(XYChart chart, List<FrontierPlot.Marker> markers) {
    java.awt.image.BufferedImage scratch =
        new java.awt.image.BufferedImage(
            chart.getWidth(), chart.getHeight(), java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g2 = scratch.createGraphics();
    try {
      chart.paint(g2, chart.getWidth(), chart.getHeight());
    } finally {
      g2.dispose();
    }
    double left = chart.getScreenXFromChart(chart.getStyler().getXAxisMin());
    double right = chart.getScreenXFromChart(chart.getStyler().getXAxisMax());
    double top = chart.getScreenYFromChart(chart.getStyler().getYAxisMax());
    double bottom = chart.getScreenYFromChart(chart.getStyler().getYAxisMin());
    LabelPlacer.Box plotArea = new LabelPlacer.Box(left, top, right - left, bottom - top);
    java.awt.Font font = chart.getStyler().getAnnotationTextFont();
    java.awt.font.FontRenderContext frc = new java.awt.font.FontRenderContext(null, true, true);
    List<FrontierPlot.Marker> order = new ArrayList<>(markers);
    order.sort(
        java.util.Comparator.comparingInt((FrontierPlot.Marker m) -> classRank(m.frontierClass()))
            .thenComparing(
                java.util.Comparator.comparingDouble(FrontierPlot.Marker::throughputImgS)
                    .reversed()));
    List<LabelPlacer.Label> labels = new ArrayList<>();
    List<java.awt.geom.Rectangle2D> outlines = new ArrayList<>();
    for (FrontierPlot.Marker m : order) {
      java.awt.geom.Rectangle2D outline =
          new java.awt.font.TextLayout(m.label(), font, frc).getOutline(null).getBounds2D();
      outlines.add(outline);
      labels.add(
          new LabelPlacer.Label(
              m.label(),
              chart.getScreenXFromChart(m.latencyMs()),
              chart.getScreenYFromChart(m.throughputImgS()),
              outline.getWidth(),
              outline.getHeight()));
    }
    List<LabelPlacer.Placement> placed =
        LabelPlacer.place(labels, MARKER_RADIUS, List.of(), plotArea);
    for (int i = 0; i < placed.size(); i++) {
      LabelPlacer.Placement p = placed.get(i);
      java.awt.geom.Rectangle2D outline = outlines.get(i);
      chart.addAnnotation(
          new AnnotationText(
              p.label().text(),
              // XChart 3.8 draws a screen-space annotation's outline from (x - width / 2,
              // chartHeight - y + height / 2): solved for the outline's top left at the box's
              p.box().x() - outline.getX() + outline.getWidth() / 2,
              chart.getHeight() + outline.getHeight() / 2 - p.box().y() + outline.getY(),
              true));
      if (p.leader()) {
        double[] end = nearestEdge(p.box(), p.label().anchorX(), p.label().anchorY());
        errorBar(
            chart,
            "leader" + i,
            List.of(
                chart.getChartXFromCoordinate((int) Math.round(p.label().anchorX())),
                chart.getChartXFromCoordinate((int) Math.round(end[0]))),
            List.of(
                chart.getChartYFromCoordinate((int) Math.round(p.label().anchorY())),
                chart.getChartYFromCoordinate((int) Math.round(end[1]))));
      }
    }
    return new LabelledChart(chart, plotArea, placed);
  }

  private static double[] nearestEdge(LabelPlacer.Box b, double x, double y) {
    return new double[] {
      Math.max(b.x(), Math.min(x, b.x() + b.width())),
      Math.max(b.y(), Math.min(y, b.y() + b.height()))
    };
  }

  private static int classRank(FrontierClass c) {
    return c == null ? 3 : c.ordinal();
  }

  /** The axis range of the markers with their intervals, padded by 8% each side so labels fit. */
  private static double[] range(List<FrontierPlot.Marker> markers, boolean latency) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (FrontierPlot.Marker m : markers) {
      double[] values =
          latency
              ? new double[] {m.latencyMs(), m.latencyLowMs(), m.latencyHighMs()}
              : new double[] {m.throughputImgS(), m.throughputLowImgS(), m.throughputHighImgS()};
      for (double v : values) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    double span = hi - lo > 0 ? hi - lo : Math.max(1e-3, Math.abs(hi) * 0.1);
    return new double[] {Math.max(0, lo - 0.08 * span), hi + 0.08 * span};
  }

  private static final java.util.Map<FrontierClass, String> CLASS_LEGEND =
      java.util.Map.of(
          FrontierClass.FRONTIER, " (P >= 0.95)",
          FrontierClass.POSSIBLE, "",
          FrontierClass.DOMINATED, " beyond doubt");

  private static void errorBar(XYChart chart, String name, List<Double> xs, List<Double> ys) {
    XYSeries s = chart.addSeries(name, xs, ys);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(new java.awt.Color(0x99, 0x99, 0x99));
    s.setLineWidth(1f);
    s.setShowInLegend(false);
  }

  private static void addClass(
      XYChart chart, List<FrontierPlot.Marker> markers, FrontierClass c, String name) {
    List<FrontierPlot.Marker> of = markers.stream().filter(m -> m.frontierClass() == c).toList();
    if (of.isEmpty()) {
      return;
    }
    XYSeries s =
        chart.addSeries(
            name,
            of.stream().map(FrontierPlot.Marker::latencyMs).toList(),
            of.stream().map(FrontierPlot.Marker::throughputImgS).toList());
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    if (c == FrontierClass.FRONTIER) {
      s.setMarker(SeriesMarkers.DIAMOND);
      s.setMarkerColor(new java.awt.Color(0x1f, 0x5f, 0xbf));
    } else if (c == FrontierClass.POSSIBLE) {
      s.setMarker(SeriesMarkers.CIRCLE);
      s.setMarkerColor(new java.awt.Color(0xe0, 0x8a, 0x00));
    } else if (c == FrontierClass.DOMINATED) {
      s.setMarker(SeriesMarkers.CROSS);
      s.setMarkerColor(new java.awt.Color(0x80, 0x80, 0x80));
    } else {
      s.setMarker(SeriesMarkers.SQUARE);
      s.setMarkerColor(new java.awt.Color(0xb0, 0xb0, 0xb0));
    }
  }

  private static CategoryChart phases(GroupKey g, List<Point> points) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(ChartStyle.WIDTH)
            .height(ChartStyle.HEIGHT)
            .title("Mean time per phase, " + GroupTitles.link(g))
            .xAxisTitle("split (cut index)")
            .yAxisTitle("time per request (ms)")
            .build();
    ChartStyle.apply(chart.getStyler());
    chart.getStyler().setStacked(true);
    chart.getStyler().setYAxisDecimalPattern("0.###");
    List<String> splits =
        points.stream().map(p -> shortLabel(p, points).replace("split ", "")).toList();
    for (Phase phase : Phase.parts()) {
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
            .title("Bytes at the cut, " + GroupTitles.link(g))
            .xAxisTitle("split (cut index)")
            .yAxisTitle("sent per request (KiB)")
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
            .title("Latency by percentile, " + GroupTitles.link(g))
            .xAxisTitle("percentile (nines: 0 = p0, 1 = p90, 2 = p99, 3 = p99.9, 4 = p99.99)")
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
