package io.paretopipe.reports.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.paretopipe.reports.fixtures.CliRunner;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report renders in headless Chromium (Debian's {@code chromium} package, driven over the
 * DevTools protocol by {@link DevToolsPage}) from disk, with no console errors, no request other
 * than files next to the page, every image it references present, a screenshot that is not blank,
 * and a hovered point's tooltip naming its split. Skipped where {@code /usr/bin/chromium} is
 * missing.
 */
class ChromiumReportTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @TempDir Path tmp;

  @BeforeAll
  static void requireChromium() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM),
        "headless Chromium not found at "
            + CHROMIUM
            + ": install it with `apt-get install chromium` (.ci/run does)");
  }

  @Test
  void reportRendersWithoutConsoleErrorsOrNetworkAndATooltipNamesTheHoveredSplit()
      throws Exception {
    Path out = tmp.resolve("report");
    var o =
        CliRunner.run(
            "pareto", "src/test/resources/fixtures/realistic-run", "--out", out.toString());
    assertEquals(0, o.code(), o.err());
    String html = Files.readString(out.resolve("index.html"), StandardCharsets.UTF_8);
    assertTrue(!html.contains("http://") && !html.contains("https://"), "no network references");
    Matcher script = Pattern.compile("<script src=\"([^\"]+)\"").matcher(html);
    List<String> scripts = new ArrayList<>();
    while (script.find()) {
      scripts.add(script.group(1));
    }
    assertEquals(List.of(InteractiveCharts.LIBRARY_FILE), scripts, "the one script file");
    assertTrue(
        Files.size(out.resolve(InteractiveCharts.LIBRARY_FILE)) > 500_000,
        "the ECharts library is written next to the page");
    Matcher img = Pattern.compile("<(?:img src|a href)=\"(charts/[^\"]+)\"").matcher(html);
    int images = 0;
    while (img.find()) {
      assertTrue(
          Files.size(out.resolve(img.group(1))) > 1000,
          "image " + img.group(1) + " exists and is not empty");
      images++;
    }
    assertEquals(9, images, "4 chart kinds x 2 links (latency-throughput linked) + best split");

    try (DevToolsPage page =
        DevToolsPage.open(CHROMIUM, tmp.resolve("profile"), out.resolve("index.html"), 1400, 900)) {
      JsonNode target =
          page.evaluate(
              String.join(
                  "\n",
                  "(() => {",
                  "  const data = JSON.parse(document.getElementById('pp-chart-data').textContent);",
                  "  const chart = data.charts[0];",
                  "  const el = document.getElementById(chart.id);",
                  "  el.scrollIntoView();",
                  "  const c = echarts.getInstanceByDom(el);",
                  "  const r = el.getBoundingClientRect();",
                  "  const all = [];",
                  "  chart.groups.forEach((g, gi) => g.points.forEach(p => {",
                  "    const px = c.convertToPixel({seriesIndex: 3 * gi + 2}, [p.x, p.y]);",
                  "    all.push({x: r.left + px[0], y: r.top + px[1], split: p.split, group: g.name});",
                  "  }));",
                  "  let best = null, bestGap = -1;",
                  "  all.forEach(a => {",
                  "    const gap = Math.min(...all.filter(b => b !== a)",
                  "        .map(b => Math.hypot(a.x - b.x, a.y - b.y)));",
                  "    if (gap > bestGap) { best = a; bestGap = gap; }",
                  "  });",
                  "  return best;",
                  "})()"));
      String split = target.get("split").asText();
      page.moveMouse(target.get("x").asDouble(), target.get("y").asDouble());
      String tooltip = "";
      for (int i = 0; i < 100 && !tooltip.contains("split"); i++) {
        Thread.sleep(50);
        tooltip =
            page.evaluate(
                    "(() => { const t = document.querySelector('.pp-tooltip');"
                        + " return t && t.style.display !== 'none' ? t.innerText : ''; })()")
                .asText();
      }
      assertTrue(tooltip.contains("split " + split), "tooltip of split " + split + ": " + tooltip);
      assertTrue(tooltip.contains(target.get("group").asText()), tooltip);
      for (String part :
          List.of(
              "latency, mean (ms)", "throughput (images/s)", "P(frontier)", "phases", "bytes")) {
        assertTrue(tooltip.contains(part), "tooltip shows " + part + ": " + tooltip);
      }
      assertTrue(
          page.evaluate("document.querySelectorAll('.chart canvas').length").asInt() >= 1,
          "the section's chart is drawn");
      BufferedImage shot = ImageIO.read(new java.io.ByteArrayInputStream(page.screenshot()));
      assertEquals(1400, shot.getWidth());
      assertTrue(distinctColours(shot) > 50, "screenshot shows more than a blank page");
      assertEquals(List.of(), page.console(), "console messages of the page");
      List<String> requests = page.requests();
      assertTrue(
          requests.stream().allMatch(u -> u.startsWith("file:")),
          "every request is a file next to the page: " + requests);
      assertTrue(
          requests.stream().anyMatch(u -> u.endsWith("/" + InteractiveCharts.LIBRARY_FILE)),
          requests.toString());
    }
  }

  @Test
  void consoleErrorsAndNetworkRequestsAreDetected() throws Exception {
    Path file = tmp.resolve("bad.html");
    Files.writeString(
        file,
        "<!DOCTYPE html><html><body><p>x</p><img src=\"http://127.0.0.1:9/x.png\">"
            + "<script>undefinedFunction();</script></body></html>");
    try (DevToolsPage page = DevToolsPage.open(CHROMIUM, tmp.resolve("profile"), file, 400, 300)) {
      assertTrue(
          page.console().stream()
              .anyMatch(l -> l.contains("ReferenceError: undefinedFunction is not defined")),
          page.console().toString());
      assertTrue(page.requests().contains("http://127.0.0.1:9/x.png"), page.requests().toString());
    }
  }

  private static int distinctColours(BufferedImage image) {
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        colours.add(image.getRGB(x, y));
      }
    }
    return colours.size();
  }
}
