package io.paretopipe.reports.render;

import com.fasterxml.jackson.core.JsonGenerator;
import io.paretopipe.reports.compare.Comparison;
import io.paretopipe.reports.compare.ConfigDifference;
import io.paretopipe.reports.compare.FrontierChange;
import io.paretopipe.reports.compare.ResultComparison;
import io.paretopipe.reports.compare.Verdict;
import io.paretopipe.reports.run.Units;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The renderers of {@code compare}: {@code compare.csv}, {@code compare.json}, {@code compare.md},
 * {@code compare.html} and, for a history, one trend chart per result in {@code charts/}.
 * Stateless.
 */
public final class CompareRenderers {
  /** CSV file name. */
  public static final String CSV = "compare.csv";

  /** Markdown file name. */
  public static final String MARKDOWN = "compare.md";

  /** HTML file name. */
  public static final String HTML = "compare.html";

  /** JSON file name. */
  public static final String JSON = "compare.json";

  /** Value of {@code compare.json}'s {@code format} field. */
  public static final String JSON_FORMAT = "paretopipe-compare";

  /**
   * Value of {@code compare.json}'s {@code version} field; raised only for incompatible changes.
   */
  public static final int JSON_VERSION = 1;

  /** What {@link #configurationLine} starts with. */
  public static final String CONFIGURATION_DIFFERS = "configuration differs: ";

  /** The stable columns of {@code compare.csv}. */
  public static final List<String> CSV_COLUMNS =
      List.of(
          "benchmark",
          "mode",
          "params",
          "unit",
          "better",
          "baseline_score",
          "current_score",
          "baseline_n",
          "current_n",
          "ratio",
          "ratio_ci_low",
          "ratio_ci_high",
          "worse_pct",
          "p_value",
          "verdict",
          "p_adjusted");

  private CompareRenderers() {}

  /**
   * @return every renderer, in writing order
   */
  public static List<Renderer<Comparison>> all() {
    return List.of(
        (c, dir) -> Files.writeString(dir.resolve(CSV), csv(c), StandardCharsets.UTF_8),
        CompareRenderers::json,
        (c, dir) -> Files.writeString(dir.resolve(MARKDOWN), markdown(c), StandardCharsets.UTF_8),
        (c, dir) -> Files.writeString(dir.resolve(HTML), html(c), StandardCharsets.UTF_8),
        new ChartRenderer<>(CompareRenderers::trendCharts));
  }

  /**
   * @return the CSV text
   */
  public static String csv(Comparison c) {
    StringBuilder s = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
    for (ResultComparison r : c.results()) {
      List<String> row =
          List.of(
              r.benchmark(),
              r.mode(),
              params(r),
              r.unit(),
              better(r.direction()),
              Numbers.format(r.baselineScore()),
              Numbers.format(r.currentScore()),
              Integer.toString(r.baselineSamples()),
              Integer.toString(r.currentSamples()),
              Numbers.format(r.ratio()),
              Numbers.format(r.ratioLow()),
              Numbers.format(r.ratioHigh()),
              Numbers.format(r.worsePercent()),
              Numbers.format(r.pValue()),
              r.verdict().name().toLowerCase(Locale.ROOT),
              Numbers.format(r.pAdjusted()));
      s.append(row.stream().map(CsvRenderer::escape).collect(Collectors.joining(","))).append('\n');
    }
    return s.toString();
  }

  /**
   * Writes {@code compare.json}: {@code format}, {@code version}, {@code baseline} and {@code
   * current} (the runs' names) and {@code config_differences}: one object per differing setting,
   * {@code {"key", "base", "new"}}, a value the run did not record {@code null}; an empty list when
   * the configurations are equal, {@code null} when they were not compared ({@link
   * Comparison#configDifferences}). Two-space indentation, {@code \n} line ends.
   */
  public static void json(Comparison c, Path dir) throws IOException {
    try (JsonGenerator g = JsonRenderer.open(dir.resolve(JSON))) {
      g.writeStartObject();
      g.writeStringField("format", JSON_FORMAT);
      g.writeNumberField("version", JSON_VERSION);
      g.writeStringField("baseline", c.baselineName());
      g.writeStringField("current", c.currentName());
      if (c.configDifferences() == null) {
        g.writeNullField("config_differences");
      } else {
        g.writeArrayFieldStart("config_differences");
        for (ConfigDifference d : c.configDifferences()) {
          g.writeStartObject();
          g.writeStringField("key", d.key());
          g.writeStringField("base", d.base());
          g.writeStringField("new", d.current());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
  }

  /**
   * @return e.g. {@code configuration differs: sweep.stage_jvm_options.nio: none ->
   *     -XX:TieredStopAtLevel=1; tail_cpu_quota_percent: none -> 50}, the differences of {@link
   *     Comparison#configDifferences} in their order; {@code ""} when there are none or they were
   *     not compared
   */
  public static String configurationLine(Comparison c) {
    if (c.configDifferences() == null || c.configDifferences().isEmpty()) {
      return "";
    }
    return CONFIGURATION_DIFFERS
        + c.configDifferences().stream()
            .map(ConfigDifference::text)
            .collect(Collectors.joining("; "));
  }

  /**
   * @return the one-line verdict, e.g. {@code REGRESSION: 2 of 26 results worse by more than 5%}
   */
  public static String headline(Comparison c) {
    int n = c.regressions().size();
    String head;
    if (n > 0) {
      head =
          "REGRESSION: "
              + n
              + " of "
              + c.results().size()
              + " results significantly worse by more than ";
    } else if (c.tooLittleCompared()) {
      head =
          "TOO LITTLE COMPARED: "
              + coverageText(c)
              + "; no result significantly worse by more than ";
    } else {
      head = "OK: no result significantly worse by more than ";
    }
    return head
        + Numbers.format(c.thresholdPercent())
        + "%"
        + (c.frontierChanged() ? "; the frontier splits changed" : "; frontier splits unchanged");
  }

  /**
   * @return e.g. {@code compared 0 of 26 baseline partition results (0%, --min-compared 90%): the
   *     others are missing, new or inconclusive}
   */
  public static String coverageText(Comparison c) {
    return "compared "
        + c.comparedResults()
        + " of "
        + c.baselineResults()
        + " baseline "
        + c.scope()
        + " ("
        + Numbers.fixed(c.comparedShare() * 100, 0)
        + "%, --min-compared "
        + Numbers.format(c.minComparedShare() * 100)
        + "%): the others are missing from the current run or inconclusive (fewer than 2 iterations"
        + " or passes on a side)";
  }

  /**
   * @return the Markdown text
   */
  public static String markdown(Comparison c) {
    StringBuilder md = new StringBuilder("# ParetoPipe compare\n\n");
    md.append("Baseline: ")
        .append(c.baselineName())
        .append("  \nCurrent: ")
        .append(c.currentName())
        .append("\n\n");
    String configuration = configurationLine(c);
    if (!configuration.isEmpty()) {
      md.append(configuration).append("\n\n");
    }
    md.append("**")
        .append(headline(c))
        .append(
            "** (Welch's t-test on the logs of the per-iteration scores, Holm-corrected over all ")
        .append(c.results().size())
        .append(" results, alpha ")
        .append(Numbers.format(c.alpha()))
        .append(").\n\n")
        .append("Compared: ")
        .append(c.comparedResults())
        .append(" of ")
        .append(c.baselineResults())
        .append(" baseline ")
        .append(c.scope())
        .append(" got a verdict.\n\n");
    for (String line : c.changedParams()) {
      md.append(line).append(" (measured differently, not lost).\n\n");
    }
    md.append(
        "| verdict | result | unit | baseline | current | ratio [CI] | worse % | p (Holm) |\n");
    md.append("|---|---|---|---:|---:|---:|---:|---:|\n");
    for (ResultComparison r : sorted(c)) {
      md.append("| ")
          .append(r.verdict().name().toLowerCase(Locale.ROOT))
          .append(" | ")
          .append(r.label())
          .append(" | ")
          .append(r.unit())
          .append(" | ")
          .append(Numbers.format(r.baselineScore()))
          .append(" | ")
          .append(Numbers.format(r.currentScore()))
          .append(" | ")
          .append(ratio(r))
          .append(" | ")
          .append(Numbers.fixed(r.worsePercent(), 1))
          .append(" | ")
          .append(pValue(r.pAdjusted()))
          .append(" |\n");
    }
    md.append("\n## Frontier splits\n\n");
    for (FrontierChange f : c.frontierChanges()) {
      md.append("- ").append(f.group().label()).append(": ").append(frontierText(f)).append('\n');
    }
    if (c.frontierChanges().isEmpty()) {
      md.append("No PartitionBenchmark results.\n");
    }
    return md.toString();
  }

  /**
   * @return the HTML page
   */
  public static String html(Comparison c) {
    HtmlPage page = new HtmlPage("ParetoPipe compare");
    page.paragraph("Baseline: " + c.baselineName() + ". Current: " + c.currentName() + ".");
    String configuration = configurationLine(c);
    if (!configuration.isEmpty()) {
      page.paragraph(configuration);
    }
    page.heading(2, headline(c));
    page.paragraph(
        "Compared: "
            + c.comparedResults()
            + " of "
            + c.baselineResults()
            + " baseline "
            + c.scope()
            + " got a verdict.");
    for (String line : c.changedParams()) {
      page.paragraph(line + " (measured differently, not lost).");
    }
    page.paragraph(
        "A regression is significant (Welch's t-test on the logs of the per-iteration scores,"
            + " Holm-corrected over all results, alpha "
            + Numbers.format(c.alpha())
            + ") and worse by more than "
            + Numbers.format(c.thresholdPercent())
            + "%. Direction from the unit: time per operation lower is better, operations per time higher is better.");
    List<List<String>> rows = new ArrayList<>();
    List<String> classes = new ArrayList<>();
    for (ResultComparison r : sorted(c)) {
      rows.add(
          List.of(
              r.verdict().name().toLowerCase(Locale.ROOT),
              r.label(),
              r.unit(),
              Numbers.format(r.baselineScore()),
              Numbers.format(r.currentScore()),
              ratio(r),
              Numbers.fixed(r.worsePercent(), 1),
              pValue(r.pAdjusted())));
      classes.add(
          r.verdict() == Verdict.REGRESSION
              ? "bad"
              : r.verdict() == Verdict.IMPROVEMENT ? "good" : "");
    }
    page.table(
        List.of(
            "verdict",
            "result",
            "unit",
            "baseline",
            "current",
            "ratio [CI]",
            "worse %",
            "p (Holm)"),
        rows,
        classes,
        3);
    page.heading(2, "Frontier splits");
    List<List<String>> frontierRows = new ArrayList<>();
    List<String> frontierClasses = new ArrayList<>();
    for (FrontierChange f : c.frontierChanges()) {
      frontierRows.add(
          List.of(
              f.group().label(),
              splitsText(f.baselineSplits()),
              splitsText(f.currentSplits()),
              f.changed() ? "changed" : "same"));
      frontierClasses.add(f.changed() ? "bad" : "");
    }
    page.table(List.of("group", "baseline", "current", ""), frontierRows, frontierClasses, 4);
    List<ChartSpec> charts = trendCharts(c);
    if (!charts.isEmpty()) {
      page.heading(2, "Trends");
      page.panels(charts);
    }
    return page.toHtml();
  }

  /**
   * @return one trend chart per result of a history; none for two runs
   */
  public static List<ChartSpec> trendCharts(Comparison c) {
    List<ChartSpec> specs = new ArrayList<>();
    for (int i = 0; i < c.trends().size(); i++) {
      Comparison.Trend t = c.trends().get(i);
      String file = String.format(Locale.ROOT, "trend-%03d.png", i + 1);
      specs.add(
          new ChartSpec(
              "Trends", "Trend", t.label(), file, "trend of " + t.label(), () -> trend(t)));
    }
    return specs;
  }

  private static XYChart trend(Comparison.Trend t) {
    XYChart chart =
        new XYChartBuilder()
            .width(ChartStyle.WIDTH)
            .height(ChartStyle.HEIGHT)
            .title(t.label().length() > 70 ? t.label().substring(0, 67) + "..." : t.label())
            .xAxisTitle("run (oldest = 1)")
            .yAxisTitle(t.unit())
            .build();
    ChartStyle.apply(chart.getStyler());
    chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(11f));
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setXAxisDecimalPattern("0");
    chart.getStyler().setYAxisDecimalPattern("0.###");
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    List<Double> es = new ArrayList<>();
    IntStream.range(0, t.scores().length)
        .filter(i -> Double.isFinite(t.scores()[i]))
        .forEach(
            i -> {
              xs.add(i + 1.0);
              ys.add(t.scores()[i]);
              es.add(Double.isFinite(t.errors()[i]) ? t.errors()[i] : 0.0);
            });
    if (xs.isEmpty()) {
      xs.add(1.0);
      ys.add(0.0);
      es.add(0.0);
    }
    XYSeries s = chart.addSeries(t.unit(), xs, ys, es);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    s.setMarker(SeriesMarkers.CIRCLE);
    return chart;
  }

  private static List<ResultComparison> sorted(Comparison c) {
    List<ResultComparison> list = new ArrayList<>(c.results());
    list.sort(java.util.Comparator.comparingInt((ResultComparison r) -> r.verdict().ordinal()));
    return list;
  }

  private static String params(ResultComparison r) {
    return r.params().entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(";"));
  }

  private static String better(Units.Direction d) {
    return switch (d) {
      case LOWER_IS_BETTER -> "lower";
      case HIGHER_IS_BETTER -> "higher";
      case UNKNOWN -> "";
    };
  }

  private static String ratio(ResultComparison r) {
    if (!Double.isFinite(r.ratio())) {
      return "n/a";
    }
    String ratio = Numbers.fixed(r.ratio(), 3);
    return Double.isFinite(r.ratioLow())
        ? ratio
            + " ["
            + Numbers.fixed(r.ratioLow(), 3)
            + ", "
            + Numbers.fixed(r.ratioHigh(), 3)
            + "]"
        : ratio;
  }

  private static String pValue(double p) {
    if (!Double.isFinite(p)) {
      return "n/a";
    }
    return p < 0.0001 ? "<0.0001" : Numbers.fixed(p, 4);
  }

  private static String frontierText(FrontierChange f) {
    if (!f.changed()) {
      return "same (" + splitsText(f.currentSplits()) + ")";
    }
    return "changed: " + splitsText(f.baselineSplits()) + " -> " + splitsText(f.currentSplits());
  }

  private static String splitsText(List<String> splits) {
    return splits == null ? "absent" : splits.isEmpty() ? "none" : String.join(", ", splits);
  }
}
