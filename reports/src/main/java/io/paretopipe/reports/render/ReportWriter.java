package io.paretopipe.reports.render;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs a list of renderers into a {@link StagedOutput} and moves the folder into place only when
 * every renderer succeeded; on failure nothing is left behind (an existing output folder is kept as
 * it was). Stateless.
 */
public final class ReportWriter {
  private ReportWriter() {}

  /** The renderers of the {@code pareto} report, in writing order. */
  public static List<Renderer<ParetoReport>> paretoRenderers() {
    return List.of(
        new CsvRenderer(),
        new JsonRenderer(),
        new MarkdownRenderer(),
        new HtmlRenderer(),
        new ChartRenderer<>(ParetoCharts::plan));
  }

  /**
   * @param input what to render
   * @param renderers the renderers
   * @param out the final output folder (replaced if it exists)
   * @param <T> the input type
   * @throws IOException when creating, writing or moving fails
   */
  public static <T> void write(T input, List<? extends Renderer<T>> renderers, Path out)
      throws IOException {
    try (StagedOutput staged = StagedOutput.create(out)) {
      for (Renderer<T> r : renderers) {
        r.render(input, staged.dir());
      }
      staged.commit();
    }
  }
}
