package io.paretopipe.benchmarks.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrontierSummaryTest {

  private static final String GROUP =
      """
      {"model":"mobilenetv2","transport":"%s","link":"none","batch":8,
       "frontier_classes":{"frontier":%s,"possible":[],"dominated":%s},
       "samples":{"latency_requests":%d,"latency_iterations_min":%d,"latency_iterations_max":%d},
       "points":[%s]}
      """;

  private static String point(String split, String cls, double p, boolean converged) {
    return String.format(
        java.util.Locale.ROOT,
        "{\"split\":\"%s\",\"frontier_class\":\"%s\",\"frontier_probability\":%s,"
            + "\"converged\":%s}",
        split,
        cls,
        p,
        converged);
  }

  @Test
  void oneLinePerGroupWithClassesTheTwoMostLikelyAndTheSamplesBehindThem(@TempDir Path dir)
      throws IOException {
    String nio =
        String.format(
            GROUP,
            "nio",
            "[]",
            "[\"0\",\"1\"]",
            404,
            2,
            3,
            String.join(
                ",",
                point("0", "dominated", 0, false),
                point("1", "dominated", 0, false),
                point("2", "possible", 0.3, false),
                point("3", "possible", 0.61, false),
                point("4", "possible", 0.47, true)));
    String local =
        String.format(
            GROUP.replace("{\"model\"", "{\"title\":\"mobilenetv2 in one JVM\",\"model\""),
            "local",
            "[\"5\"]",
            "[]",
            900,
            4,
            4,
            String.join(",", point("5", "frontier", 0.99, true)));
    Path file = dir.resolve("frontier.json");
    Files.writeString(file, "{\"groups\":[" + nio + "," + local + "]}");
    assertEquals(
        List.of(
            "mobilenetv2 nio, link none, batch 8: frontier none; possible 3 (most likely 3 P=0.61,"
                + " 4 P=0.47); dominated 0, 1; converged 1 of 5; 2-3 passes, 404 requests",
            "mobilenetv2 in one JVM: frontier 5; possible 0; dominated none;"
                + " converged 1 of 1; 4 passes, 900 requests"),
        FrontierSummary.lines(file));
  }

  @Test
  void noReportNoLinesAndABrokenOneIsAnError(@TempDir Path dir) throws IOException {
    assertEquals(List.of(), FrontierSummary.lines(dir.resolve("frontier.json")));
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{\"groups\":[");
    assertThrows(IOException.class, () -> FrontierSummary.lines(broken));
  }
}
