package io.paretopipe.reports.history;

import io.paretopipe.reports.render.ChartStyle;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a {@link TrendChart} with XChart: the values (dots joined by a line), their intervals (thin
 * dashed lines above and below, where the runs had intervals), the level of each stretch between
 * change points (grey steps) and each change point as a vertical line between the two runs it falls
 * between (red for a regression, blue for an improvement, grey otherwise). x is the run's ordinal
 * in the history. Stateless.
 */
public final class HistoryCharts {
  private static final Color VALUE = new Color(0x1f, 0x5f, 0xa8);
  private static final Color INTERVAL = new Color(0x8c, 0xa8, 0xcc);
  private static final Color LEVEL = new Color(0x70, 0x70, 0x70);
  private static final Color REGRESSION = new Color(0xc0, 0x20, 0x20);
  private static final Color IMPROVEMENT = new Color(0x20, 0x60, 0xc0);

  private HistoryCharts() {}

  /**
   * @param chart the data
   * @return the chart, ready to save
   */
  public static XYChart draw(TrendChart chart) {
    XYChart c =
        new XYChartBuilder()
            .width(ChartStyle.WIDTH)
            .height(ChartStyle.HEIGHT)
            .title(chart.key().figure())
            .xAxisTitle("run (oldest = 1)")
            .yAxisTitle(chart.key().figure() + " (" + chart.unit() + ")")
            .build();
    ChartStyle.apply(c.getStyler());
    c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    c.getStyler().setXAxisDecimalPattern("0.#");
    List<TrendChart.Value> values = chart.values();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    List<Double> lowX = new ArrayList<>();
    List<Double> low = new ArrayList<>();
    List<Double> high = new ArrayList<>();
    for (TrendChart.Value v : values) {
      x.add((double) v.run());
      y.add(v.value());
      min = Math.min(min, v.value());
      max = Math.max(max, v.value());
      if (Double.isFinite(v.ciLow()) && Double.isFinite(v.ciHigh())) {
        lowX.add((double) v.run());
        low.add(v.ciLow());
        high.add(v.ciHigh());
        min = Math.min(min, v.ciLow());
        max = Math.max(max, v.ciHigh());
      }
    }
    if (!lowX.isEmpty()) {
      XYSeries lo = c.addSeries("interval low", lowX, low);
      XYSeries hi = c.addSeries("interval high", lowX, high);
      for (XYSeries s : List.of(lo, hi)) {
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(INTERVAL);
        s.setLineStyle(
            new BasicStroke(
                1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
      }
      hi.setShowInLegend(false);
      lo.setLabel("interval");
    }
    XYSeries main = c.addSeries("value", x, y);
    main.setMarker(SeriesMarkers.CIRCLE);
    main.setMarkerColor(VALUE);
    main.setLineColor(VALUE);
    int levelIndex = 0;
    for (TrendChart.Level level : chart.levels()) {
      XYSeries s =
          c.addSeries(
              "level " + (++levelIndex),
              List.of(level.fromRun() - 0.3, level.toRun() + 0.3),
              List.of(level.level(), level.level()));
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(LEVEL);
      s.setLineStyle(new BasicStroke(2f));
      s.setShowInLegend(levelIndex == 1);
      if (levelIndex == 1) {
        s.setLabel("level");
      }
    }
    double pad = max > min ? (max - min) * 0.05 : Math.abs(max) * 0.05 + 1e-9;
    int markerIndex = 0;
    for (TrendChart.Marker m : chart.changes()) {
      double at = (m.lastBefore() + m.firstAfter()) / 2.0;
      String label =
          String.format(
              java.util.Locale.ROOT,
              "%s %+.1f%% (runs %d-%d)",
              m.kind().name().toLowerCase(java.util.Locale.ROOT),
              m.changePercent(),
              m.lastBefore(),
              m.firstAfter());
      XYSeries s =
          c.addSeries(
              "change " + (++markerIndex) + ": " + label,
              List.of(at, at),
              List.of(min - pad, max + pad));
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(
          m.kind() == Change.Kind.REGRESSION
              ? REGRESSION
              : m.kind() == Change.Kind.IMPROVEMENT ? IMPROVEMENT : LEVEL);
      s.setLineStyle(
          new BasicStroke(
              2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    }
    return c;
  }
}
