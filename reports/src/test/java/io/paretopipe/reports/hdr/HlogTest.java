package io.paretopipe.reports.hdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.format.HlogFileName;
import io.paretopipe.reports.ReportInputException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hlog naming contract and reading tagged interval logs. */
class HlogTest {
  @Test
  void fileNameFollowsTheContract() {
    Map<String, String> params =
        new TreeMap<>(
            Map.of(
                "transport",
                "nio",
                "split",
                "3:9",
                "model",
                "mobilenetv2",
                "link",
                "delay:20ms+rate:50mbit",
                "batch",
                "8"));
    String name = HlogFileName.of("PartitionBenchmark.latency", params);
    assertEquals(
        "PartitionBenchmark.latency__batch=8__link=delay%3A20ms%2Brate%3A50mbit__model=mobilenetv2"
            + "__split=3%3A9__transport=nio.hlog",
        name);
    assertEquals(params, HlogFileName.params(name));
    assertEquals(
        "PartitionBenchmark.latency__batch=8__depth=4__link=none__model=mobilenetv2__split=3__tail=spawn"
            + "__transport=nio.hlog",
        HlogFileName.of(
            "PartitionBenchmark.latency",
            Map.of(
                "batch",
                "8",
                "depth",
                "4",
                "link",
                "none",
                "model",
                "mobilenetv2",
                "split",
                "3",
                "tail",
                "spawn",
                "transport",
                "nio")));
  }

  @Test
  void mergesIntervalsPerTagAndReadsComments(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("x.hlog");
    try (PrintStream out =
        new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
      HistogramLogWriter writer = new HistogramLogWriter(out);
      writer.outputComment("paretopipe.bytes_per_request=4816896");
      writer.outputLogFormatVersion();
      writer.outputLegend();
      for (int interval = 0; interval < 3; interval++) {
        for (String tag : new String[] {"e2e", "network"}) {
          Histogram h = new Histogram(3);
          h.setTag(tag);
          h.setStartTimeStamp(1000L * interval);
          h.setEndTimeStamp(1000L * interval + 1000);
          h.recordValue(tag.equals("e2e") ? 2_000_000L * (interval + 1) : 500_000L);
          writer.outputIntervalHistogram(h);
        }
      }
    }
    HlogData data = new HlogReader().read(file);
    assertEquals(4816896L, data.bytesPerRequest().getAsLong());
    Histogram e2e = data.histogramsByTag().get("e2e");
    assertEquals(3, e2e.getTotalCount());
    assertEquals(4_000_000, e2e.getMean(), 4_000_000 * 1e-3);
    assertEquals(3, data.histogramsByTag().get("network").getTotalCount());
  }

  @Test
  void rejectsAFileThatIsNotAnHlog(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("bad.hlog");
    Files.writeString(file, "hello\nworld\n");
    ReportInputException e =
        assertThrows(ReportInputException.class, () -> new HlogReader().read(file));
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
  }
}
