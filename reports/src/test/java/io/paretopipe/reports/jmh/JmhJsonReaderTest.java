package io.paretopipe.reports.jmh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.ReportInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JMH's real JSON: special number strings, SampleTime histograms, absent params, secondary metrics.
 */
class JmhJsonReaderTest {
  private static final Path EDGE_CASES =
      Path.of("src/test/resources/fixtures/edge-cases/results.json");

  @Test
  void readsEdgeCasesAsJmhWritesThem() throws ReportInputException {
    List<JmhResult> results = new JmhJsonReader().read(EDGE_CASES);
    assertEquals(11, results.size());

    JmhResult sample = results.get(0);
    assertEquals("PartitionBenchmark", sample.className());
    assertEquals("latency", sample.method());
    assertEquals("sample", sample.mode());
    assertEquals("0", sample.params().get("split"));
    assertTrue(Double.isNaN(sample.primary().scoreError()), "\"NaN\" string is NaN");
    assertTrue(Double.isNaN(sample.primary().confidenceLow()));
    assertEquals(2.9, sample.primary().percentiles().get(90.0));
    assertEquals(4, sample.primary().histogramSampleCount());
    assertArrayEquals(
        new double[] {2.5},
        sample.primary().iterationScores(),
        1e-12,
        "one iteration: (2.0*1 + 2.5*2 + 3.0*1) / 4");

    JmhResult twoIterations = results.get(2);
    assertEquals("us/op", twoIterations.primary().unit());
    assertArrayEquals(new double[] {1500, 1500}, twoIterations.primary().iterationScores(), 1e-9);

    JmhResult infinite = results.get(3);
    assertEquals(Double.POSITIVE_INFINITY, infinite.primary().scoreError());
    assertEquals(Double.NEGATIVE_INFINITY, infinite.primary().confidenceLow());

    JmhResult nan = results.get(4);
    assertTrue(Double.isNaN(nan.primary().score()));
    assertEquals(0, nan.primary().iterationScores().length);

    JmhResult withImages = results.get(1);
    assertEquals(700.0, withImages.secondary().get("images").score());
    assertArrayEquals(new double[] {700.0}, withImages.secondary().get("images").iterationScores());

    JmhResult numericParam = results.get(9);
    assertEquals("1", numericParam.params().get("batch"), "a numeric param is kept as its text");
    assertEquals("MB/sec", numericParam.secondary().get("·gc.alloc.rate").unit());

    JmhResult noParams = results.get(10);
    assertTrue(noParams.params().isEmpty());
    assertEquals("ModelForwardBenchmark.forward", noParams.simpleName());
  }

  @Test
  void rejectsWrongSchemaNamingTheElementAndField(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("r.json");
    Files.writeString(
        file,
        "[{\"benchmark\":\"a.B.c\",\"mode\":\"thrpt\",\"primaryMetric\":{\"score\":\"fast\","
            + "\"scoreUnit\":\"ops/s\"}}]");
    ReportInputException e =
        assertThrows(ReportInputException.class, () -> new JmhJsonReader().read(file));
    assertEquals(
        file
            + ": not in JMH's result schema: result #0 (a.B.c) primaryMetric: \"score\" must be a number "
            + "or one of \"NaN\", \"+INF\", \"-INF\", found \"fast\"",
        e.getMessage());

    Files.writeString(file, "{\"benchmark\":\"x\"}");
    e = assertThrows(ReportInputException.class, () -> new JmhJsonReader().read(file));
    assertEquals(
        file
            + ": not a JMH result file: expected a JSON array of benchmark results (JMH -rf json), found "
            + "a JSON object",
        e.getMessage());

    Files.writeString(
        file,
        "[{\"benchmark\":\"a.B.c\",\"mode\":\"sample\",\"primaryMetric\":{\"score\":1,"
            + "\"scoreUnit\":\"ms/op\",\"rawDataHistogram\":[[[[1.0]]]]}}]");
    e = assertThrows(ReportInputException.class, () -> new JmhJsonReader().read(file));
    assertTrue(
        e.getMessage().contains("rawDataHistogram[0][0][0] is not a [value, count] pair"),
        e.getMessage());
  }
}
