package io.paretopipe.reports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.reports.fixtures.CliRunner;
import io.paretopipe.reports.fixtures.CliRunner.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the sweep calls between passes, and the frontier options. */
class ParetoOptionsTest {
  private static final String MULTI_PASS = "src/test/resources/fixtures/multi-pass-run";

  @TempDir Path tmp;

  @Test
  void formatsJsonWritesOnlyFrontierJsonAndTheSameSeedGivesTheSameBytes() throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    Outcome o =
        CliRunner.run(
            "pareto", MULTI_PASS, "--out", a.toString(), "--formats", "json", "--seed", "7");
    assertEquals(ExitCodes.OK, o.code(), o.err());
    try (Stream<Path> files = Files.list(a)) {
      assertEquals(List.of("frontier.json"), files.map(p -> p.getFileName().toString()).toList());
    }
    assertEquals(
        ExitCodes.OK,
        CliRunner.run(
                "pareto", MULTI_PASS, "--out", b.toString(), "--formats", "json", "--seed", "7")
            .code());
    assertEquals(
        Files.readString(a.resolve("frontier.json")), Files.readString(b.resolve("frontier.json")));

    JsonNode root = new ObjectMapper().readTree(a.resolve("frontier.json").toFile());
    assertEquals("probabilistic", root.get("frontier_method").asText());
    assertEquals(7, root.get("seed").asLong());
    assertEquals(1000, root.get("resamples").asInt());
    assertEquals(0.95, root.get("confidence_level").asDouble());
    JsonNode group = root.get("groups").get(0);
    assertEquals(List.of("0", "1"), texts(group.get("frontier_classes").get("frontier")));
    assertEquals(960, group.get("samples").get("latency_requests").asLong());
    JsonNode point = group.get("points").get(0);
    for (String key :
        List.of(
            "split",
            "transport",
            "frontier_class",
            "frontier_probability",
            "converged",
            "latency_mean_ms",
            "latency_mean_ci95_low_ms",
            "latency_mean_ci95_high_ms",
            "throughput_img_s",
            "throughput_ci95_low_img_s",
            "throughput_ci95_high_img_s",
            "latency_requests",
            "latency_iterations",
            "latency_forks",
            "throughput_batches",
            "throughput_iterations",
            "throughput_forks")) {
      assertTrue(point.has(key), key);
    }
    assertTrue(point.get("latency_p99_ms").isNull(), "160 requests do not support a p99");
    assertTrue(
        point
            .get("latency_percentiles_note")
            .asText()
            .contains("p99: needs at least 555 requests (has 160)"));
  }

  @Test
  void exactFrontierAndTargetHalfWidthAreOptions() throws Exception {
    Path out = tmp.resolve("exact");
    Outcome o =
        CliRunner.run(
            "pareto",
            MULTI_PASS,
            "--out",
            out.toString(),
            "--formats",
            "csv",
            "--frontier",
            "exact",
            "--target-half-width",
            "50%");
    assertEquals(ExitCodes.OK, o.code(), o.err());
    List<String> rows = Files.readAllLines(out.resolve("points.csv"));
    List<String> header = List.of(rows.get(0).split(","));
    int converged = header.indexOf("converged");
    int onFrontier = header.indexOf("on_frontier");
    assertTrue(
        rows.stream().skip(1).allMatch(r -> r.split(",", -1)[converged].equals("true")),
        "8% < 50%");
    assertEquals(
        2, rows.stream().skip(1).filter(r -> r.split(",", -1)[onFrontier].equals("true")).count());
    assertTrue(o.out().contains("on a frontier (exact)"), o.out());
  }

  @Test
  void badFrontierOptionsExit2() {
    for (List<String> args :
        List.of(
            List.of("--resamples", "10"),
            List.of("--epsilon", "--frontier", "probabilistic"),
            List.of("--frontier", "fuzzy"),
            List.of("--formats", "pdf"),
            List.of("--required-percentiles", "p42"),
            List.of("--target-half-width", "0%"))) {
      String[] all =
          Stream.concat(
                  Stream.of("pareto", MULTI_PASS, "--out", tmp.resolve("x").toString()),
                  args.stream())
              .toArray(String[]::new);
      Outcome o = CliRunner.run(all);
      assertEquals(ExitCodes.BAD_INPUT, o.code(), args + ": " + o.err());
      assertTrue(o.err().startsWith("error: "), o.err());
      assertFalse(Files.exists(tmp.resolve("x")));
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> list = new java.util.ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }
}
