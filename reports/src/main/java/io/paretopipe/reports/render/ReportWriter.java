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
    return paretoRenderers(List.of("csv", "json", "md", "html"));
  }

  /**
   * @param formats any of {@code csv}, {@code json}, {@code md}, {@code html} (with its charts)
   * @return their renderers, in writing order
   * @throws IllegalArgumentException naming an unknown format and the valid ones
   */
  public static List<Renderer<ParetoReport>> paretoRenderers(List<String> formats) {
    java.util.Set<String> wanted = new java.util.HashSet<>();
    for (String f : formats) {
      String name = f.trim().toLowerCase(java.util.Locale.ROOT);
      if (!List.of("csv", "json", "md", "html").contains(name)) {
        throw new IllegalArgumentException(
            "format \"" + f + "\" is not one of csv, json, md, html");
      }
      wanted.add(name);
    }
    if (wanted.isEmpty()) {
      throw new IllegalArgumentException("formats: empty (expected: some of csv, json, md, html)");
    }
    List<Renderer<ParetoReport>> renderers = new java.util.ArrayList<>();
    if (wanted.contains("csv")) {
      renderers.add(new CsvRenderer());
    }
    if (wanted.contains("json")) {
      renderers.add(new JsonRenderer());
    }
    if (wanted.contains("md")) {
      renderers.add(new MarkdownRenderer());
    }
    if (wanted.contains("html")) {
      renderers.add(new HtmlRenderer());
      renderers.add(new ChartRenderer<>(ParetoCharts::plan));
    }
    return List.copyOf(renderers);
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
