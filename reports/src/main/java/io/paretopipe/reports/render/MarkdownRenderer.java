package io.paretopipe.reports.render;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.predict.PredictedVsMeasured;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Writes {@code summary.md}: per group, the frontier splits with their numbers and the best split
 * for latency and for throughput; when the run has unit profiles, predicted next to measured.
 * Deterministic: no dates, no absolute paths.
 */
public final class MarkdownRenderer implements Renderer<ParetoReport> {
  /** The file written. */
  public static final String FILE = "summary.md";

  @Override
  public void render(ParetoReport report, Path dir) throws IOException {
    Files.writeString(dir.resolve(FILE), markdown(report), StandardCharsets.UTF_8);
  }

  /**
   * @return the summary text
   */
  public static String markdown(ParetoReport report) {
    StringBuilder md = new StringBuilder();
    md.append("# ParetoPipe frontier\n\n");
    md.append("Objectives: ")
        .append(
            report.frontier().objectives().stream()
                .map(o -> o.name() + " (" + (o.minimize() ? "lower" : "higher") + " is better)")
                .collect(Collectors.joining(", ")))
        .append(report.frontier().epsilon() ? "; epsilon-dominance from the measurement error" : "")
        .append(".\n\n")
        .append(HowToRead.paragraph(report, false))
        .append("\n\n")
        .append(methodText(report))
        .append("\n\n");
    Map<GroupKey, List<Point>> groups = report.run().pointsByGroup();
    Map<GroupKey, GroupSummary> summaries = GroupSummary.of(report);
    md.append(report.run().points().size())
        .append(" points in ")
        .append(groups.size())
        .append(" groups.\n");
    for (Map.Entry<GroupKey, List<Point>> e : groups.entrySet()) {
      List<Point> frontier =
          report.frontier().frontierByGroup().getOrDefault(e.getKey(), List.of());
      md.append("\n## ").append(GroupTitles.title(e.getKey())).append("\n\n");
      md.append("Frontier splits: ")
          .append(
              frontier.isEmpty()
                  ? "none (no point has every objective measured)"
                  : frontier.stream().map(Point::split).collect(Collectors.joining(", ")))
          .append(" (of ")
          .append(e.getValue().size())
          .append(" points).\n\n");
      best(e.getValue(), Point::latencyMeanMs, true)
          .ifPresent(
              p ->
                  md.append("- Lowest mean latency: split ")
                      .append(p.split())
                      .append(", ")
                      .append(Numbers.fixed(p.latencyMeanMs(), 3))
                      .append(" ms\n"));
      best(e.getValue(), Point::throughputImgS, false)
          .ifPresent(
              p ->
                  md.append("- Highest throughput: split ")
                      .append(p.split())
                      .append(", ")
                      .append(Numbers.fixed(p.throughputImgS(), 2))
                      .append(" img/s\n"));
      GroupSummary summary = summaries.get(e.getKey());
      md.append("\n")
          .append(summary.samplesSentence(report.convergence().targetHalfWidthPercent()));
      if (report.frontier().hasConfidence()) {
        md.append("\n\n").append(summary.certaintySentence());
      }
      md.append("\n");
      md.append(
          "\n| split | depth | latency mean ms ± 95% | p50 ms | p99 ms | throughput img/s ± 95% | bytes"
              + " | P(frontier) | class | converged | frontier |\n");
      md.append("|---:|---:|---:|---:|---:|---:|---:|---:|:---:|:---:|:---:|\n");
      for (Point p : e.getValue()) {
        var confidence = report.frontier().confidenceOf(p);
        md.append("| ")
            .append(p.split())
            .append(" | ")
            .append(p.depth())
            .append(" | ")
            .append(Figures.mean(p.latencyMeanMs(), p.samples().latencyMean(), 3))
            .append(" | ")
            .append(Figures.percentile(p, 50, 3))
            .append(" | ")
            .append(Figures.percentile(p, 99, 3))
            .append(" | ")
            .append(Figures.mean(p.throughputImgS(), p.samples().throughputMean(), 2))
            .append(" | ")
            .append(p.bytes() < 0 ? "n/a" : Long.toString(p.bytes()))
            .append(" | ")
            .append(Figures.probability(confidence))
            .append(" | ")
            .append(Figures.frontierClass(confidence))
            .append(" | ")
            .append(report.convergence().converged(p) ? "yes" : "")
            .append(" | ")
            .append(report.frontier().contains(p) ? "yes" : "")
            .append(" |\n");
      }
      CostTables.of(report, e.getKey(), e.getValue()).forEach(t -> md.append(t.markdown()));
    }
    predicted(report, md);
    CostTables.predicted(report).forEach(t -> md.append(t.markdown()));
    if (!report.run().warnings().isEmpty()) {
      md.append("\n")
          .append(report.run().warnings().size())
          .append(" input(s) ignored (run with --verbose to list them).\n");
    }
    return md.toString();
  }

  /**
   * @return how the frontier, the classes and the intervals were computed, in one paragraph
   */
  static String methodText(ParetoReport report) {
    StringBuilder s = new StringBuilder();
    if (report.frontier().method() == io.paretopipe.reports.pareto.Frontier.Method.PROBABILISTIC) {
      s.append("Frontier: every split not dominated beyond doubt (probabilistic). ");
    } else {
      s.append("Frontier: exact dominance of the estimates. ");
    }
    if (report.frontier().hasConfidence()) {
      s.append("P(frontier) is the share of ")
          .append(report.frontier().resamples())
          .append(" bootstrap resamples (seed ")
          .append(report.frontier().seed())
          .append(
              ") in which a split is on its group's frontier; frontier: P >= 0.95, dominated: P <= 0.05"
                  + " and dominated by one other split in at least 1 - 0.05/(m - 1) of the resamples. ");
    }
    s.append(
        "Intervals are 95%: means over the passes (or iterations) they were measured in, percentiles"
            + " from order statistics; n/a (n=N): N requests cannot support that percentile (docs/REPORTS.md).");
    return s.toString();
  }

  private static void predicted(ParetoReport report, StringBuilder md) {
    PredictedVsMeasured pvm = report.prediction();
    if (pvm.isEmpty() && pvm.notes().isEmpty()) {
      return;
    }
    md.append("\n## Predicted vs measured\n\n");
    if (!pvm.isEmpty()) {
      md.append("Predicted from the unit profiles in ")
          .append(String.join(", ", pvm.profileSources()))
          .append(
              " (docs/PREDICTION.md). The per-hop overhead of each point is fitted on the other splits of its"
                  + " model, transport, batch and variant (leave-one-split-out): no point's own measurement informs its"
                  + " prediction. Error = (predicted - measured) / measured.\n\n");
      md.append(
          "| group | latency points | median abs latency error % | throughput points"
              + " | median abs throughput error % |\n");
      md.append("|---|---:|---:|---:|---:|\n");
      pvm.byGroup().forEach((g, a) -> agreementRow(md, g.label(), a));
      pvm.overall().ifPresent(a -> agreementRow(md, "all", a));
      for (Map.Entry<GroupKey, List<Point>> e : report.run().pointsByGroup().entrySet()) {
        if (!pvm.byGroup().containsKey(e.getKey())) {
          continue;
        }
        md.append("\n### ")
            .append(e.getKey().label())
            .append(" (")
            .append(pvm.byGroup().get(e.getKey()).profiles())
            .append(")\n\n");
        md.append(
            "| split | depth | latency ms | predicted ms | error % | throughput img/s | predicted img/s"
                + " | error % | overhead ms |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Point p : e.getValue()) {
          Optional<PredictedVsMeasured.PointPrediction> pp = pvm.of(p);
          md.append("| ")
              .append(p.split())
              .append(" | ")
              .append(p.depth())
              .append(" | ")
              .append(Numbers.fixed(p.latencyMeanMs(), 3))
              .append(" | ")
              .append(pp.map(x -> Numbers.fixed(x.latencyMs(), 3)).orElse("n/a"))
              .append(" | ")
              .append(pp.map(x -> Numbers.fixed(x.latencyErrorPct(p), 1)).orElse("n/a"))
              .append(" | ")
              .append(Numbers.fixed(p.throughputImgS(), 2))
              .append(" | ")
              .append(pp.map(x -> Numbers.fixed(x.throughputImgS(), 2)).orElse("n/a"))
              .append(" | ")
              .append(pp.map(x -> Numbers.fixed(x.throughputErrorPct(p), 1)).orElse("n/a"))
              .append(" | ")
              .append(pp.map(x -> Numbers.fixed(x.overheadMs(), 3)).orElse("n/a"))
              .append(" |\n");
        }
      }
    }
    if (!pvm.notes().isEmpty()) {
      md.append("\n");
      pvm.notes().forEach(n -> md.append("- ").append(n).append('\n'));
    }
  }

  private static void agreementRow(
      StringBuilder md, String label, PredictedVsMeasured.Agreement a) {
    md.append("| ")
        .append(label)
        .append(" | ")
        .append(a.latencyPoints())
        .append(" | ")
        .append(Numbers.fixed(a.medianAbsLatencyErrorPct(), 1))
        .append(" | ")
        .append(a.throughputPoints())
        .append(" | ")
        .append(Numbers.fixed(a.medianAbsThroughputErrorPct(), 1))
        .append(" |\n");
  }

  private static Optional<Point> best(
      List<Point> points, java.util.function.ToDoubleFunction<Point> f, boolean lower) {
    Comparator<Point> order = Comparator.comparingDouble(f);
    return points.stream()
        .filter(p -> Double.isFinite(f.applyAsDouble(p)))
        .min(lower ? order : order.reversed());
  }
}
