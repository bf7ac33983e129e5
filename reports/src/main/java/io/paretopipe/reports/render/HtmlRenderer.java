package io.paretopipe.reports.render;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.predict.PredictedVsMeasured;
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
 * Writes {@code index.html}: one page that opens from disk with no network, showing how to read it,
 * per section the interactive latency-throughput chart ({@link InteractiveCharts}; its library
 * {@value InteractiveCharts#LIBRARY_FILE} is written next to the page) and the other charts planned
 * by {@link ParetoCharts} (PNGs written by {@link ChartRenderer}), a table of every point per group
 * with the frontier rows highlighted, the best split per link ({@link BestSplitByLink}) and, with
 * unit profiles, predicted next to measured. Sections and groups carry {@link GroupTitles}.
 */
public final class HtmlRenderer implements Renderer<ParetoReport> {
  /** The file written. */
  public static final String FILE = "index.html";

  @Override
  public void render(ParetoReport report, Path dir) throws IOException {
    if (!InteractiveCharts.charts(report).isEmpty()) {
      InteractiveCharts.copyLibrary(dir);
    }
    Files.writeString(dir.resolve(FILE), html(report), StandardCharsets.UTF_8);
  }

  /**
   * @return the page
   */
  public static String html(ParetoReport report) {
    HtmlPage page = new HtmlPage("ParetoPipe frontier");
    page.paragraph(
        "Objectives: "
            + report.frontier().objectives().stream()
                .map(o -> o.name() + " (" + (o.minimize() ? "lower" : "higher") + " is better)")
                .collect(Collectors.joining(", "))
            + (report.frontier().epsilon()
                ? "; epsilon-dominance from the measurement error."
                : "."));
    page.note(HowToRead.paragraph(report, true));
    page.paragraph(MarkdownRenderer.methodText(report));
    Map<GroupKey, GroupSummary> summaries = GroupSummary.of(report);
    page.links(
        HtmlPage.orderedLinks(
            "points.csv",
            CsvRenderer.POINTS,
            "frontier.csv",
            CsvRenderer.FRONTIER,
            "frontier.json",
            JsonRenderer.FILE,
            "summary.md",
            MarkdownRenderer.FILE));

    Map<String, Map<String, List<ChartSpec>>> chartsBySection = new LinkedHashMap<>();
    for (ChartSpec c : ParetoCharts.plan(report)) {
      chartsBySection
          .computeIfAbsent(c.section(), s -> new LinkedHashMap<>())
          .computeIfAbsent(c.kind(), k -> new ArrayList<>())
          .add(c);
    }
    Map<String, String> interactiveBySection = new LinkedHashMap<>();
    InteractiveCharts.charts(report).forEach(c -> interactiveBySection.put(c.section(), c.id()));
    Map<String, List<Map.Entry<GroupKey, List<Point>>>> groupsBySection = new LinkedHashMap<>();
    for (Map.Entry<GroupKey, List<Point>> e : report.run().pointsByGroup().entrySet()) {
      groupsBySection
          .computeIfAbsent(BestSplitByLink.section(e.getKey()), s -> new ArrayList<>())
          .add(e);
    }
    if (groupsBySection.isEmpty()) {
      page.paragraph("No PartitionBenchmark results in the input.");
    }
    for (Map.Entry<String, List<Map.Entry<GroupKey, List<Point>>>> section :
        groupsBySection.entrySet()) {
      page.heading(2, section.getKey());
      String chartId = interactiveBySection.get(section.getKey());
      if (chartId != null) {
        page.heading(3, ParetoCharts.LATENCY_THROUGHPUT_KIND);
        page.chart(chartId, "latency vs throughput per split, " + section.getKey());
      }
      chartsBySection
          .getOrDefault(section.getKey(), Map.of())
          .forEach(
              (kind, charts) -> {
                if (kind.equals(ParetoCharts.LATENCY_THROUGHPUT_KIND)) {
                  Map<String, String> pngs = new LinkedHashMap<>();
                  charts.forEach(c -> pngs.put("PNG, " + c.panel(), c.relativePath()));
                  page.links(pngs);
                } else {
                  page.heading(3, kind);
                  page.panels(charts);
                }
              });
      for (Map.Entry<GroupKey, List<Point>> group : section.getValue()) {
        List<Point> frontier =
            report.frontier().frontierByGroup().getOrDefault(group.getKey(), List.of());
        page.heading(3, "Points, " + GroupTitles.link(group.getKey()));
        page.paragraph(
            "Frontier splits: "
                + (frontier.isEmpty()
                    ? "none"
                    : frontier.stream().map(Point::split).collect(Collectors.joining(", "))));
        GroupSummary summary = summaries.get(group.getKey());
        page.paragraph(summary.samplesSentence(report.convergence().targetHalfWidthPercent()));
        if (report.frontier().hasConfidence()) {
          page.paragraph(summary.certaintySentence());
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (Point p : group.getValue()) {
          boolean on = report.frontier().contains(p);
          var confidence = report.frontier().confidenceOf(p);
          rows.add(
              List.of(
                  p.split(),
                  p.depth(),
                  Figures.mean(p.latencyMeanMs(), p.samples().latencyMean(), 3),
                  Figures.percentile(p, 50, 3),
                  Figures.percentile(p, 99, 3),
                  Figures.percentile(p, 99.9, 3),
                  Figures.mean(p.throughputImgS(), p.samples().throughputMean(), 2),
                  p.bytes() < 0 ? "n/a" : Long.toString(p.bytes()),
                  Figures.probability(confidence),
                  Figures.frontierClass(confidence),
                  report.convergence().converged(p) ? "yes" : "",
                  on ? "yes" : ""));
          classes.add(on ? "on" : "");
        }
        page.table(
            List.of(
                "split",
                "depth",
                "mean ms ± 95%",
                "p50 ms",
                "p99 ms",
                "p99.9 ms",
                "img/s ± 95%",
                "bytes",
                "P(frontier)",
                "class",
                "converged",
                "frontier"),
            rows,
            classes,
            2);
        CostTables.of(report, group.getKey(), group.getValue()).forEach(t -> t.addTo(page));
      }
    }
    Map<String, List<BestSplitByLink.Entry>> bySection = BestSplitByLink.of(report);
    if (!bySection.isEmpty()) {
      page.heading(2, ParetoCharts.BEST_SPLIT_KIND);
      for (Map.Entry<String, List<BestSplitByLink.Entry>> e : bySection.entrySet()) {
        page.heading(3, e.getKey());
        List<List<String>> rows = new ArrayList<>();
        for (BestSplitByLink.Entry entry : e.getValue()) {
          rows.add(
              List.of(
                  entry.label(),
                  entry
                      .bestLatency()
                      .map(
                          p ->
                              p.split()
                                  + " ("
                                  + Numbers.fixed(report.latency().valueMs(p), 3)
                                  + " ms)")
                      .orElse("n/a"),
                  entry
                      .bestThroughput()
                      .map(p -> p.split() + " (" + Numbers.fixed(p.throughputImgS(), 2) + " img/s)")
                      .orElse("n/a")));
        }
        page.table(
            List.of(
                "link (fastest first)",
                "lowest latency (" + report.latency().label() + ")",
                "highest throughput"),
            rows,
            java.util.Collections.nCopies(rows.size(), ""),
            3);
      }
    }
    predicted(report, page);
    CostTables.predicted(report).forEach(t -> t.addTo(page));
    if (!interactiveBySection.isEmpty()) {
      page.jsonData("pp-chart-data", InteractiveCharts.dataJson(report));
      page.scripts(List.of(InteractiveCharts.LIBRARY_FILE), InteractiveCharts.script());
    }
    return page.toHtml();
  }

  private static void predicted(ParetoReport report, HtmlPage page) {
    PredictedVsMeasured pvm = report.prediction();
    if (pvm.isEmpty() && pvm.notes().isEmpty()) {
      return;
    }
    page.heading(2, "Predicted vs measured");
    if (!pvm.isEmpty()) {
      page.paragraph(
          "Predicted from the unit profiles in "
              + String.join(", ", pvm.profileSources())
              + "; the per-hop overhead of each point is fitted on the other splits (leave-one-split-out). Error ="
              + " (predicted - measured) / measured.");
      List<List<String>> rows = new ArrayList<>();
      pvm.byGroup().forEach((g, a) -> rows.add(agreement(g.label(), a)));
      pvm.overall().ifPresent(a -> rows.add(agreement("all", a)));
      page.table(
          List.of(
              "group",
              "latency points",
              "median abs latency error %",
              "throughput points",
              "median abs throughput error %"),
          rows,
          java.util.Collections.nCopies(rows.size(), ""),
          1);
      for (Map.Entry<GroupKey, List<Point>> e : report.run().pointsByGroup().entrySet()) {
        if (!pvm.byGroup().containsKey(e.getKey())) {
          continue;
        }
        page.heading(3, e.getKey().label());
        List<List<String>> pointRows = new ArrayList<>();
        for (Point p : e.getValue()) {
          var pp = pvm.of(p);
          pointRows.add(
              List.of(
                  p.split(),
                  p.depth(),
                  Numbers.fixed(p.latencyMeanMs(), 3),
                  pp.map(x -> Numbers.fixed(x.latencyMs(), 3)).orElse("n/a"),
                  pp.map(x -> Numbers.fixed(x.latencyErrorPct(p), 1)).orElse("n/a"),
                  Numbers.fixed(p.throughputImgS(), 2),
                  pp.map(x -> Numbers.fixed(x.throughputImgS(), 2)).orElse("n/a"),
                  pp.map(x -> Numbers.fixed(x.throughputErrorPct(p), 1)).orElse("n/a")));
        }
        page.table(
            List.of(
                "split",
                "depth",
                "latency ms",
                "predicted ms",
                "error %",
                "img/s",
                "predicted img/s",
                "error %"),
            pointRows,
            java.util.Collections.nCopies(pointRows.size(), ""),
            2);
      }
    }
    for (String note : pvm.notes()) {
      page.paragraph(note);
    }
  }

  private static List<String> agreement(String label, PredictedVsMeasured.Agreement a) {
    return List.of(
        label,
        Integer.toString(a.latencyPoints()),
        Numbers.fixed(a.medianAbsLatencyErrorPct(), 1),
        Integer.toString(a.throughputPoints()),
        Numbers.fixed(a.medianAbsThroughputErrorPct(), 1));
  }
}
