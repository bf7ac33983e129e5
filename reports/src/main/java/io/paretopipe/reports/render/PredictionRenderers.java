package io.paretopipe.reports.render;

import com.fasterxml.jackson.core.JsonGenerator;
import io.paretopipe.reports.predict.LinkSpec;
import io.paretopipe.reports.predict.Overhead;
import io.paretopipe.reports.predict.Prediction;
import io.paretopipe.reports.predict.PredictionReport;
import io.paretopipe.reports.predict.PredictionReport.BandwidthSweep;
import io.paretopipe.reports.predict.PredictionReport.LinkPrediction;
import io.paretopipe.reports.predict.PredictionReport.StageRole;
import io.paretopipe.reports.predict.PredictionReport.SweepPoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The renderers of {@code predict}: {@code predicted.md}, {@code predicted.json}, {@code
 * predicted.csv}, and in {@code charts/} the predicted frontier per link ({@code lNN-frontier.png})
 * and the best split(s) against bandwidth per delay ({@code dNN-best-split-vs-bandwidth.png}).
 * Deterministic: no dates, no timings. Stateless.
 */
public final class PredictionRenderers {
  /** Markdown file name. */
  public static final String MARKDOWN = "predicted.md";

  /** JSON file name. */
  public static final String JSON = "predicted.json";

  /** CSV file name. */
  public static final String CSV = "predicted.csv";

  /** Value of the JSON {@code format} field. */
  public static final String FORMAT = "paretopipe-prediction";

  /** Value of the JSON {@code version} field; raised only for incompatible changes. */
  public static final int VERSION = 1;

  /** The columns of {@code predicted.csv}. */
  public static final List<String> CSV_COLUMNS =
      List.of(
          "link",
          "split",
          "latency_ms",
          "throughput_img_s",
          "bottleneck",
          "stage_compute_ms",
          "bytes",
          "wire_ms",
          "overhead_ms",
          "on_frontier");

  /**
   * The columns {@code predict --slo} appends to {@code predicted.csv}: the SLO, the predicted peak
   * rate (requests per second, empty when a request alone misses the bound), the busiest stage or
   * link and its service time (ms per batch), the service time's measured squared coefficient of
   * variation (empty when not measured) and the queue model the peak used ({@code M/G/1} or {@code
   * M/D/1}).
   */
  public static final List<String> PEAK_CSV_COLUMNS =
      List.of(
          "slo",
          "predicted_peak_rate_per_s",
          "peak_bottleneck",
          "peak_service_ms",
          "peak_service_cv2",
          "peak_model");

  private PredictionRenderers() {}

  /**
   * @return every renderer, in writing order
   */
  public static List<Renderer<PredictionReport>> all() {
    return List.of(
        (r, dir) -> Files.writeString(dir.resolve(MARKDOWN), markdown(r), StandardCharsets.UTF_8),
        PredictionRenderers::json,
        (r, dir) -> Files.writeString(dir.resolve(CSV), csv(r), StandardCharsets.UTF_8),
        (r, dir) -> {
          if (r.peakRates() != null && !r.peakRates().agreements().isEmpty()) {
            Files.writeString(
                dir.resolve(PeakRateTables.CSV),
                PeakRateTables.agreementCsv(r.peakRates()),
                StandardCharsets.UTF_8);
          }
        },
        new ChartRenderer<>(PredictionRenderers::charts));
  }

  /**
   * @return e.g. {@code pi-link (delay 200 ms, 5 Mbit/s each way)}
   */
  public static String linkText(LinkSpec link) {
    String delay =
        link.delayNanos() == 0 ? "no delay" : "delay " + Numbers.format(link.delayMs()) + " ms";
    String rate = link.unlimitedRate() ? "unlimited rate" : link.rateText();
    return link.label() + " (" + delay + ", " + rate + " each way)";
  }

  /**
   * @return the overhead in words, e.g. {@code 2.1 ms + 0.8 ms/MB per hop (...)}
   */
  public static String overheadText(Overhead o) {
    if (!o.calibrated()) {
      return "0 (not calibrated: pass --calibrate RUN to fit it from a measured run)";
    }
    return Numbers.format(o.fixedMs())
        + " ms + "
        + Numbers.format(o.msPerMegabyte())
        + " ms/MB per hop, fitted by"
        + " least squares on "
        + o.points()
        + " measured points of "
        + o.source()
        + " (rmse "
        + Numbers.fixed(o.rmseMs(), 2)
        + " ms)";
  }

  private static String stageText(StageRole s) {
    return s.role() + ": " + s.profile().describe();
  }

  /**
   * @return the Markdown text
   */
  public static String markdown(PredictionReport r) {
    StringBuilder md = new StringBuilder("# ParetoPipe prediction\n\n");
    md.append("Model ")
        .append(r.model())
        .append(", batch ")
        .append(r.batch())
        .append(", ")
        .append(r.devices())
        .append(" devices, depth ")
        .append(r.depth())
        .append(".  \n");
    for (StageRole s : r.stages()) {
      md.append("Profile of the ").append(stageText(s)).append(".  \n");
    }
    md.append("Per-hop overhead: ").append(overheadText(r.overhead())).append(".  \n");
    md.append(r.combinations())
        .append(" cut combination")
        .append(r.combinations() == 1 ? "" : "s")
        .append(
            r.enumerated()
                ? ", all evaluated.\n"
                : "; only the frontier is listed (found by dynamic programming without evaluating each).\n");
    for (LinkPrediction lp : r.links()) {
      md.append("\n## Link ").append(linkText(lp.link())).append("\n\n");
      md.append("Frontier splits: ").append(splits(lp.frontier())).append(".\n\n");
      md.append("- Lowest latency: split ")
          .append(lp.bestLatency().split())
          .append(", ")
          .append(Numbers.fixed(lp.bestLatency().latencyMs(), 3))
          .append(" ms\n");
      md.append("- Highest throughput: split ")
          .append(lp.bestThroughput().split())
          .append(", ")
          .append(Numbers.fixed(lp.bestThroughput().throughputImgS(), 2))
          .append(" img/s\n\n");
      List<String> stageNames = stageNames(r.devices());
      md.append("| split | latency ms | throughput img/s | bottleneck | ")
          .append(stageNames.stream().map(n -> n + " ms").collect(Collectors.joining(" | ")))
          .append(" | bytes | wire ms | overhead ms | frontier |")
          .append(PeakRateTables.headerCells(r.peakRates()))
          .append("\n");
      md.append("|---:|---:|---:|:---|")
          .append("---:|".repeat(stageNames.size()))
          .append("---:|---:|---:|:---:|")
          .append(PeakRateTables.alignCells(r.peakRates()))
          .append("\n");
      for (Prediction p : lp.predictions()) {
        md.append("| ")
            .append(p.split())
            .append(" | ")
            .append(Numbers.fixed(p.latencyMs(), 3))
            .append(" | ")
            .append(Numbers.fixed(p.throughputImgS(), 2))
            .append(" | ")
            .append(p.bottleneck())
            .append(" | ");
        for (double c : p.stageComputeMs()) {
          md.append(Numbers.fixed(c, 3)).append(" | ");
        }
        md.append(p.totalBytes())
            .append(" | ")
            .append(Numbers.fixed(Arrays.stream(p.hopWireMs()).sum(), 3))
            .append(" | ")
            .append(Numbers.fixed(Arrays.stream(p.hopOverheadMs()).sum(), 3))
            .append(" | ")
            .append(lp.onFrontier(p) ? "yes" : "")
            .append(" |")
            .append(PeakRateTables.rowCells(r.peakRates(), p))
            .append("\n");
      }
    }
    if (r.peakRates() != null) {
      md.append(PeakRateTables.markdown(r));
    }
    for (BandwidthSweep sweep : r.sweeps()) {
      md.append("\n## Best split against bandwidth, delay ")
          .append(Numbers.format(sweep.delayNanos() / 1e6))
          .append(" ms\n\n");
      md.append(
          "| rate | lowest-latency split | latency ms | highest-throughput split | throughput img/s |\n");
      md.append("|---:|---:|---:|---:|---:|\n");
      for (SweepPoint sp : sweep.points()) {
        md.append("| ")
            .append(LinkSpec.rateText(sp.rateBitsPerSecond()))
            .append(" | ")
            .append(sp.bestLatency().split())
            .append(" | ")
            .append(Numbers.fixed(sp.bestLatency().latencyMs(), 3))
            .append(" | ")
            .append(sp.bestThroughput().split())
            .append(" | ")
            .append(Numbers.fixed(sp.bestThroughput().throughputImgS(), 2))
            .append(" |\n");
      }
    }
    return md.toString();
  }

  private static List<String> stageNames(int devices) {
    List<String> names = new ArrayList<>();
    for (int s = 0; s < devices; s++) {
      names.add(s == 0 ? "head" : s == devices - 1 ? "tail" : "middle " + s);
    }
    return names;
  }

  private static String splits(List<Prediction> predictions) {
    return predictions.stream().map(Prediction::split).collect(Collectors.joining(", "));
  }

  /**
   * @return the CSV text: one row per link and listed combination
   */
  public static String csv(PredictionReport r) {
    List<String> columns = new ArrayList<>(CSV_COLUMNS);
    if (r.peakRates() != null) {
      columns.addAll(PEAK_CSV_COLUMNS);
    }
    StringBuilder s = new StringBuilder(String.join(",", columns)).append('\n');
    for (LinkPrediction lp : r.links()) {
      for (Prediction p : lp.predictions()) {
        List<String> row =
            new ArrayList<>(
                List.of(
                    lp.link().label(),
                    p.split(),
                    Numbers.format(p.latencyMs()),
                    Numbers.format(p.throughputImgS()),
                    p.bottleneck(),
                    Arrays.stream(p.stageComputeMs())
                        .mapToObj(Numbers::format)
                        .collect(Collectors.joining(";")),
                    Long.toString(p.totalBytes()),
                    Numbers.format(Arrays.stream(p.hopWireMs()).sum()),
                    Numbers.format(Arrays.stream(p.hopOverheadMs()).sum()),
                    Boolean.toString(lp.onFrontier(p))));
        if (r.peakRates() != null) {
          double peak = r.peakRates().peakPerS(p);
          row.add(r.peakRates().slo().toString());
          row.add(Double.isFinite(peak) ? Numbers.format(peak) : "");
          row.add(p.busiest());
          row.add(Numbers.format(p.busiestMs()));
          double cv2 = r.peakRates().serviceCv2(p);
          row.add(Double.isFinite(cv2) ? Numbers.format(cv2) : "");
          row.add(r.peakRates().model(p));
        }
        s.append(row.stream().map(CsvRenderer::escape).collect(Collectors.joining(",")))
            .append('\n');
      }
    }
    return s.toString();
  }

  private static void json(PredictionReport r, java.nio.file.Path dir) throws IOException {
    try (JsonGenerator g = JsonRenderer.open(dir.resolve(JSON))) {
      g.writeStartObject();
      g.writeStringField("format", FORMAT);
      g.writeNumberField("version", VERSION);
      g.writeStringField("model", r.model());
      g.writeNumberField("batch", r.batch());
      g.writeNumberField("devices", r.devices());
      g.writeNumberField("depth", r.depth());
      g.writeArrayFieldStart("stages");
      for (StageRole s : r.stages()) {
        g.writeStartObject();
        g.writeStringField("role", s.role());
        g.writeStringField("source", s.profile().source());
        g.writeNumberField("threads", s.profile().threads());
        g.writeStringField("variant", s.profile().variant());
        number(g, "total_compute_ms", s.profile().totalMs());
        g.writeEndObject();
      }
      g.writeEndArray();
      Overhead o = r.overhead();
      g.writeObjectFieldStart("overhead");
      g.writeBooleanField("calibrated", o.calibrated());
      number(g, "fixed_ms", o.fixedMs());
      number(g, "ms_per_megabyte", o.msPerMegabyte());
      g.writeNumberField("points", o.points());
      number(g, "rmse_ms", o.rmseMs());
      text(g, "source", o.source());
      text(g, "transport", r.transport());
      g.writeEndObject();
      g.writeNumberField("combinations", r.combinations());
      g.writeBooleanField("enumerated", r.enumerated());
      if (r.peakRates() != null) {
        g.writeStringField("slo", r.peakRates().slo().toString());
      }
      g.writeArrayFieldStart("links");
      for (LinkPrediction lp : r.links()) {
        LinkSpec l = lp.link();
        g.writeStartObject();
        g.writeStringField("link", l.label());
        number(g, "delay_ms", l.delayMs());
        number(g, "jitter_ms", l.jitterNanos() / 1e6);
        number(g, "loss_percent", l.lossPercent());
        if (l.unlimitedRate()) {
          g.writeNullField("rate_bits_per_second");
          g.writeNullField("burst_bytes");
        } else {
          g.writeNumberField("rate_bits_per_second", l.rateBitsPerSecond());
          g.writeNumberField("burst_bytes", l.effectiveBurstBytes());
        }
        strings(g, "frontier_splits", lp.frontier(), Prediction::split);
        g.writeStringField("best_latency_split", lp.bestLatency().split());
        g.writeStringField("best_throughput_split", lp.bestThroughput().split());
        g.writeArrayFieldStart("predictions");
        for (Prediction p : lp.predictions()) {
          g.writeStartObject();
          g.writeStringField("split", p.split());
          g.writeArrayFieldStart("cuts");
          for (int c : p.cuts()) {
            g.writeNumber(c);
          }
          g.writeEndArray();
          number(g, "latency_ms", p.latencyMs());
          number(g, "throughput_img_s", p.throughputImgS());
          g.writeStringField("bottleneck", p.bottleneck());
          numbers(g, "stage_compute_ms", p.stageComputeMs());
          g.writeArrayFieldStart("hop_bytes");
          for (long b : p.hopBytes()) {
            g.writeNumber(b);
          }
          g.writeEndArray();
          numbers(g, "hop_wire_ms", p.hopWireMs());
          numbers(g, "hop_overhead_ms", p.hopOverheadMs());
          g.writeBooleanField("on_frontier", lp.onFrontier(p));
          if (r.peakRates() != null) {
            number(g, "predicted_peak_rate_per_s", r.peakRates().peakPerS(p));
            g.writeStringField("peak_bottleneck", p.busiest());
            number(g, "peak_service_ms", p.busiestMs());
            number(g, "peak_service_cv2", r.peakRates().serviceCv2(p));
            g.writeStringField("peak_model", r.peakRates().model(p));
          }
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("bandwidth_sweeps");
      for (BandwidthSweep sweep : r.sweeps()) {
        g.writeStartObject();
        number(g, "delay_ms", sweep.delayNanos() / 1e6);
        g.writeArrayFieldStart("points");
        for (SweepPoint sp : sweep.points()) {
          g.writeStartObject();
          g.writeNumberField("rate_bits_per_second", sp.rateBitsPerSecond());
          g.writeStringField("best_latency_split", sp.bestLatency().split());
          number(g, "latency_ms", sp.bestLatency().latencyMs());
          g.writeStringField("best_throughput_split", sp.bestThroughput().split());
          number(g, "throughput_img_s", sp.bestThroughput().throughputImgS());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      if (r.peakRates() != null && !r.peakRates().agreements().isEmpty()) {
        PeakRateTables.agreementJson(g, r.peakRates());
      }
      g.writeEndObject();
      g.writeRaw('\n');
    }
  }

  static void number(JsonGenerator g, String name, double value) throws IOException {
    g.writeFieldName(name);
    if (Double.isFinite(value)) {
      g.writeNumber(Numbers.format(value));
    } else {
      g.writeNull();
    }
  }

  private static void numbers(JsonGenerator g, String name, double[] values) throws IOException {
    g.writeArrayFieldStart(name);
    for (double v : values) {
      g.writeNumber(Numbers.format(v));
    }
    g.writeEndArray();
  }

  private static void text(JsonGenerator g, String name, String value) throws IOException {
    if (value == null || value.isEmpty()) {
      g.writeNullField(name);
    } else {
      g.writeStringField(name, value);
    }
  }

  private static <T> void strings(
      JsonGenerator g, String name, List<T> items, Function<T, String> f) throws IOException {
    g.writeArrayFieldStart(name);
    for (T item : items) {
      g.writeString(f.apply(item));
    }
    g.writeEndArray();
  }

  /**
   * @return the charts: the predicted frontier per link, the best split(s) against bandwidth per
   *     delay
   */
  public static List<ChartSpec> charts(PredictionReport r) {
    List<ChartSpec> specs = new ArrayList<>();
    for (int i = 0; i < r.links().size(); i++) {
      LinkPrediction lp = r.links().get(i);
      String file = String.format(Locale.ROOT, "l%02d-frontier.png", i + 1);
      specs.add(
          new ChartSpec(
              "Predicted frontier",
              "Latency vs throughput",
              "link " + lp.link().label(),
              file,
              "predicted latency vs throughput, link " + lp.link().label(),
              () -> frontierChart(r, lp)));
    }
    for (int i = 0; i < r.sweeps().size(); i++) {
      BandwidthSweep sweep = r.sweeps().get(i);
      String delay = Numbers.format(sweep.delayNanos() / 1e6) + " ms";
      String file = String.format(Locale.ROOT, "d%02d-best-split-vs-bandwidth.png", i + 1);
      specs.add(
          new ChartSpec(
              "Best split against bandwidth",
              "Best split",
              "delay " + delay,
              file,
              "best split against bandwidth, delay " + delay,
              () -> sweepChart(r, sweep)));
    }
    return specs;
  }

  private static XYChart frontierChart(PredictionReport r, LinkPrediction lp) {
    XYChart chart =
        new XYChartBuilder()
            .width(ChartStyle.WIDTH)
            .height(ChartStyle.HEIGHT)
            .title(
                "Predicted, "
                    + r.model()
                    + ", "
                    + r.devices()
                    + " devices, link "
                    + lp.link().label())
            .xAxisTitle("latency (ms)")
            .yAxisTitle("throughput (images/s)")
            .build();
    ChartStyle.apply(chart.getStyler());
    chart.getStyler().setXAxisDecimalPattern("0.###");
    chart.getStyler().setYAxisDecimalPattern("0.##");
    chart.getStyler().setMarkerSize(5);
    List<Double> xs = lp.predictions().stream().map(Prediction::latencyMs).toList();
    List<Double> ys = lp.predictions().stream().map(Prediction::throughputImgS).toList();
    XYSeries all =
        chart.addSeries(r.enumerated() ? "all combinations" : "frontier combinations", xs, ys);
    all.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    all.setMarker(SeriesMarkers.CIRCLE);
    List<Prediction> line = new ArrayList<>(lp.frontier());
    line.sort(
        Comparator.comparingDouble(Prediction::latencyMs)
            .thenComparingDouble(Prediction::throughputImgS));
    XYSeries f =
        chart.addSeries(
            "frontier",
            line.stream().map(Prediction::latencyMs).toList(),
            line.stream().map(Prediction::throughputImgS).toList());
    f.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    f.setMarker(SeriesMarkers.DIAMOND);
    double max = ys.stream().mapToDouble(Double::doubleValue).max().orElse(1);
    double min = ys.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double offset = (max > min ? max - min : Math.max(1, max)) * 0.05;
    chart.getStyler().setYAxisMax(max + 2 * offset);
    java.util.Map<List<Double>, List<String>> labels = new java.util.LinkedHashMap<>();
    for (Prediction p : line) {
      labels
          .computeIfAbsent(List.of(p.latencyMs(), p.throughputImgS()), k -> new ArrayList<>())
          .add(p.split());
    }
    if (labels.size() <= 12) {
      labels.forEach(
          (xy, splits) ->
              chart.addAnnotation(
                  new AnnotationText(
                      String.join(", ", splits), xy.get(0), xy.get(1) + offset, false)));
    }
    return chart;
  }

  private static XYChart sweepChart(PredictionReport r, BandwidthSweep sweep) {
    XYChart chart =
        new XYChartBuilder()
            .width(ChartStyle.WIDTH)
            .height(ChartStyle.HEIGHT)
            .title(
                "Best split, "
                    + r.model()
                    + ", delay "
                    + Numbers.format(sweep.delayNanos() / 1e6)
                    + " ms")
            .xAxisTitle("link rate (Mbit/s, log scale)")
            .yAxisTitle(r.devices() == 2 ? "split" : "cut")
            .build();
    ChartStyle.apply(chart.getStyler());
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setXAxisDecimalPattern("0.###");
    chart.getStyler().setYAxisDecimalPattern("0");
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax((double) r.stages().get(0).profile().unitCount());
    chart.getStyler().setMarkerSize(4);
    List<Double> mbit = sweep.points().stream().map(sp -> sp.rateBitsPerSecond() / 1e6).toList();
    int hops = r.devices() - 1;
    for (int h = 0; h < hops; h++) {
      int cut = h;
      String suffix = hops == 1 ? "" : ", cut " + (h + 1);
      XYSeries latency =
          chart.addSeries(
              "lowest latency" + suffix,
              mbit,
              sweep.points().stream().map(sp -> (double) sp.bestLatency().cuts()[cut]).toList());
      latency.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
      latency.setMarker(SeriesMarkers.CIRCLE);
      XYSeries throughput =
          chart.addSeries(
              "highest throughput" + suffix,
              mbit,
              sweep.points().stream().map(sp -> (double) sp.bestThroughput().cuts()[cut]).toList());
      throughput.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
      throughput.setMarker(SeriesMarkers.DIAMOND);
    }
    return chart;
  }
}
