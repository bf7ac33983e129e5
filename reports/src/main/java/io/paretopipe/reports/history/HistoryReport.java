package io.paretopipe.reports.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.reports.render.ChartRenderer;
import io.paretopipe.reports.render.ChartSpec;
import io.paretopipe.reports.render.CsvRenderer;
import io.paretopipe.reports.render.HtmlPage;
import io.paretopipe.reports.render.Numbers;
import io.paretopipe.reports.render.Renderer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The trend pages of {@code history report}: {@value #HTML} (open regressions and frontier drops
 * first, then per point a trend chart of each checked figure with its intervals, levels and change
 * points, and a table of every change with the commit range it falls in; opens from disk, no
 * scripts, no network), {@value #CSV} and {@value #JSON} (every change point and frontier drift),
 * {@value #SERIES} (the chart data of every series, {@link TrendChart}) and {@code
 * charts/tNNN.png}. Immutable.
 */
public final class HistoryReport {
  /** The page. */
  public static final String HTML = "index.html";

  /** Every change point, one row each. */
  public static final String CSV = "change-points.csv";

  /** Every change point and frontier drift. */
  public static final String JSON = "change-points.json";

  /** The chart data of every series. */
  public static final String SERIES = "series.json";

  /** The stable columns of {@value #CSV} (only ever added at the end). */
  public static final List<String> CSV_COLUMNS =
      List.of(
          "host",
          "benchmark",
          "point",
          "figure",
          "unit",
          "kind",
          "open",
          "before",
          "after",
          "change_pct",
          "p_value",
          "runs_before",
          "runs_after",
          "last_run_before",
          "first_run_after",
          "started_before",
          "started_after",
          "commit_before",
          "commit_after");

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final HistoryCheck.Result result;
  private final String url;
  private final List<TrendChart> charts;

  /**
   * @param result the check
   * @param url the database it was read from (password hidden)
   */
  public HistoryReport(HistoryCheck.Result result, String url) {
    this.result = result;
    this.url = url;
    List<TrendChart> list = new ArrayList<>();
    for (HistoryCheck.SeriesResult s : result.series()) {
      if (!s.observations().isEmpty()) {
        list.add(TrendChart.of(s, result.runs()));
      }
    }
    this.charts = List.copyOf(list);
  }

  /**
   * @return the check the report shows
   */
  public HistoryCheck.Result result() {
    return result;
  }

  /**
   * @return the database URL (password hidden)
   */
  public String url() {
    return url;
  }

  /**
   * @return the chart data, one per series with at least one value, in series order
   */
  public List<TrendChart> charts() {
    return charts;
  }

  /**
   * @return the renderers, in writing order
   */
  public static List<Renderer<HistoryReport>> renderers() {
    return List.of(
        (r, dir) -> Files.writeString(dir.resolve(CSV), r.csv(), StandardCharsets.UTF_8),
        (r, dir) -> Files.writeString(dir.resolve(JSON), r.json(), StandardCharsets.UTF_8),
        (r, dir) -> Files.writeString(dir.resolve(SERIES), r.seriesJson(), StandardCharsets.UTF_8),
        (r, dir) -> Files.writeString(dir.resolve(HTML), r.html(), StandardCharsets.UTF_8),
        new ChartRenderer<>(HistoryReport::chartSpecs));
  }

  /**
   * @return one chart per series, named {@code tNNN.png} in series order
   */
  public List<ChartSpec> chartSpecs() {
    List<ChartSpec> specs = new ArrayList<>();
    for (int i = 0; i < charts.size(); i++) {
      TrendChart chart = charts.get(i);
      specs.add(
          new ChartSpec(
              chart.key().pointLabel() + " (host " + chart.key().hostId() + ")",
              "trend",
              chart.key().figure() + " (" + chart.unit() + ")",
              String.format(Locale.ROOT, "t%03d.png", i + 1),
              chart.key().figure() + " per run, " + chart.key().pointLabel(),
              () -> HistoryCharts.draw(chart)));
    }
    return specs;
  }

  /**
   * @param series a series
   * @param change one of its changes
   * @return one line naming the point, the figure, the change and where it falls, e.g. {@code
   *     PartitionBenchmark model=mobilenetv2 ... split=4 latency_mean_ms: +23.4% worse (121 ->
   *     149.3 ms/op, p=0.0003) from run 7 (2026-12-05T10:00:00Z), commits abc..def, 2 run(s) since,
   *     host 1a2b3c4d5e6f}
   */
  public static String describe(HistoryCheck.SeriesResult series, Change change) {
    ChangePointDetector.ChangePoint p = change.point();
    StoredRun[] around = series.runsAround(change);
    double worse = Change.worseFraction(p.before(), p.after(), FigureValue.better(series.unit()));
    String verdict =
        Double.isNaN(worse)
            ? String.format(Locale.ROOT, "%+.1f%%", p.magnitude() * 100)
            : String.format(
                Locale.ROOT, "%.1f%% %s", Math.abs(worse) * 100, worse > 0 ? "worse" : "better");
    return series.key().pointLabel()
        + " "
        + series.key().figure()
        + ": "
        + verdict
        + " ("
        + Numbers.format(p.before())
        + " -> "
        + Numbers.format(p.after())
        + " "
        + series.unit()
        + ", p="
        + pValue(p.pValue())
        + ") from run "
        + around[1].id()
        + " ("
        + around[1].startedAt()
        + "), commits "
        + around[0].shortCommit()
        + ".."
        + around[1].shortCommit()
        + ", "
        + (p.to() - p.index())
        + " run(s) at the new level, host "
        + series.key().hostId();
  }

  /**
   * @param f a point with a frontier drift
   * @return one line, e.g. {@code PartitionBenchmark ... split=4: frontier -> dominated from run 7
   *     (...), commits abc..def, host ...}
   */
  public static String describe(HistoryCheck.FrontierSeries f) {
    HistoryCheck.FrontierDrift d = f.drift();
    StoredRun before = f.runs().get(d.index() - 1);
    StoredRun after = f.runs().get(d.index());
    return new SeriesKey(f.benchmark(), f.identity(), "", f.hostId()).pointLabel()
        + ": frontier class "
        + d.from()
        + " -> "
        + d.to()
        + " from run "
        + after.id()
        + " ("
        + after.startedAt()
        + "), commits "
        + before.shortCommit()
        + ".."
        + after.shortCommit()
        + ", "
        + (f.runs().size() - d.index())
        + " run(s) since, host "
        + f.hostId();
  }

  private static String pValue(double p) {
    return p < 1e-4 ? String.format(Locale.ROOT, "%.1e", p) : Numbers.format(p);
  }

  /**
   * @return {@value #CSV}: one row per change point, columns {@link #CSV_COLUMNS}
   */
  public String csv() {
    StringBuilder s = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
    for (HistoryCheck.SeriesResult series : result.series()) {
      for (Change c : series.changes()) {
        s.append(row(series, c).stream().map(CsvRenderer::escape).collect(Collectors.joining(",")))
            .append('\n');
      }
    }
    return s.toString();
  }

  private static List<String> row(HistoryCheck.SeriesResult series, Change c) {
    ChangePointDetector.ChangePoint p = c.point();
    StoredRun[] around = series.runsAround(c);
    return List.of(
        series.key().hostId(),
        series.key().benchmark(),
        series.key().identity(),
        series.key().figure(),
        series.unit(),
        c.kind().name().toLowerCase(Locale.ROOT),
        Boolean.toString(c.open()),
        Numbers.format(p.before()),
        Numbers.format(p.after()),
        Numbers.format(p.magnitude() * 100),
        Numbers.format(p.pValue()),
        Integer.toString(p.index() - p.from()),
        Integer.toString(p.to() - p.index()),
        Long.toString(around[0].id()),
        Long.toString(around[1].id()),
        around[0].startedAt().toString(),
        around[1].startedAt().toString(),
        around[0].commit() == null ? "" : around[0].commit(),
        around[1].commit() == null ? "" : around[1].commit());
  }

  /**
   * @return {@value #JSON}: {@code {"format":"paretopipe-history-changes","version":1,"database",
   *     "settings",{...},"runs","regressed","changes":[{CSV columns}],"frontier_drifts":[...]}}
   */
  public String json() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", "paretopipe-history-changes");
    root.put("version", 1);
    root.put("database", url);
    ObjectNode settings = root.putObject("settings");
    ChangePointDetector.Settings s = result.options().settings();
    settings.put("alpha", s.alpha());
    settings.put("min_change_pct", s.minMagnitude() * 100);
    settings.put("buffer", s.buffer());
    settings.put("window", s.window());
    settings.put("persistence", result.options().persistence());
    ArrayNode figures = settings.putArray("figures");
    result.options().figures().forEach(figures::add);
    root.put("runs", result.runs().size());
    root.put("regressed", result.regressed());
    ArrayNode changes = root.putArray("changes");
    for (HistoryCheck.SeriesResult series : result.series()) {
      for (Change c : series.changes()) {
        List<String> row = row(series, c);
        ObjectNode o = changes.addObject();
        for (int i = 0; i < CSV_COLUMNS.size(); i++) {
          String column = CSV_COLUMNS.get(i);
          String value = row.get(i);
          if (value.isEmpty()) {
            o.putNull(column);
          } else if (column.equals("open")) {
            o.put(column, Boolean.parseBoolean(value));
          } else if (List.of("before", "after", "change_pct", "p_value").contains(column)) {
            o.put(column, Double.parseDouble(value));
          } else if (column.startsWith("runs_")
              || column.endsWith("_run_before")
              || column.endsWith("_run_after")) {
            o.put(column, Long.parseLong(value));
          } else {
            o.put(column, value);
          }
        }
      }
    }
    ArrayNode drifts = root.putArray("frontier_drifts");
    for (HistoryCheck.FrontierSeries f : result.frontier()) {
      if (f.drift() == null) {
        continue;
      }
      ObjectNode o = drifts.addObject();
      o.put("host", f.hostId());
      o.put("benchmark", f.benchmark());
      o.put("point", f.identity());
      o.put("from", f.drift().from());
      o.put("to", f.drift().to());
      o.put("regression", f.drift().regression());
      o.put("last_run_before", f.runs().get(f.drift().index() - 1).id());
      o.put("first_run_after", f.runs().get(f.drift().index()).id());
      o.put("runs_after", f.runs().size() - f.drift().index());
    }
    return write(root);
  }

  /**
   * @return {@value #SERIES}: {@code {"format":"paretopipe-history-series","version":1,"series":[{
   *     "host","benchmark","point","figure","unit","values":[{"run","run_id","started_at","commit",
   *     "value","ci_low","ci_high","samples"}],"levels":[{"from_run","to_run","level"}],
   *     "changes":[{"last_run_before","first_run_after","kind","open","change_pct"}]}]}}
   */
  public String seriesJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", "paretopipe-history-series");
    root.put("version", 1);
    ArrayNode all = root.putArray("series");
    for (TrendChart chart : charts) {
      ObjectNode o = all.addObject();
      o.put("host", chart.key().hostId());
      o.put("benchmark", chart.key().benchmark());
      o.put("point", chart.key().identity());
      o.put("figure", chart.key().figure());
      o.put("unit", chart.unit());
      ArrayNode values = o.putArray("values");
      for (TrendChart.Value v : chart.values()) {
        ObjectNode value = values.addObject();
        value.put("run", v.run());
        value.put("run_id", v.runId());
        value.put("started_at", v.startedAt().toString());
        value.put("commit", v.commit());
        putNumber(value, "value", v.value());
        putNumber(value, "ci_low", v.ciLow());
        putNumber(value, "ci_high", v.ciHigh());
        if (v.samples() < 0) {
          value.putNull("samples");
        } else {
          value.put("samples", v.samples());
        }
        if (v.units() < 0) {
          value.putNull("units");
        } else {
          value.put("units", v.units());
        }
      }
      ArrayNode levels = o.putArray("levels");
      for (TrendChart.Level l : chart.levels()) {
        ObjectNode level = levels.addObject();
        level.put("from_run", l.fromRun());
        level.put("to_run", l.toRun());
        putNumber(level, "level", l.level());
      }
      ArrayNode markers = o.putArray("changes");
      for (TrendChart.Marker m : chart.changes()) {
        ObjectNode marker = markers.addObject();
        marker.put("last_run_before", m.lastBefore());
        marker.put("first_run_after", m.firstAfter());
        marker.put("kind", m.kind().name().toLowerCase(Locale.ROOT));
        marker.put("open", m.open());
        putNumber(marker, "change_pct", m.changePercent());
      }
    }
    return write(root);
  }

  /**
   * @return {@value #HTML}
   */
  public String html() {
    HtmlPage page = new HtmlPage("ParetoPipe history");
    List<String> summary = HistorySummary.lines(result, url);
    page.paragraph(summary.get(0));
    page.heading(2, "Open regressions");
    List<Map.Entry<HistoryCheck.SeriesResult, Change>> open = result.openRegressions();
    List<HistoryCheck.FrontierSeries> drops = result.frontierDrops();
    if (open.isEmpty() && drops.isEmpty()) {
      page.paragraph("None.");
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (Map.Entry<HistoryCheck.SeriesResult, Change> e : open) {
        rows.add(tableRow(e.getKey(), e.getValue()));
      }
      page.table(TABLE_HEADER, rows, rows.stream().map(r -> "bad").toList(), 4);
      for (HistoryCheck.FrontierSeries f : drops) {
        page.paragraph("Frontier: " + describe(f));
      }
    }
    List<HistoryCheck.FrontierSeries> joins = result.frontierJoins();
    for (HistoryCheck.FrontierSeries f : joins) {
      page.paragraph("Joined: " + describe(f));
    }
    page.heading(2, "Every change point");
    List<List<String>> all = new ArrayList<>();
    List<String> classes = new ArrayList<>();
    for (HistoryCheck.SeriesResult s : result.series()) {
      for (Change c : s.changes()) {
        all.add(tableRow(s, c));
        classes.add(
            c.kind() == Change.Kind.REGRESSION
                ? "bad"
                : c.kind() == Change.Kind.IMPROVEMENT ? "good" : "");
      }
    }
    if (all.isEmpty()) {
      page.paragraph("None.");
    } else {
      page.table(TABLE_HEADER, all, classes, 4);
    }
    page.heading(2, "Trends");
    page.paragraph(
        "One chart per series: dots are the runs' values, dashed lines their intervals (where the run had"
            + " them), grey steps the level between change points, vertical lines the change points (red:"
            + " regression, blue: improvement). x is the run's place in the history (1 = oldest).");
    Map<String, List<ChartSpec>> bySection = new LinkedHashMap<>();
    for (ChartSpec spec : chartSpecs()) {
      bySection.computeIfAbsent(spec.section(), k -> new ArrayList<>()).add(spec);
    }
    bySection.forEach(
        (section, specs) -> {
          page.heading(3, section);
          page.panels(specs);
        });
    page.heading(2, "Hosts");
    List<List<String>> hosts = new ArrayList<>();
    result.hosts().forEach((id, description) -> hosts.add(List.of(id, description)));
    page.table(List.of("fingerprint", "host"), hosts, hosts.stream().map(h -> "").toList(), 2);
    return page.toHtml();
  }

  private static final List<String> TABLE_HEADER =
      List.of(
          "point",
          "figure",
          "kind",
          "commit range",
          "change %",
          "before",
          "after",
          "p",
          "runs since",
          "first run",
          "host");

  private static List<String> tableRow(HistoryCheck.SeriesResult s, Change c) {
    ChangePointDetector.ChangePoint p = c.point();
    StoredRun[] around = s.runsAround(c);
    return List.of(
        s.key().pointLabel(),
        s.key().figure() + " (" + s.unit() + ")",
        c.kind().name().toLowerCase(Locale.ROOT) + (c.open() ? " (open)" : ""),
        around[0].shortCommit() + ".." + around[1].shortCommit(),
        Numbers.fixed(p.magnitude() * 100, 1),
        Numbers.format(p.before()),
        Numbers.format(p.after()),
        pValue(p.pValue()),
        Integer.toString(p.to() - p.index()),
        around[1].id() + " (" + around[1].startedAt() + ")",
        s.key().hostId());
  }

  private static void putNumber(ObjectNode o, String field, double value) {
    if (Double.isFinite(value)) {
      o.put(field, value);
    } else {
      o.putNull(field);
    }
  }

  private static String write(ObjectNode root) {
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
