package io.paretopipe.reports.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.fixtures.CliRunner;
import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.pareto.Frontier;
import io.paretopipe.reports.pareto.LatencyStatistic;
import io.paretopipe.reports.pareto.Objective;
import io.paretopipe.reports.run.RunLoader;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the best measured split moves as the link gets slower: drawn for two or more links, not for
 * one.
 */
class BestSplitByLinkTest {
  @TempDir Path tmp;

  @Test
  void twoLinksGiveTheChartWithTheBestSplitsOfTheSummary() throws Exception {
    Path out = tmp.resolve("report");
    var o =
        CliRunner.run(
            "pareto", "src/test/resources/fixtures/realistic-run", "--out", out.toString());
    assertEquals(0, o.code(), o.err());
    Path chart = out.resolve("charts").resolve("s01-best-split-by-link.png");
    BufferedImage image = ImageIO.read(chart.toFile());
    assertEquals(640, image.getWidth());
    assertEquals(420, image.getHeight());
    String html = Files.readString(out.resolve("index.html"), StandardCharsets.UTF_8);
    assertTrue(
        html.contains("<img src=\"charts/s01-best-split-by-link.png\""),
        "the page shows the chart");
    assertTrue(html.contains("<h2>Best split as the link gets slower</h2>"), "and its table");

    Run run = new RunLoader().load(List.of(Path.of("src/test/resources/fixtures/realistic-run")));
    ParetoReport report =
        new ParetoReport(
            run,
            Frontier.compute(
                run.pointsByGroup(),
                List.of(Objective.latency(LatencyStatistic.MEAN), Objective.throughput()),
                false),
            LatencyStatistic.MEAN);
    Map<String, List<BestSplitByLink.Entry>> bySection = BestSplitByLink.of(report);
    assertEquals(List.of("tinynet over nio, batch 2"), List.copyOf(bySection.keySet()));
    List<BestSplitByLink.Entry> entries = bySection.get("tinynet over nio, batch 2");
    assertEquals(
        List.of("none (loopback)", "delay:20ms+rate:50mbit (50 Mbit/s)"),
        entries.stream().map(BestSplitByLink.Entry::label).toList(),
        "fastest link first");
    String summary = Files.readString(out.resolve("summary.md"), StandardCharsets.UTF_8);
    Matcher m =
        Pattern.compile(
                "## tinynet over nio, (?:link )?(\\S+), batch 2\\n\\n[^\\n]*\\n\\n"
                    + "- Lowest mean latency: split (\\d+)[^\\n]*\\n- Highest throughput: split (\\d+)")
            .matcher(summary);
    Map<String, String[]> fromSummary = new TreeMap<>();
    while (m.find()) {
      String link = m.group(1).equals("loopback") ? "none" : m.group(1);
      fromSummary.put(link, new String[] {m.group(2), m.group(3)});
    }
    assertEquals(2, fromSummary.size(), summary);
    for (BestSplitByLink.Entry e : entries) {
      String[] best = fromSummary.get(e.group().link());
      assertEquals(best[0], e.bestLatency().orElseThrow().split(), e.label());
      assertEquals(best[1], e.bestThroughput().orElseThrow().split(), e.label());
    }
    assertTrue(
        !entries
            .get(0)
            .bestLatency()
            .orElseThrow()
            .split()
            .equals(entries.get(1).bestLatency().orElseThrow().split()),
        "in this fixture the best split moves");
  }

  @Test
  void oneLinkPerSectionGivesNoChart() throws Exception {
    Path out = tmp.resolve("report");
    var o =
        CliRunner.run(
            "pareto", "src/test/resources/fixtures/real-run-mobilenetv2", "--out", out.toString());
    assertEquals(0, o.code(), o.err());
    try (Stream<Path> charts = Files.list(out.resolve("charts"))) {
      assertTrue(charts.noneMatch(p -> p.getFileName().toString().contains("best-split")));
    }
    assertFalse(
        Files.readString(out.resolve("index.html")).contains("Best split as the link gets slower"));
  }

  @Test
  void linksAreOrderedFromTheFastestToTheSlowest() {
    List<Point> points = new ArrayList<>();
    String[] links = {"3g", "weird-link", "pi-link", "delay:50ms", "lan", "none"};
    for (int i = 0; i < links.length; i++) {
      GroupKey g = new GroupKey("m", "nio", links[i], 8, "");
      points.add(point(g, "1", 100 + i, 10 - i));
      points.add(point(g, "2", 90 + 3 * i, 9));
    }
    points.add(point(new GroupKey("other", "nio", "none", 8, ""), "1", 1, 1));
    Run run = new Run(List.of(Path.of("synthetic")), List.of(), points, List.of());
    ParetoReport report =
        new ParetoReport(
            run,
            Frontier.compute(
                run.pointsByGroup(),
                List.of(Objective.latency(LatencyStatistic.MEAN), Objective.throughput()),
                false),
            LatencyStatistic.MEAN);
    Map<String, List<BestSplitByLink.Entry>> bySection = BestSplitByLink.of(report);
    assertEquals(
        List.of("m over nio, batch 8"),
        List.copyOf(bySection.keySet()),
        "a single-link section is left out");
    List<BestSplitByLink.Entry> entries = bySection.get("m over nio, batch 8");
    assertEquals(
        List.of(
            "none (loopback)",
            "delay:50ms (unlimited rate)",
            "lan (1 Gbit/s)",
            "pi-link (5 Mbit/s)",
            "3g (2 Mbit/s)",
            "weird-link (rate unknown)"),
        entries.stream().map(BestSplitByLink.Entry::label).toList());
    // link index i: split 1 has latency 100 + i, split 2 has 90 + 3i: split 2 wins until i = 5 (105
    // = 105: tie -> 1)
    assertEquals(
        "1",
        entries.get(0).bestLatency().orElseThrow().split(),
        "none is index 5: tie, the first split");
    assertEquals("2", entries.get(4).bestLatency().orElseThrow().split(), "3g is index 0");
    assertEquals("1", entries.get(4).bestThroughput().orElseThrow().split(), "3g: 10 > 9 img/s");
    assertTrue(
        ParetoCharts.plan(report).stream()
            .anyMatch(c -> c.file().equals("s01-best-split-by-link.png")));
  }

  private static Point point(GroupKey g, String split, double latencyMs, double imgS) {
    return new Point(
        g,
        split,
        "4",
        latencyMs,
        latencyMs,
        latencyMs,
        new TreeMap<>(),
        imgS,
        imgS,
        imgS,
        1000,
        Map.of());
  }
}
