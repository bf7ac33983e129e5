package io.paretopipe.reports.render;

import java.util.function.Supplier;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * One chart of a report: where it goes (section and panel of the HTML page), its PNG file name, and
 * how to draw it. Immutable; the supplier builds a new chart each time.
 *
 * @param section the HTML section heading, e.g. {@code mobilenetv2 / nio / batch 8}
 * @param kind the chart kind, one row of panels per kind within a section
 * @param panel the panel caption, e.g. {@code link none}
 * @param file the PNG file name inside {@code charts/}
 * @param alt the text alternative for the image
 * @param chart draws the chart
 */
public record ChartSpec(
    String section,
    String kind,
    String panel,
    String file,
    String alt,
    Supplier<Chart<?, ?>> chart) {

  /** Folder of the PNG files inside the output folder. */
  public static final String FOLDER = "charts";

  /**
   * @return the path of the PNG relative to the output folder, with a forward slash
   */
  public String relativePath() {
    return FOLDER + "/" + file;
  }
}
