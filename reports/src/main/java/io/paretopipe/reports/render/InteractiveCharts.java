package io.paretopipe.reports.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.format.Phase;
import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The interactive latency-throughput charts of {@code index.html}, drawn in the browser by Apache
 * ECharts: one chart per report section (model, transport, batch, stage settings), one series per
 * link that the legend toggles, the frontier of the estimates as a line, frontier-class markers
 * (frontier: large outlined diamond; possible: circle; dominated: faded triangle), 95% interval
 * bars, zoom (wheel, drag, the slider and the toolbox) and a tooltip per point with its split, both
 * values with their intervals, P(frontier) and class, the time per phase, the bytes at the cut and
 * the samples behind it.
 *
 * <p>The page needs no network: {@link #copyLibrary} writes {@value #LIBRARY_FILE} (from the {@code
 * org.webjars.npm:echarts} jar on the class path) next to {@code index.html}; the data is a JSON
 * block inside the page ({@code <script type="application/json" id="pp-chart-data">}) and the
 * drawing code ({@code frontier-charts.js}, a resource of this package) is inlined. The same {@link
 * FrontierPlot} feeds the PNG of {@link ParetoCharts}, so both show the same points and line.
 * Stateless.
 */
public final class InteractiveCharts {
  /** The ECharts version the page is written for (the webjar's version in the pom). */
  public static final String ECHARTS_VERSION = "5.3.1";

  /** The library file written next to {@code index.html}. */
  public static final String LIBRARY_FILE = "echarts.min.js";

  private static final String LIBRARY_RESOURCE =
      "META-INF/resources/webjars/echarts/" + ECHARTS_VERSION + "/dist/echarts.min.js";

  private static final ObjectMapper JSON = new ObjectMapper();

  private InteractiveCharts() {}

  /**
   * One chart of the page.
   *
   * @param id the element id, e.g. {@code pp-chart-1}
   * @param section the section title ({@link BestSplitByLink#section})
   */
  public record Chart(String id, String section) {}

  /**
   * @return the charts in page order, one per section that has a plottable point
   */
  public static List<Chart> charts(ParetoReport report) {
    List<Chart> charts = new ArrayList<>();
    for (String section : plottable(report).keySet()) {
      charts.add(new Chart("pp-chart-" + (charts.size() + 1), section));
    }
    return charts;
  }

  private static Map<String, List<FrontierPlot>> plottable(ParetoReport report) {
    Map<String, List<FrontierPlot>> bySection = new LinkedHashMap<>();
    report
        .run()
        .pointsByGroup()
        .forEach(
            (g, points) -> {
              FrontierPlot plot = FrontierPlot.of(report, g, points);
              if (!plot.markers().isEmpty()) {
                bySection
                    .computeIfAbsent(BestSplitByLink.section(g), s -> new ArrayList<>())
                    .add(plot);
              }
            });
    return bySection;
  }

  /**
   * @return the JSON the page's script draws from: {@code {"charts":[{"id", "title", "x", "y",
   *     "groups":[{"name", "title", "points":[...], "frontier":[[x, y], ...]}]}]}}; unknown numbers
   *     are null
   */
  public static String dataJson(ParetoReport report) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode charts = root.putArray("charts");
    int index = 0;
    for (Map.Entry<String, List<FrontierPlot>> e : plottable(report).entrySet()) {
      ObjectNode chart = charts.addObject();
      chart.put("id", "pp-chart-" + (++index));
      chart.put("title", e.getKey());
      chart.put("x", "latency, " + report.latency().label() + " (ms)");
      chart.put("y", "throughput (images/s)");
      ArrayNode groups = chart.putArray("groups");
      for (FrontierPlot plot : e.getValue()) {
        GroupKey g = plot.group();
        List<Point> points = report.run().pointsByGroup().get(g);
        Map<String, Point> byLabel = new LinkedHashMap<>();
        points.forEach(p -> byLabel.put(p.splitLabel(points), p));
        ObjectNode group = groups.addObject();
        group.put("name", GroupTitles.link(g));
        group.put("title", GroupTitles.title(g));
        ArrayNode out = group.putArray("points");
        for (FrontierPlot.Marker m : plot.markers()) {
          ObjectNode o = out.addObject();
          point(o, m, byLabel.get(m.label()), report);
          o.put("onEstimateFrontier", plot.estimateFrontier().contains(m));
        }
        ArrayNode line = group.putArray("frontier");
        for (FrontierPlot.Marker m : plot.estimateFrontier()) {
          ArrayNode xy = line.addArray();
          number(xy, m.latencyMs());
          number(xy, m.throughputImgS());
        }
      }
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void point(ObjectNode o, FrontierPlot.Marker m, Point p, ParetoReport report) {
    o.put("split", m.label());
    number(o, "x", m.latencyMs());
    number(o, "xLow", m.latencyLowMs());
    number(o, "xHigh", m.latencyHighMs());
    number(o, "y", m.throughputImgS());
    number(o, "yLow", m.throughputLowImgS());
    number(o, "yHigh", m.throughputHighImgS());
    if (m.frontierClass() == null) {
      o.putNull("class");
    } else {
      o.put("class", m.frontierClass().label());
    }
    number(o, "p", m.probability());
    o.put("reported", report.frontier().contains(p));
    o.put("converged", report.convergence().converged(p));
    ObjectNode phases = o.putObject("phases");
    for (Phase phase : Phase.values()) {
      if (Double.isFinite(p.phaseMs(phase))) {
        phases.put(phase.tag(), p.phaseMs(phase));
      }
    }
    if (p.bytes() < 0) {
      o.putNull("bytes");
    } else {
      o.put("bytes", p.bytes());
    }
    o.put("depth", p.depth());
    o.put("requests", p.samples().latency().requests());
    o.put("latencyIterations", p.samples().latency().iterations());
    o.put("batches", p.samples().throughput().requests());
    o.put("throughputIterations", p.samples().throughput().iterations());
  }

  private static void number(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) {
      o.put(key, v);
    } else {
      o.putNull(key);
    }
  }

  private static void number(ArrayNode a, double v) {
    if (Double.isFinite(v)) {
      a.add(v);
    } else {
      a.addNull();
    }
  }

  /**
   * @return the drawing script, inlined into the page
   */
  public static String script() {
    try (InputStream in = InteractiveCharts.class.getResourceAsStream("frontier-charts.js")) {
      if (in == null) {
        throw new IllegalStateException(
            "frontier-charts.js is missing from the reports jar (io/paretopipe/reports/render/)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes {@value #LIBRARY_FILE} into {@code dir}.
   *
   * @throws IOException when the webjar is not on the class path (naming it) or writing fails
   */
  public static void copyLibrary(Path dir) throws IOException {
    try (InputStream in =
        InteractiveCharts.class.getClassLoader().getResourceAsStream(LIBRARY_RESOURCE)) {
      if (in == null) {
        throw new IOException(
            LIBRARY_RESOURCE
                + " is not on the class path: the report's charts need the jar"
                + " org.webjars.npm:echarts:"
                + ECHARTS_VERSION);
      }
      Files.copy(in, dir.resolve(LIBRARY_FILE), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
