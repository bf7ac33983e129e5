package io.paretopipe.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.cli.ReportsCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: every folder under {@code src/test/resources/fixtures/} is run through {@code
 * pareto} (defaults) under Locale ROOT, US and GERMANY, and its machine-readable outputs must equal
 * the committed files under {@code src/test/resources/golden/<fixture>/} byte for byte.
 *
 * <p>To add a fixture: drop a run folder or JMH JSON file(s) into {@code fixtures/<name>/}, then
 * write its goldens with {@code mvn -pl reports test -Dtest=GoldenFilesTest
 * -Dparetopipe.reports.updateGoldens=true}, review the diff and commit both.
 */
class GoldenFilesTest {
  private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
  private static final List<String> GOLDEN_FILES =
      List.of("points.csv", "frontier.csv", "frontier.json", "summary.md");

  static Stream<Arguments> fixturesAndLocales() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(FIXTURES)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        for (Locale locale : List.of(Locale.ROOT, Locale.US, Locale.GERMANY)) {
          cases.add(Arguments.of(dir.getFileName().toString(), locale));
        }
      }
    }
    assertTrue(cases.size() >= 6, "expected at least two fixtures in " + FIXTURES.toAbsolutePath());
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} under {1}")
  @MethodSource("fixturesAndLocales")
  void outputsMatchGoldens(String fixture, Locale locale, @TempDir Path tmp) throws IOException {
    Locale saved = Locale.getDefault();
    Path out = tmp.resolve("report");
    StringWriter err = new StringWriter();
    int code;
    try {
      Locale.setDefault(locale);
      code =
          ReportsCli.run(
              new PrintWriter(new StringWriter()),
              new PrintWriter(err),
              "pareto",
              FIXTURES.resolve(fixture).toString(),
              "--out",
              out.toString());
    } finally {
      Locale.setDefault(saved);
    }
    assertEquals(0, code, "pareto failed: " + err);
    Path goldenDir =
        Path.of(System.getProperty("paretopipe.reports.goldenDir", "src/test/resources/golden"))
            .resolve(fixture);
    boolean update =
        Boolean.parseBoolean(System.getProperty("paretopipe.reports.updateGoldens", "false"));
    for (String name : GOLDEN_FILES) {
      String actual = Files.readString(out.resolve(name), StandardCharsets.UTF_8);
      Path golden = goldenDir.resolve(name);
      if (update && Locale.ROOT.equals(locale)) {
        Files.createDirectories(goldenDir);
        Files.writeString(golden, actual, StandardCharsets.UTF_8);
      }
      assertTrue(
          Files.exists(golden),
          golden + " is missing: regenerate with -Dparetopipe.reports.updateGoldens=true");
      assertEquals(
          Files.readString(golden, StandardCharsets.UTF_8),
          actual,
          name + " of fixture " + fixture + " under locale " + locale + " differs from " + golden);
    }
    assertTrue(Files.exists(out.resolve("index.html")));
  }
}
