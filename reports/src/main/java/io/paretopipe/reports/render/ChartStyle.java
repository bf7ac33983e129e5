package io.paretopipe.reports.render;

import java.awt.Color;
import java.awt.Font;
import java.util.Locale;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;

/**
 * The shared look of every chart (also the history's trend charts): white background, legible
 * fonts, locale-independent tick labels.
 */
public final class ChartStyle {
  /** Width of every PNG in pixels. */
  public static final int WIDTH = 640;

  /** Height of every PNG in pixels. */
  public static final int HEIGHT = 420;

  private ChartStyle() {}

  /** Applies the shared look to a chart's styler. */
  public static void apply(AxesChartStyler styler) {
    styler.setLocale(Locale.ROOT);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setPlotBorderVisible(true);
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    styler.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    styler.setAnnotationTextFontColor(Color.DARK_GRAY);
    styler.setAntiAlias(true);
  }
}
