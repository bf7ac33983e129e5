package io.paretopipe.reports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.fixtures.CliRunner;
import io.paretopipe.reports.fixtures.CliRunner.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input gets one line on stderr naming the file and the problem, exit code 2, no stack trace
 * unless {@code --verbose}, and no output folder (nor staging folder) left behind.
 */
class BadInputTest {
  @TempDir Path tmp;

  private static Outcome run(String... args) {
    return CliRunner.run(args);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not JSON      | this is not json {         | not JSON: Unrecognized token 'this'",
        "wrong schema  | {\"benchmark\": 1}          | not a JMH result file: expected a JSON array",
        "empty         | ''                         | empty file: expected a JMH JSON result array",
        "wrong element | [{\"mode\":\"thrpt\"}]     | not in JMH's result schema: result #0: missing string field \"benchmark\"",
        "no split      | [{\"benchmark\":\"io.paretopipe.benchmarks.PartitionBenchmark.latency\",\"mode\":\"sample\",\"params\":{\"model\":\"m\",\"transport\":\"nio\",\"link\":\"none\",\"batch\":\"1\"},\"primaryMetric\":{\"score\":1,\"scoreUnit\":\"ms/op\"}}] | has no param \"split\": PartitionBenchmark results need params model, split, transport, link, batch"
      })
  void badFileIsOneLineExit2AndNoOutput(String name, String content, String expected)
      throws IOException {
    Path file = tmp.resolve("results.json");
    Files.writeString(file, content);
    Path out = tmp.resolve("report");
    Outcome o = run("pareto", file.toString(), "--out", out.toString());
    assertEquals(ExitCodes.BAD_INPUT, o.code(), o.err());
    assertEquals(1, o.err().lines().count(), "one line: " + o.err());
    assertTrue(o.err().startsWith("error: " + file + ": "), o.err());
    assertTrue(o.err().contains(expected), o.err());
    assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    assertNoOutput(out);
  }

  @Test
  void missingFileNamesTheFile() throws IOException {
    Path missing = tmp.resolve("nope.json");
    Path out = tmp.resolve("report");
    Outcome o = run("pareto", missing.toString(), "--out", out.toString());
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertEquals("error: " + missing + ": no such file or folder", o.err().strip());
    assertNoOutput(out);

    o = run("compare", missing.toString(), "src/test/resources/fixtures/edge-cases");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertEquals("error: " + missing + ": no such file or folder", o.err().strip());
  }

  @Test
  void verboseAddsTheStackTrace() throws IOException {
    Path file = tmp.resolve("results.json");
    Files.writeString(file, "nope");
    Outcome o =
        run("pareto", file.toString(), "--out", tmp.resolve("report").toString(), "--verbose");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(o.err().lines().count() > 3 && o.err().contains("\tat "), o.err());
  }

  @Test
  void usageErrorsExit2WithTheValidValues() throws IOException {
    Outcome o =
        run(
            "pareto",
            "src/test/resources/fixtures/edge-cases",
            "--out",
            tmp.resolve("r").toString(),
            "--latency",
            "p42");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(
        o.err()
            .startsWith(
                "error: latency statistic \"p42\" is not one of mean, p50, p90, p99, p99.9"),
        o.err());
    assertNoOutput(tmp.resolve("r"));

    o = run("pareto", "src/test/resources/fixtures/edge-cases");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(o.err().contains("Missing required option: '--out=DIR'"), o.err());

    o = run("frobnicate");
    assertEquals(ExitCodes.BAD_INPUT, o.code());

    o = run("--help");
    assertEquals(ExitCodes.OK, o.code());
    assertTrue(o.out().contains("pareto") && o.out().contains("compare"), o.out());
  }

  @Test
  void existingOutputIsReplacedOnlyWhenTheNewOneIsComplete() throws IOException {
    Path out = tmp.resolve("report");
    Files.createDirectories(out);
    Files.writeString(out.resolve("old.txt"), "old");
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "[");
    assertEquals(
        ExitCodes.BAD_INPUT, run("pareto", bad.toString(), "--out", out.toString()).code());
    assertEquals(
        "old", Files.readString(out.resolve("old.txt")), "a failed run keeps the previous report");

    Outcome ok = run("pareto", "src/test/resources/fixtures/edge-cases", "--out", out.toString());
    assertEquals(ExitCodes.OK, ok.code(), ok.err());
    assertFalse(Files.exists(out.resolve("old.txt")));
    assertTrue(Files.exists(out.resolve("index.html")));
    assertEquals(
        List.of("report", "bad.json"),
        listNames(tmp).stream()
            .filter(n -> !n.equals("results.json"))
            .sorted((a, b) -> b.compareTo(a))
            .toList(),
        "no staging or backup folder left");
  }

  private void assertNoOutput(Path out) throws IOException {
    assertFalse(Files.exists(out), "no output folder " + out);
    assertTrue(
        listNames(tmp).stream().noneMatch(n -> n.startsWith(".")),
        "no staging folder: " + listNames(tmp));
  }

  private static List<String> listNames(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }
}
