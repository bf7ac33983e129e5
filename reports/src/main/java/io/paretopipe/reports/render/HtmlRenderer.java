package io.paretopipe.reports.render;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes {@code index.html}: one page that opens from disk with no network and no scripts, showing the charts
 * planned by {@link ParetoCharts} (written by {@link ChartRenderer}) and a table of every point per group with the
 * frontier rows highlighted.
 */
public final class HtmlRenderer implements Renderer<ParetoReport> {
  /** The file written. */
  public static final String FILE = "index.html";

  @Override
  public void render(ParetoReport report, Path dir) throws IOException {
    Files.writeString(dir.resolve(FILE), html(report), StandardCharsets.UTF_8);
  }

  /** @return the page */
  public static String html(ParetoReport report) {
    HtmlPage page = new HtmlPage("ParetoPipe frontier");
    page.paragraph("Objectives: " + report.frontier().objectives().stream()
        .map(o -> o.name() + " (" + (o.minimize() ? "lower" : "higher") + " is better)")
        .collect(Collectors.joining(", "))
        + (report.frontier().epsilon() ? "; epsilon-dominance from the measurement error." : "."));
    page.links(HtmlPage.orderedLinks("points.csv", CsvRenderer.POINTS, "frontier.csv", CsvRenderer.FRONTIER,
        "frontier.json", JsonRenderer.FILE, "summary.md", MarkdownRenderer.FILE));

    Map<String, Map<String, List<ChartSpec>>> chartsBySection = new LinkedHashMap<>();
    for (ChartSpec c : ParetoCharts.plan(report)) {
      chartsBySection.computeIfAbsent(c.section(), s -> new LinkedHashMap<>())
          .computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(c);
    }
    Map<String, List<Map.Entry<GroupKey, List<Point>>>> groupsBySection = new LinkedHashMap<>();
    for (Map.Entry<GroupKey, List<Point>> e : report.run().pointsByGroup().entrySet()) {
      GroupKey g = e.getKey();
      String section = g.model() + " / " + g.transport() + " / batch " + g.batch()
          + (g.variant().isEmpty() ? "" : " / " + g.variant());
      groupsBySection.computeIfAbsent(section, s -> new ArrayList<>()).add(e);
    }
    if (groupsBySection.isEmpty()) {
      page.paragraph("No PartitionBenchmark results in the input.");
    }
    for (Map.Entry<String, List<Map.Entry<GroupKey, List<Point>>>> section : groupsBySection.entrySet()) {
      page.heading(2, section.getKey());
      chartsBySection.getOrDefault(section.getKey(), Map.of()).forEach((kind, charts) -> {
        page.heading(3, kind);
        page.panels(charts);
      });
      for (Map.Entry<GroupKey, List<Point>> group : section.getValue()) {
        List<Point> frontier = report.frontier().frontierByGroup().getOrDefault(group.getKey(), List.of());
        page.heading(3, "Points, link " + group.getKey().link());
        page.paragraph("Frontier splits: " + (frontier.isEmpty() ? "none"
            : frontier.stream().map(Point::split).collect(Collectors.joining(", "))));
        List<List<String>> rows = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (Point p : group.getValue()) {
          boolean on = report.frontier().contains(p);
          rows.add(List.of(p.split(), p.depth(), Numbers.fixed(p.latencyMeanMs(), 3),
              Numbers.fixed(p.latencyPercentileMs(50), 3), Numbers.fixed(p.latencyPercentileMs(99), 3),
              Numbers.fixed(p.latencyPercentileMs(99.9), 3), Numbers.fixed(p.throughputImgS(), 2),
              p.bytes() < 0 ? "n/a" : Long.toString(p.bytes()), on ? "yes" : ""));
          classes.add(on ? "on" : "");
        }
        page.table(List.of("split", "depth", "mean ms", "p50 ms", "p99 ms", "p99.9 ms", "img/s", "bytes",
            "frontier"), rows, classes, 2);
      }
    }
    return page.toHtml();
  }
}
