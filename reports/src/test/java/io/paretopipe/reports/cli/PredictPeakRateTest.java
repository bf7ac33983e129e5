package io.paretopipe.reports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.reports.fixtures.CliRunner;
import io.paretopipe.reports.fixtures.CliRunner.Outcome;
import io.paretopipe.reports.render.PeakRateTables;
import io.paretopipe.reports.render.PredictionRenderers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict --slo} and {@code --server}: the SLO's two spellings and clear errors for bad
 * ones, the keys and columns the peak rate adds (appended, nothing reordered), and the agreement
 * with real stored server-scenario runs of mobilenetv2 (batch 1, loopback, 2026-12-06).
 */
class PredictPeakRateTest {
  private static final String TINY = "src/test/resources/predict/tiny/unit-profile.json";
  private static final String MOBILENET =
      "src/test/resources/predict/mobilenetv2-b1/unit-profile.json";
  private static final String L10 = "src/test/resources/server/L10-server-scenario.json";
  private static final String SPLIT10_B =
      "src/test/resources/server/split10-b-server-scenario.json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path tmp;

  private Outcome predict(String... args) {
    List<String> all = new ArrayList<>(List.of("predict"));
    all.addAll(List.of(args));
    return CliRunner.run(all.toArray(String[]::new));
  }

  @Test
  void theSloIsReadWithEqualsOrColonAndTheOutputsAreTheSame() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    Outcome o =
        predict(
            TINY, "--link", "delay:10ms+rate:8mbit", "--slo", "p99=500ms", "--out", a.toString());
    assertEquals(ExitCodes.OK, o.code(), o.err());
    o =
        predict(
            TINY, "--link", "delay:10ms+rate:8mbit", "--slo", "p99:0.5s", "--out", b.toString());
    assertEquals(ExitCodes.OK, o.code(), o.err());
    for (String f : List.of("predicted.md", "predicted.json", "predicted.csv")) {
      assertEquals(Files.readString(a.resolve(f)), Files.readString(b.resolve(f)), f);
    }
  }

  @Test
  void aMalformedSloIsOneLineNamingTheOptionAndTheAcceptedForm() {
    for (String bad : List.of("p99<500ms", "99:500ms", "p99:500", "p99=", "fast")) {
      Outcome o = predict(TINY, "--link", "none", "--slo", bad);
      assertEquals(ExitCodes.BAD_INPUT, o.code(), bad);
      assertEquals(
          "error: --slo: SLO '"
              + bad
              + "' is malformed (expected: pPERCENTILE=BOUND or pPERCENTILE:BOUND with a unit (us,"
              + " ms, s), e.g. p99=500ms, p99:500ms, p90:2s)",
          o.err().lines().findFirst().orElseThrow(),
          bad);
    }
    Outcome o = predict(TINY, "--link", "none", "--slo", "p100:1s");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertEquals(
        "error: --slo: SLO percentile: 100.0 (expected: between 0 and 100, e.g. p99)",
        o.err().lines().findFirst().orElseThrow());
  }

  @Test
  void thePeakRateIsAppendedToTheCsvAndAddedToTheJsonAndMarkdown() throws IOException {
    Path plain = tmp.resolve("plain");
    Path slo = tmp.resolve("slo");
    String link = "delay:10ms+rate:8mbit";
    assertEquals(0, predict(TINY, "--link", link, "--out", plain.toString()).code());
    Outcome o = predict(TINY, "--link", link, "--slo", "p99:500ms", "--out", slo.toString());
    assertEquals(ExitCodes.OK, o.code(), o.err());

    List<String> before = Files.readAllLines(plain.resolve("predicted.csv"));
    List<String> after = Files.readAllLines(slo.resolve("predicted.csv"));
    List<String> header = new ArrayList<>(PredictionRenderers.CSV_COLUMNS);
    header.addAll(
        List.of("slo", "predicted_peak_rate_per_s", "peak_bottleneck", "peak_service_ms"));
    header.add("peak_service_cv2");
    header.add("peak_model");
    assertEquals(String.join(",", header), after.get(0));
    assertEquals(before.size(), after.size());
    for (int i = 1; i < before.size(); i++) {
      assertTrue(after.get(i).startsWith(before.get(i) + ",p99=500ms,"), after.get(i));
    }

    JsonNode plainJson = MAPPER.readTree(plain.resolve("predicted.json").toFile());
    assertFalse(plainJson.has("slo"));
    assertFalse(
        plainJson.path("links").get(0).path("predictions").get(0).has("predicted_peak_rate_per_s"));
    JsonNode json = MAPPER.readTree(slo.resolve("predicted.json").toFile());
    assertEquals("p99=500ms", json.get("slo").asText());
    assertFalse(json.has("peak_agreement"), "no --server, no agreement");
    // Split 2 (PipelineModelTest's hand numbers): head 31 ms, tail 102 ms, 10,000 bytes at 8
    // Mbit/s (10 ms): the tail is busiest, 102 ms per request; alone 220.232 ms.
    JsonNode split2 = json.get("links").get(0).get("predictions").get(2);
    assertEquals("tail", split2.get("peak_bottleneck").asText());
    assertEquals(102.0, split2.get("peak_service_ms").asDouble(), 1e-9);
    double peak = split2.get("predicted_peak_rate_per_s").asDouble();
    double rho = peak * 102.0 / 1000;
    double p99Wait = rho * 102.0 / (2 * (1 - rho)) * Math.log(rho / 0.01);
    assertEquals(500.0, 220.232 + p99Wait, 0.01, "the p99 sits on the bound at the peak");
    // No --calibrate run, no measured spread: M/D/1, cs^2 null (not 0).
    assertEquals("M/D/1", split2.get("peak_model").asText());
    assertTrue(split2.get("peak_service_cv2").isNull());
    assertTrue(after.get(3).endsWith(",,M/D/1"), after.get(3));
    assertTrue(
        Files.readString(slo.resolve("predicted.md")).contains("## Peak rate within p99=500ms"));
    assertFalse(Files.exists(slo.resolve(PeakRateTables.CSV)), "no --server, no agreement file");
  }

  @Test
  void aSplitWhoseRequestAloneMissesTheBoundHasNoPeakNotZero() throws IOException {
    Path out = tmp.resolve("out");
    Outcome o = predict(TINY, "--link", "pi-link", "--slo", "p99:100ms", "--out", out.toString());
    assertEquals(ExitCodes.OK, o.code(), o.err());
    JsonNode p =
        MAPPER
            .readTree(out.resolve("predicted.json").toFile())
            .get("links")
            .get(0)
            .get("predictions")
            .get(0);
    assertTrue(p.get("predicted_peak_rate_per_s").isNull(), p.toString());
    assertTrue(Files.readAllLines(out.resolve("predicted.csv")).get(1).contains(",p99=100ms,,"));
    assertTrue(
        Files.readString(out.resolve("predicted.md")).contains("none (alone over the bound)"));
  }

  @Test
  void theAgreementWithRealStoredServerRunsIsPerMeasuredSplit() throws IOException {
    Path out = tmp.resolve("out");
    Outcome o =
        predict(MOBILENET, "--link", "none", "--server", L10, SPLIT10_B, "--out", out.toString());
    assertEquals(ExitCodes.OK, o.code(), o.err());

    JsonNode json = MAPPER.readTree(out.resolve("predicted.json").toFile());
    assertEquals("p99=500ms", json.get("slo").asText(), "the runs' SLO when --slo is left out");
    JsonNode split10 = null;
    for (JsonNode p : json.get("links").get(0).get("predictions")) {
      if (p.get("split").asText().equals("10")) {
        split10 = p;
      }
    }
    double predicted = split10.get("predicted_peak_rate_per_s").asDouble();
    JsonNode agreement = json.get("peak_agreement");
    assertEquals(2, agreement.get("measured").asInt());
    JsonNode l10 = agreement.get("points").get(0);
    assertEquals("L10-server-scenario", l10.get("run").asText());
    assertEquals("10", l10.get("split").asText());
    assertEquals(predicted, l10.get("predicted_peak_rate_per_s").asDouble(), 0);
    // The file's own numbers: claimed [117.987, 134.843), stated [60.501, 262.965) (d = 1.950).
    assertEquals(117.987, l10.get("peak_rate_per_s").asDouble(), 1e-3);
    assertEquals(134.843, l10.get("lowest_failing_rate_per_s").asDouble(), 1e-3);
    assertEquals(60.5011, l10.get("stated_peak_rate_per_s").asDouble(), 1e-4);
    assertEquals(262.965, l10.get("stated_lowest_failing_rate_per_s").asDouble(), 1e-3);
    assertEquals("stated", l10.get("interval").asText());
    assertEquals("M/D/1", l10.get("peak_model").asText());
    assertTrue(l10.get("peak_service_cv2").isNull());
    assertEquals(
        "M/G/1 at none, M/D/1 at 2 (no spread measured)", agreement.get("models").asText());
    assertEquals(
        predicted / 117.98719508569174, l10.get("ratio_to_measured_peak").asDouble(), 1e-5);
    assertEquals(
        predicted >= 60.50106248706524 && predicted < 262.96545419541167,
        l10.get("inside_interval").asBoolean());
    // The repro run of 2026-12-06 states no interval: its claimed bracket stands in, and the
    // stated figures are null, never 0.
    JsonNode b = agreement.get("points").get(1);
    assertEquals("split10-b-server-scenario", b.get("run").asText());
    assertEquals("claimed", b.get("interval").asText());
    assertTrue(b.get("stated_peak_rate_per_s").isNull());
    assertTrue(b.get("stated_lowest_failing_rate_per_s").isNull());
    assertEquals(
        predicted >= 107.87615351551435 && predicted < 191.7798284720255,
        b.get("inside_interval").asBoolean());

    List<String> csv = Files.readAllLines(out.resolve(PeakRateTables.CSV));
    assertEquals(String.join(",", PeakRateTables.AGREEMENT_COLUMNS), csv.get(0));
    assertEquals(3, csv.size());
    assertTrue(csv.get(2).contains(",,,claimed,"), csv.get(2));
    String md = Files.readString(out.resolve("predicted.md"));
    assertTrue(md.contains("not recorded (claimed bracket used)"), md);
    long inside =
        (l10.get("inside_interval").asBoolean() ? 1 : 0)
            + (b.get("inside_interval").asBoolean() ? 1 : 0);
    assertTrue(
        md.contains(
            inside
                + " of 2 measured splits inside the stated interval (1 without one: their claimed bracket); predicted / measured peak: median "),
        md);
    assertTrue(
        o.out().contains("peak rate at p99=500ms: " + inside + " of 2 measured splits"), o.out());
  }

  @Test
  void aServerRunThatCannotBeComparedIsRefusedSayingWhy() {
    Outcome o = predict(MOBILENET, "--link", "pi-link", "--server", L10);
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertEquals(
        "error: "
            + L10
            + ": mobilenetv2 split=10 nio link=none ran over link none, which is not predicted"
            + " (links: pi-link): add --link none",
        o.err().strip());

    o = predict(MOBILENET, "--link", "none", "--slo", "p90:2s", "--server", L10);
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertEquals(
        "error: "
            + L10
            + ": measured at p99=500ms, predicted at p90=2000ms: give --slo p99=500ms (or leave"
            + " --slo out to take the run's)",
        o.err().strip());

    o = predict(TINY, "--link", "none", "--server", L10);
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertEquals(
        "error: "
            + L10
            + ": measured at batch 1 but the profiles are of batch 2: profile the units at the"
            + " run's batch (UnitProfileBenchmark -p batch=1)",
        o.err().strip());

    o = predict(MOBILENET, "--link", "none", "--server", tmp.resolve("nothing").toString());
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(
        o.err()
            .strip()
            .endsWith(
                "not found: --server takes a run folder of a sweep with --scenario server, or its server-scenario.json"),
        o.err());
  }
}
