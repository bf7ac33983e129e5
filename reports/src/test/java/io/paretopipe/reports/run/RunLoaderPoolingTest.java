package io.paretopipe.reports.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pooling of one point's results over files, forks and hlogs (the contract with the sweep). */
class RunLoaderPoolingTest {
  private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

  @TempDir Path tmp;

  @Test
  void passesArePooledAndEveryPassHlogIsMergedWhateverItsTailPort() throws Exception {
    Run run = new RunLoader().load(List.of(FIXTURES.resolve("multi-pass-run")));
    assertEquals(6, run.points().size(), "one point per split, not one per pass");
    assertEquals(List.of(), run.warnings(), "every hlog of hlog/pass-NNN/ matched");
    for (Point p : run.points()) {
      assertEquals("", p.group().variant(), "tail is not part of the group");
      assertEquals(4, p.samples().latency().iterations());
      assertEquals(4, p.samples().latency().forks(), "each file's fork is a further fork");
      assertEquals(4, p.samples().latency().units().size(), "one unit per pass");
      assertEquals("hlog", p.samples().latency().source());
      assertEquals(160, p.samples().latency().requests());
      assertEquals(40, p.samples().throughput().requests(), "batches from the throughput hlogs");
      assertTrue(p.samples().latencyMean().known() && p.samples().throughputMean().known());
      assertTrue(
          p.latencyMeanLowMs() > p.samples().latencyMean().low(),
          "JMH's per-request interval is narrower than the one over passes: " + p);
    }
  }

  @Test
  void aPassMayBeAFolderOfFiles() throws Exception {
    Path run = tmp.resolve("run");
    Path source = FIXTURES.resolve("multi-pass-run");
    copy(
        source,
        run,
        relative ->
            relative.startsWith("jmh/pass-")
                ? "jmh/" + relative.substring(4, 12) + "/results.json"
                : relative);
    Run folders = new RunLoader().load(List.of(run));
    Run files = new RunLoader().load(List.of(source));
    for (int i = 0; i < files.points().size(); i++) {
      Point a = files.points().get(i);
      Point b = folders.points().get(i);
      assertEquals(4, b.samples().latency().units().size());
      assertTrue(b.samples().latency().units().get(0).source().endsWith("pass-001"));
      assertEquals(a.samples().latencyMean(), b.samples().latencyMean());
      assertEquals(a.samples().throughputMean(), b.samples().throughputMean());
    }
  }

  @Test
  void hlogsThatCoverFewerIterationsThanJmhLeavePercentilesToJmhsHistograms() throws Exception {
    Run run = new RunLoader().load(List.of(FIXTURES.resolve("realistic-run")));
    Point p = run.points().get(0);
    assertEquals("jmh_histogram", p.samples().latency().source());
    assertEquals(10, p.samples().latency().iterations());
    assertEquals(2, p.samples().latency().forks());
    assertEquals(10, p.samples().latency().units().size(), "one file: the unit is the iteration");
    assertTrue(
        run.warnings().stream().anyMatch(w -> w.contains("hold 2 intervals for 10 iterations")),
        run.warnings().toString());
  }

  @Test
  void grpcTuningAtItsDefaultOrOverNioPoolsWithResultsFromBeforeTheParam() throws Exception {
    Path run = tmp.resolve("run");
    copy(FIXTURES.resolve("multi-pass-run"), run, relative -> relative);
    Path jmh = run.resolve("jmh");
    String param = "\"depth\" : \"4\",";
    for (String[] pass : new String[][] {{"pass-001", "default"}, {"pass-003", "tuned"}}) {
      Path file = jmh.resolve(pass[0] + ".json");
      String json = Files.readString(file);
      assertTrue(json.contains(param), file.toString());
      Files.writeString(
          file, json.replace(param, param + " \"grpcTuning\" : \"" + pass[1] + "\","));
    }
    Run pooled = new RunLoader().load(List.of(run));
    assertEquals(6, pooled.points().size(), "one point per split, whatever the nio pass's tuning");
    assertEquals(List.of(), pooled.warnings());
    for (Point p : pooled.points()) {
      assertEquals("", p.group().variant());
      assertEquals(4, p.samples().latency().units().size(), "all four passes pooled");
      assertEquals(160, p.samples().latency().requests());
    }
  }

  @Test
  void aFileGivenTwiceCountsOnce() throws Exception {
    Path run = FIXTURES.resolve("realistic-run");
    Run twice = new RunLoader().load(List.of(run, run.resolve("jmh").resolve("results.json")));
    assertEquals(10, twice.points().get(0).samples().latency().iterations());
    assertTrue(twice.warnings().stream().anyMatch(w -> w.endsWith("ignored: given twice")));
  }

  @Test
  void onePointMeasuredInTwoModesIsRefused() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("jmh"));
    String result =
        "{\"benchmark\":\"io.paretopipe.benchmarks.PartitionBenchmark.latency\",\"mode\":\"%s\","
            + "\"params\":{\"model\":\"m\",\"split\":\"1\",\"transport\":\"nio\",\"link\":\"none\","
            + "\"batch\":\"1\",\"tail\":\"%s\"},\"primaryMetric\":{\"score\":1,\"scoreUnit\":\"ms/op\"}}";
    Files.writeString(dir.resolve("a.json"), "[" + String.format(result, "sample", "spawn") + "]");
    Files.writeString(
        dir.resolve("b.json"), "[" + String.format(result, "avgt", "127.0.0.1:4000") + "]");
    ReportInputException e =
        assertThrows(ReportInputException.class, () -> new RunLoader().load(List.of(tmp)));
    assertTrue(
        e.getMessage()
            .contains("is in mode avgt but the same point was also measured in mode sample"),
        e.getMessage());
  }

  /** Copies every file under {@code source} to {@code to}, at the path {@code rename} gives. */
  private static void copy(Path source, Path to, java.util.function.UnaryOperator<String> rename)
      throws IOException {
    try (var files = Files.walk(source)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path target = to.resolve(rename.apply(source.relativize(f).toString()));
        Files.createDirectories(target.getParent());
        Files.copy(f, target);
      }
    }
  }
}
