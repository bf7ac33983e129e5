package io.paretopipe.reports.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.fixtures.CliRunner;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report renders in headless Chromium (Debian's {@code chromium} package) from disk, with
 * no console errors, every image it references present, and a screenshot that is not blank. Skipped
 * where {@code /usr/bin/chromium} is missing.
 */
class ChromiumReportTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final long TIMEOUT_SECONDS = 90;

  @TempDir Path tmp;

  @BeforeAll
  static void requireChromium() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM),
        "headless Chromium not found at "
            + CHROMIUM
            + ": install it with `apt-get install chromium` (.ci/run does)");
  }

  record Rendered(BufferedImage screenshot, List<String> consoleLines) {}

  @Test
  void reportRendersWithoutConsoleErrors() throws Exception {
    Path out = tmp.resolve("report");
    var o =
        CliRunner.run(
            "pareto", "src/test/resources/fixtures/realistic-run", "--out", out.toString());
    assertEquals(0, o.code(), o.err());
    String html = Files.readString(out.resolve("index.html"), StandardCharsets.UTF_8);
    assertTrue(
        !html.contains("<script") && !html.contains("http://") && !html.contains("https://"),
        "no scripts and no network references");
    Matcher img = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
    int images = 0;
    while (img.find()) {
      assertTrue(
          Files.size(out.resolve(img.group(1))) > 1000,
          "image " + img.group(1) + " exists and is not empty");
      images++;
    }
    assertEquals(9, images, "4 chart kinds x 2 links + the best split by link");

    Rendered r = render(out.resolve("index.html"), 1400, 2400);
    assertEquals(List.of(), r.consoleLines(), "console messages of the page");
    assertEquals(1400, r.screenshot().getWidth());
    assertTrue(distinctColours(r.screenshot()) > 50, "screenshot shows more than a blank page");
  }

  @Test
  void consoleErrorsAreDetected() throws Exception {
    Path page = tmp.resolve("bad.html");
    Files.writeString(
        page,
        "<!DOCTYPE html><html><body><p>x</p><script>undefinedFunction();</script></body></html>");
    Rendered r = render(page, 400, 300);
    assertEquals(1, r.consoleLines().size(), r.consoleLines().toString());
    assertTrue(
        r.consoleLines()
            .get(0)
            .contains("Uncaught ReferenceError: undefinedFunction is not defined"));
  }

  private Rendered render(Path page, int width, int height)
      throws IOException, InterruptedException {
    Path screenshot = tmp.resolve("screenshot-" + System.nanoTime() + ".png");
    Path profile = Files.createTempDirectory(tmp, "chromium-profile-");
    Path log = tmp.resolve("chromium-" + System.nanoTime() + ".log");
    List<String> command =
        List.of(
            CHROMIUM.toString(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--user-data-dir=" + profile,
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=" + width + "," + height,
            "--screenshot=" + screenshot,
            page.toAbsolutePath().toUri().toString());
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertTrue(
          process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS),
          "chromium finished within " + TIMEOUT_SECONDS + " s");
    } finally {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), output);
    assertTrue(Files.size(screenshot) > 0, "screenshot written: " + output);
    List<String> console = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.contains("CONSOLE")
          || line.contains("Uncaught")
          || (line.contains(":ERROR:") && line.contains(page.getFileName().toString()))) {
        console.add(line);
      }
    }
    return new Rendered(ImageIO.read(screenshot.toFile()), console);
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
