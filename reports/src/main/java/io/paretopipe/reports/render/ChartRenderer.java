package io.paretopipe.reports.render;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;

/**
 * Draws the planned charts as PNG files into {@code charts/} of the output folder. Requires a
 * headless-capable AWT (the CLI sets {@code java.awt.headless=true}).
 *
 * @param <T> the report type
 */
public final class ChartRenderer<T> implements Renderer<T> {
  private final Function<T, List<ChartSpec>> planner;

  /**
   * @param planner the charts of a report, e.g. {@link ParetoCharts#plan}
   */
  public ChartRenderer(Function<T, List<ChartSpec>> planner) {
    this.planner = planner;
  }

  @Override
  public void render(T input, Path dir) throws IOException {
    List<ChartSpec> specs = planner.apply(input);
    if (specs.isEmpty()) {
      return;
    }
    Path folder = Files.createDirectories(dir.resolve(ChartSpec.FOLDER));
    for (ChartSpec spec : specs) {
      try (OutputStream out = Files.newOutputStream(folder.resolve(spec.file()))) {
        BitmapEncoder.saveBitmap(spec.chart().get(), out, BitmapEncoder.BitmapFormat.PNG);
      }
    }
  }
}
