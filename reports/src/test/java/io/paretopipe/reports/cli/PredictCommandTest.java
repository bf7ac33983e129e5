package io.paretopipe.reports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.reports.fixtures.CliRunner;
import io.paretopipe.reports.fixtures.CliRunner.Outcome;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code predict} end to end: golden outputs of the hand-made profile (whose numbers {@code
 * PipelineModelTest} checks by hand) under three locales, the charts, calibration from a measured
 * run, and bad input (exit 2, one line naming the file or option, nothing left behind).
 */
class PredictCommandTest {
  private static final String TINY = "src/test/resources/predict/tiny/unit-profile.json";
  private static final Path GOLDEN = Path.of("src/test/resources/golden-predict");
  private static final List<String> FILES =
      List.of("predicted.md", "predicted.json", "predicted.csv");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path tmp;

  static Stream<Arguments> cases() {
    List<Arguments> cases = new java.util.ArrayList<>();
    for (Locale locale : List.of(Locale.ROOT, Locale.US, Locale.GERMANY)) {
      cases.add(
          Arguments.of(
              "tiny-2-devices",
              locale,
              new String[] {TINY, "--link", "delay:10ms+rate:8mbit", "--link", "none"}));
      cases.add(
          Arguments.of(
              "tiny-3-devices",
              locale,
              new String[] {
                TINY, "--link", "delay:10ms+rate:8mbit", "--devices", "3", "--depth", "2"
              }));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} under {1}")
  @MethodSource("cases")
  void outputsMatchGoldens(String name, Locale locale, String[] args) throws IOException {
    Path out = tmp.resolve("out");
    String[] full =
        Stream.concat(
                Stream.of("predict"),
                Stream.concat(Stream.of(args), Stream.of("--out", out.toString())))
            .toArray(String[]::new);
    Locale saved = Locale.getDefault();
    Outcome o;
    try {
      Locale.setDefault(locale);
      o = CliRunner.run(full);
    } finally {
      Locale.setDefault(saved);
    }
    assertEquals(ExitCodes.OK, o.code(), o.err());
    assertTrue(
        o.out().contains("per-hop overhead: 0 (not calibrated: pass --calibrate RUN"), o.out());
    boolean update =
        Boolean.parseBoolean(System.getProperty("paretopipe.reports.updateGoldens", "false"));
    for (String file : FILES) {
      String actual = Files.readString(out.resolve(file), StandardCharsets.UTF_8);
      Path golden = GOLDEN.resolve(name).resolve(file);
      if (update && Locale.ROOT.equals(locale)) {
        Files.createDirectories(golden.getParent());
        Files.writeString(golden, actual, StandardCharsets.UTF_8);
      }
      assertEquals(
          Files.readString(golden, StandardCharsets.UTF_8),
          actual,
          file + " of " + name + " under " + locale);
    }
  }

  @Test
  void jsonHoldsTheHandComputedNumbersAndChartsAreDrawn() throws IOException {
    Path out = tmp.resolve("out");
    Outcome o =
        CliRunner.run("predict", TINY, "--link", "delay:10ms+rate:8mbit", "--out", out.toString());
    assertEquals(ExitCodes.OK, o.code(), o.err());
    JsonNode json = MAPPER.readTree(out.resolve("predicted.json").toFile());
    assertEquals("paretopipe-prediction", json.get("format").asText());
    assertEquals(1, json.get("version").asInt());
    JsonNode link = json.get("links").get(0);
    assertEquals(32768, link.get("burst_bytes").asLong());
    assertEquals(8_000_000, link.get("rate_bits_per_second").asLong());
    assertEquals("[\"2\",\"3\"]", link.get("frontier_splits").toString());
    assertEquals("3", link.get("best_latency_split").asText());
    assertEquals("2", link.get("best_throughput_split").asText());
    JsonNode split2 = link.get("predictions").get(2);
    assertEquals("2", split2.get("split").asText());
    assertEquals(31 + 102 + 87.232, split2.get("latency_ms").asDouble(), 1e-9);
    assertEquals(
        19.6078, split2.get("throughput_img_s").asDouble(), 1e-9, "2000 / 102 to 6 digits");
    assertEquals("tail", split2.get("bottleneck").asText());
    assertFalse(json.get("overhead").get("calibrated").asBoolean());
    assertTrue(json.get("overhead").get("rmse_ms").isNull());
    assertEquals(
        41,
        json.get("bandwidth_sweeps").get(0).get("points").size(),
        "1 Mbit/s to 10 Gbit/s, 10 per decade");
    assertEquals(
        1_000_000,
        json.get("bandwidth_sweeps")
            .get(0)
            .get("points")
            .get(0)
            .get("rate_bits_per_second")
            .asLong());
    assertEquals(
        10_000_000_000L,
        json.get("bandwidth_sweeps")
            .get(0)
            .get("points")
            .get(40)
            .get("rate_bits_per_second")
            .asLong());
    for (String chart : List.of("l01-frontier.png", "d01-best-split-vs-bandwidth.png")) {
      BufferedImage image = ImageIO.read(out.resolve("charts").resolve(chart).toFile());
      assertEquals(640, image.getWidth(), chart);
      assertEquals(420, image.getHeight(), chart);
    }
    assertTrue(
        o.out().startsWith("predicted 4 cut combinations of tiny over 2 devices and 1 link"),
        o.out());
    assertTrue(
        o.out()
            .contains(
                "link delay:10ms+rate:8mbit: frontier 2 split(s), lowest latency 3 (170.2 ms), highest"
                    + " throughput 2 (19.61 img/s)"),
        o.out());
  }

  @Test
  void withoutOutTheMarkdownGoesToStandardOutput() {
    Outcome o = CliRunner.run("predict", TINY, "--link", "pi-link");
    assertEquals(ExitCodes.OK, o.code(), o.err());
    assertTrue(o.out().startsWith("# ParetoPipe prediction\n"), o.out());
    assertTrue(o.out().contains("## Link pi-link (delay 200 ms, 5 Mbit/s each way)"), o.out());
  }

  @Test
  void calibrationFitsTheOverheadFromAMeasuredRun() throws IOException {
    // measured = bare prediction + 3 ms + 0.5 ms/MB per hop: the fit must recover both exactly
    Path run = measuredRun(3.0, 0.5);
    Path out = tmp.resolve("out");
    Outcome o =
        CliRunner.run(
            "predict",
            TINY,
            "--link",
            "delay:10ms+rate:8mbit",
            "--calibrate",
            run.toString(),
            "--out",
            out.toString());
    assertEquals(ExitCodes.OK, o.code(), o.err());
    JsonNode overhead = MAPPER.readTree(out.resolve("predicted.json").toFile()).get("overhead");
    assertTrue(overhead.get("calibrated").asBoolean());
    assertEquals(3.0, overhead.get("fixed_ms").asDouble(), 1e-4);
    assertEquals(0.5, overhead.get("ms_per_megabyte").asDouble(), 1e-4);
    assertEquals(8, overhead.get("points").asInt(), "4 splits x 2 links");
    assertEquals("nio", overhead.get("transport").asText());
    JsonNode split2 =
        MAPPER
            .readTree(out.resolve("predicted.json").toFile())
            .get("links")
            .get(0)
            .get("predictions")
            .get(2);
    assertEquals(220.232 + 3 + 0.05, split2.get("latency_ms").asDouble(), 1e-9);
    assertTrue(
        o.out()
            .contains(
                "per-hop overhead: 3 ms + 0.5 ms/MB per hop, fitted by least squares on 8 measured"
                    + " points of "
                    + run),
        o.out());

    Outcome wrongTransport =
        CliRunner.run(
            "predict",
            TINY,
            "--link",
            "none",
            "--calibrate",
            run.toString(),
            "--transport",
            "grpc");
    assertEquals(ExitCodes.BAD_INPUT, wrongTransport.code());
    assertEquals(
        "error: " + run + ": no tiny points over transport grpc to calibrate from: the run has nio",
        wrongTransport.err().strip());
  }

  /**
   * A run folder with PartitionBenchmark latency results of the tiny model over none and
   * delay:10ms+rate:8mbit.
   */
  private Path measuredRun(double fixedMs, double msPerMegabyte) throws IOException {
    double[] bareNone = {133, 133, 133, 133};
    double[] bareShaped = {520.232, 320.232, 220.232, 170.232};
    long[] bytes = {400_000, 200_000, 100_000, 50_000};
    ArrayNode results = JsonNodeFactory.instance.arrayNode();
    for (String link : List.of("none", "delay:10ms+rate:8mbit")) {
      for (int split = 0; split <= 3; split++) {
        double measured =
            (link.equals("none") ? bareNone : bareShaped)[split]
                + fixedMs
                + msPerMegabyte * bytes[split] / 1e6;
        ObjectNode r = results.addObject();
        r.put("benchmark", "io.paretopipe.benchmarks.PartitionBenchmark.latency");
        r.put("mode", "sample");
        ObjectNode params = r.putObject("params");
        params
            .put("model", "tiny")
            .put("split", Integer.toString(split))
            .put("transport", "nio")
            .put("link", link)
            .put("batch", "2")
            .put("depth", "4")
            .put("tail", "spawn");
        r.putObject("primaryMetric").put("score", measured).put("scoreUnit", "ms/op");
      }
    }
    Path run = Files.createDirectories(tmp.resolve("measured").resolve("jmh"));
    MAPPER.writeValue(run.resolve("results.json").toFile(), results);
    return run.getParent();
  }

  @Test
  void badInputIsOneLineExit2AndLeavesNothing() throws IOException {
    Path out = tmp.resolve("out");
    Path missing = tmp.resolve("nope.json");
    Outcome o =
        CliRunner.run("predict", missing.toString(), "--link", "none", "--out", out.toString());
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertEquals("error: " + missing + ": no such file or folder", o.err().strip());

    Path incomplete = tmp.resolve("incomplete.json");
    ArrayNode results = (ArrayNode) MAPPER.readTree(Path.of(TINY).toFile());
    results.remove(2);
    MAPPER.writeValue(incomplete.toFile(), results);
    o = CliRunner.run("predict", incomplete.toString(), "--link", "none", "--out", out.toString());
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertEquals(1, o.err().lines().count(), o.err());
    assertTrue(
        o.err()
            .startsWith(
                "error: "
                    + incomplete
                    + ": unit profile of tiny (batch 2, threads 1) lacks unit 1"),
        o.err());

    o = CliRunner.run("predict", TINY, "--link", "delay:10", "--out", out.toString());
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(
        o.err()
            .startsWith(
                "error: --link: bad link spec 'delay:10': token 'delay:10' has no unit; valid time"
                    + " units are ns, us, ms, s"),
        o.err());

    o = CliRunner.run("predict", TINY, "--link", "none", "--devices", "1");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(o.err().startsWith("error: --devices: 1 (expected: >= 2)"), o.err());

    o = CliRunner.run("predict", TINY, "--link", "none", "--devices", "6");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(
        o.err()
            .startsWith(
                "error: --devices: 6 devices need 5 distinct cuts but tiny has only 4 (0..3): at"
                    + " most 5 devices"),
        o.err());

    o = CliRunner.run("predict", TINY, "--link", "none", "--threads", "2");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertEquals(
        "error: "
            + TINY
            + ": no unit profile with threads 2 for the head: the profiles have threads 1",
        o.err().strip());

    o = CliRunner.run("predict", TINY);
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(o.err().contains("Missing required option: '--link=SPEC'"), o.err());

    o = CliRunner.run("predict", "--link", "none");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(
        o.err().startsWith("error: no unit profiles for the head: give PROFILES or --head FILE"),
        o.err());

    o = CliRunner.run("predict", TINY, "--link", "none", "--transport", "nio");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(o.err().startsWith("error: --transport only applies with --calibrate RUN"), o.err());

    assertFalse(Files.exists(out), "no output folder");
    try (Stream<Path> s = Files.list(tmp)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no staging folder");
    }
  }

  @Test
  void headAndTailProfilesCanComeFromDifferentFiles() throws IOException {
    Path fast = tmp.resolve("fast-tail.json");
    ArrayNode results = (ArrayNode) MAPPER.readTree(Path.of(TINY).toFile());
    for (JsonNode r : results) {
      ObjectNode primary = (ObjectNode) r.get("primaryMetric");
      primary.put("score", primary.get("score").asDouble() / 4);
    }
    MAPPER.writeValue(fast.toFile(), results);
    Path out = tmp.resolve("out");
    Outcome o =
        CliRunner.run(
            "predict", TINY, "--tail", fast.toString(), "--link", "none", "--out", out.toString());
    assertEquals(ExitCodes.OK, o.code(), o.err());
    JsonNode json = MAPPER.readTree(out.resolve("predicted.json").toFile());
    assertEquals(fast.toString(), json.get("stages").get(1).get("source").asText());
    JsonNode split0 = json.get("links").get(0).get("predictions").get(0);
    assertEquals(
        1 + 132 / 4.0,
        split0.get("latency_ms").asDouble(),
        1e-9,
        "head: prefix 1 ms; tail 4x faster");
  }

  @Test
  void helpListsTheOptions() {
    Outcome o = CliRunner.run("predict", "--help");
    assertEquals(ExitCodes.OK, o.code());
    for (String option :
        List.of(
            "--link",
            "--devices",
            "--out",
            "--calibrate",
            "--head",
            "--tail",
            "--depth",
            "--threads",
            "--model",
            "PROFILES")) {
      assertTrue(o.out().contains(option), option + " in " + o.out());
    }
    Outcome top = CliRunner.run("--help");
    assertTrue(top.out().contains("predict"), top.out());
  }
}
