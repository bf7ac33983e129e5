package io.paretopipe.reports.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.paretopipe.reports.fixtures.CliRunner;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.run.RunLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Predicted next to measured in a run that holds unit profiles: every point predicted, out of
 * sample (leave-one-split-out), with the right device profile per stage, and a clear note instead
 * of a failure when the profiles cannot be used.
 */
class PredictedVsMeasuredTest {
  private static final Path PROFILED =
      Path.of("src/test/resources/fixtures/realistic-run-profiled");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void everyPointOfTheProfiledRunIsPredictedCloseToItsMeasurement() throws Exception {
    Run run = new RunLoader().load(List.of(PROFILED));
    PredictedVsMeasured pvm = PredictedVsMeasured.of(run);
    assertEquals(List.of("jmh/unit-profile.json"), pvm.profileSources());
    assertEquals(List.of(), pvm.notes());
    for (Point p : run.points()) {
      assertTrue(pvm.of(p).isPresent(), "prediction of " + p.group().label() + " " + p.label());
    }
    assertEquals(2, pvm.byGroup().size());
    for (PredictedVsMeasured.Agreement a : pvm.byGroup().values()) {
      assertEquals(
          "head threads 1, tail threads 2",
          a.profiles(),
          "headThreads/tailThreads pick the device");
      assertEquals(6, a.latencyPoints());
      assertEquals(6, a.throughputPoints());
    }
    PredictedVsMeasured.Agreement all = pvm.overall().orElseThrow();
    assertEquals(12, all.latencyPoints());
    // the generator's world differs from the model only by noise, encode/decode/loopback costs the
    // overhead absorbs,
    // and the token bucket's burst it does not simulate: a few percent
    assertTrue(
        all.medianAbsLatencyErrorPct() < 10, "latency error " + all.medianAbsLatencyErrorPct());
    assertTrue(
        all.medianAbsThroughputErrorPct() < 10,
        "throughput error " + all.medianAbsThroughputErrorPct());
  }

  @Test
  void aPointsOverheadIsFittedWithoutItsOwnSplit() throws Exception {
    Run run = new RunLoader().load(List.of(PROFILED));
    PredictedVsMeasured pvm = PredictedVsMeasured.of(run);
    List<UnitProfile> profiles = UnitProfiles.fromResults(run.results());
    DeviceProfiles devices =
        new DeviceProfiles(
            UnitProfiles.select(profiles, PROFILED, "head", null, null, 1),
            UnitProfiles.select(profiles, PROFILED, "tail", null, null, 2),
            UnitProfiles.select(profiles, PROFILED, "tail", null, null, 2));
    Point point =
        run.points().stream()
            .filter(p -> p.group().link().equals("none") && p.split().equals("3"))
            .findFirst()
            .orElseThrow();
    List<Overhead.Sample> others = new ArrayList<>();
    List<Overhead.Sample> everyone = new ArrayList<>();
    for (Point q : run.points()) {
      Overhead.Sample s = Calibration.sample(q, devices, q.split());
      everyone.add(s);
      if (!q.split().equals("3")) {
        others.add(s);
      }
    }
    assertEquals(10, others.size(), "2 links x 5 other splits");
    Overhead outOfSample = Overhead.fit(others, "test");
    Prediction expected =
        new PipelineModel(devices.forStages(2), LinkSpec.parse("none"), outOfSample, 4).predict(3);
    PredictedVsMeasured.PointPrediction actual = pvm.of(point).orElseThrow();
    assertEquals(expected.latencyMs(), actual.latencyMs(), 1e-12);
    assertEquals(expected.throughputImgS(), actual.throughputImgS(), 1e-12);
    assertEquals(expected.hopOverheadMs()[0], actual.overheadMs(), 1e-12);
    Prediction inSample =
        new PipelineModel(
                devices.forStages(2), LinkSpec.parse("none"), Overhead.fit(everyone, "test"), 4)
            .predict(3);
    assertNotEquals(
        inSample.latencyMs(), actual.latencyMs(), "the point's own measurement is left out");
    assertEquals(
        (actual.latencyMs() - point.latencyMeanMs()) / point.latencyMeanMs() * 100,
        actual.latencyErrorPct(point),
        1e-9);
  }

  @Test
  void aRunWithoutProfilesHasNoPredictions() throws Exception {
    PredictedVsMeasured pvm =
        PredictedVsMeasured.of(
            new RunLoader().load(List.of(Path.of("src/test/resources/fixtures/realistic-run"))));
    assertTrue(pvm.isEmpty());
    assertTrue(pvm.notes().isEmpty());
    assertTrue(pvm.overall().isEmpty());
  }

  @Test
  void unusableProfilesBecomeNotesAndTheReportStillWorks() throws Exception {
    Path incomplete = copyWithProfiles("incomplete", results -> results.remove(2));
    PredictedVsMeasured pvm = PredictedVsMeasured.of(new RunLoader().load(List.of(incomplete)));
    assertTrue(pvm.isEmpty());
    assertEquals(1, pvm.notes().size());
    assertTrue(
        pvm.notes()
            .get(0)
            .startsWith(
                "unit profiles not used: jmh/unit-profile.json: unit profile of tinynet"
                    + " (batch 2, threads 1) lacks unit 1 (found prefix, 0, 2, 3, 4, suffix; the model has units 0..4 per its cut"
                    + " table)"),
        pvm.notes().get(0));
    Path out = tmp.resolve("report");
    var o = CliRunner.run("pareto", incomplete.toString(), "--out", out.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(Files.readString(out.resolve("summary.md")).contains("- unit profiles not used: "));

    Path noTailDevice =
        copyWithProfiles(
            "notail",
            results -> {
              for (int i = results.size() - 1; i >= 0; i--) {
                if (results.get(i).get("params").get("threads").asText().equals("2")) {
                  results.remove(i);
                }
              }
            });
    pvm = PredictedVsMeasured.of(new RunLoader().load(List.of(noTailDevice)));
    assertTrue(pvm.isEmpty());
    assertEquals(2, pvm.notes().size());
    assertTrue(
        pvm.notes()
            .get(0)
            .endsWith(
                "no prediction: no unit profile with threads 2 for the tail: the profiles"
                    + " have threads 1 (in a run, the group's headThreads and tailThreads params choose the profiles)"),
        pvm.notes().get(0));
  }

  private Path copyWithProfiles(String name, java.util.function.Consumer<ArrayNode> change)
      throws IOException {
    Path dir = tmp.resolve(name);
    try (Stream<Path> files = Files.walk(PROFILED)) {
      for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
        Path target = dir.resolve(PROFILED.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    Path profile = dir.resolve("jmh").resolve("unit-profile.json");
    ArrayNode results = (ArrayNode) MAPPER.readTree(profile.toFile());
    change.accept(results);
    MAPPER.writeValue(profile.toFile(), results);
    return dir;
  }

  @Test
  void errorPercentAndMedian() {
    assertEquals(10.0, PredictedVsMeasured.errorPct(110, 100), 1e-12);
    assertEquals(-50.0, PredictedVsMeasured.errorPct(50, 100), 1e-12);
    assertTrue(Double.isNaN(PredictedVsMeasured.errorPct(Double.NaN, 100)));
    assertEquals(3.0, PredictedVsMeasured.medianAbs(List.of(-5.0, 1.0, 3.0)));
    assertEquals(2.5, PredictedVsMeasured.medianAbs(List.of(-4.0, 1.0, 2.0, 3.0)), 1e-12);
    assertTrue(Double.isNaN(PredictedVsMeasured.medianAbs(List.of())));
  }
}
