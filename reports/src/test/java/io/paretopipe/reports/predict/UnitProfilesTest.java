package io.paretopipe.reports.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.run.RunLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit profiles from JMH results: what is read, and every way an incomplete or inconsistent profile
 * is refused.
 */
class UnitProfilesTest {
  static final Path TINY = Path.of("src/test/resources/predict/tiny/unit-profile.json");
  static final Path RESNET50 = Path.of("src/test/resources/predict/resnet50/unit-profile.json");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path tmp;

  static List<UnitProfile> read(Path... files) throws ReportInputException {
    return UnitProfiles.fromResults(new RunLoader().load(List.of(files)).results());
  }

  @Test
  void readsTheHandMadeProfile() throws Exception {
    List<UnitProfile> profiles = read(TINY);
    assertEquals(1, profiles.size());
    UnitProfile p = profiles.get(0);
    UnitProfile expected = PipelineModelTest.tiny(1, 1);
    assertEquals("tiny", p.model());
    assertEquals(2, p.batch());
    assertEquals(1, p.threads());
    assertEquals("", p.variant());
    assertEquals(TINY.toString(), p.source());
    assertTrue(p.hasPrefix());
    assertEquals(expected.prefixMs(), p.prefixMs());
    assertArrayEquals(expected.unitMs(), p.unitMs());
    assertEquals(expected.suffixMs(), p.suffixMs());
    assertArrayEquals(
        expected.cutBytes(), p.cutBytes(), "from rawData, not the score JMH sums over iterations");
    assertEquals(80, p.outputBytes());
    assertEquals(133.0, p.totalMs(), 1e-12);
  }

  @Test
  void readsARealProfileAndChecksItAgainstTheCutTable() throws Exception {
    UnitProfile r = read(RESNET50).get(0);
    assertEquals("resnet50", r.model());
    assertEquals(17, r.unitCount(), "cuts/resnet50.json has splits 0..17");
    assertFalse(r.hasPrefix(), "resnet50's split 0 is the input (the stem is unit 0)");
    assertEquals(4_816_896, r.bytesAtCut(0), "8 x 3 x 224 x 224 floats");
    assertEquals(320, r.outputBytes(), "8 x 10 float32 logits");
    assertTrue(r.totalMs() > 100, "a real resnet50 batch of 8 takes time: " + r.totalMs());
  }

  @Test
  void missingUnitsAreNamed() throws IOException {
    Path file = variant("missing.json", results -> results.remove(2));
    ReportInputException e = assertThrows(ReportInputException.class, () -> read(file));
    assertEquals(file, e.file());
    assertEquals(
        "unit profile of tiny (batch 2, threads 1) lacks unit 1 (found prefix, 0, 2, suffix; the model has"
            + " units 0..2): profile every unit, e.g. -p unit=0,1,...,suffix",
        e.problem());

    Path noSuffix = variant("nosuffix.json", results -> results.remove(4));
    assertTrue(
        assertThrows(ReportInputException.class, () -> read(noSuffix))
            .problem()
            .contains("lacks unit suffix"));
  }

  @Test
  void aCutTableRevealsMissingTrailingUnitsAndAPrefix() throws Exception {
    Path run = Files.createDirectories(tmp.resolve("run"));
    Files.createDirectories(run.resolve("jmh"));
    Path file = run.resolve("jmh").resolve("unit-profile.json");
    Files.copy(TINY, file);
    Files.createDirectories(run.resolve("cuts"));
    Files.writeString(
        run.resolve("cuts").resolve("tiny.json"),
        "{\"model\":\"tiny\",\"batch\":1,\"cuts\":["
            + "{\"split\":0,\"unit\":\"(prefix)\",\"bytes\":200000},{\"split\":1,\"bytes\":100000},"
            + "{\"split\":2,\"bytes\":50000},{\"split\":3,\"bytes\":25000},{\"split\":4,\"bytes\":1000}]}");
    assertEquals(
        "unit profile of tiny (batch 2, threads 1) lacks unit 3 (found prefix, 0, 1, 2, suffix; the model"
            + " has units 0..3 per its cut table): profile every unit, e.g. -p unit=0,1,...,suffix",
        assertThrows(ReportInputException.class, () -> read(run)).problem());

    Files.writeString(
        run.resolve("cuts").resolve("tiny.json"),
        "{\"model\":\"tiny\",\"batch\":1,\"cuts\":["
            + "{\"split\":0,\"unit\":\"(input)\",\"bytes\":200000},{\"split\":1,\"bytes\":100000},"
            + "{\"split\":2,\"bytes\":50000},{\"split\":3,\"bytes\":25000}]}");
    assertTrue(
        assertThrows(ReportInputException.class, () -> read(run))
            .problem()
            .contains("has a prefix result but tiny's cut table says the model has none"));

    Files.writeString(
        run.resolve("cuts").resolve("tiny.json"),
        "{\"model\":\"tiny\",\"batch\":1,\"cuts\":["
            + "{\"split\":0,\"unit\":\"(prefix)\",\"bytes\":200000},{\"split\":1,\"bytes\":100000},"
            + "{\"split\":2,\"bytes\":50001},{\"split\":3,\"bytes\":25000}]}");
    assertTrue(
        assertThrows(ReportInputException.class, () -> read(run))
            .problem()
            .contains(
                "bytes at cut 2 are 100000 but the cut table cuts/tiny.json says 100002 at batch 2"));

    Files.writeString(
        run.resolve("cuts").resolve("tiny.json"),
        "{\"model\":\"tiny\",\"batch\":1,\"cuts\":["
            + "{\"split\":0,\"unit\":\"(prefix)\",\"bytes\":200000},{\"split\":1,\"bytes\":100000},"
            + "{\"split\":2,\"bytes\":50000},{\"split\":3,\"bytes\":25000}]}");
    assertEquals(3, read(run).get(0).unitCount(), "a matching table is accepted");
  }

  @Test
  void duplicatesAndBrokenChainsAndMissingRawDataAreRefused() throws IOException {
    Path copy = tmp.resolve("copy.json");
    Files.copy(TINY, copy);
    assertTrue(
        assertThrows(ReportInputException.class, () -> read(TINY, copy))
            .problem()
            .contains("has unit prefix twice"),
        "the same profile passed twice");

    Path chain = variant("chain.json", results -> counter(results.get(2), "inputBytes", 123));
    ReportInputException e = assertThrows(ReportInputException.class, () -> read(chain));
    assertEquals(
        "unit profile of tiny (batch 2, threads 1): bytes do not chain: unit 0 outputBytes 200000 but unit 1"
            + " inputBytes 123 (results of different models or batches?)",
        e.problem());

    Path noRaw =
        variant(
            "noraw.json",
            results ->
                ((ObjectNode) results.get(1).get("secondaryMetrics").get("outputBytes"))
                    .remove("rawData"));
    assertTrue(
        assertThrows(ReportInputException.class, () -> read(noRaw))
            .problem()
            .contains(
                "secondary metric \"outputBytes\" has no rawData: JMH sums an EVENTS counter's score over"
                    + " iterations"));

    Path noMetric =
        variant(
            "nometric.json",
            results -> ((ObjectNode) results.get(1).get("secondaryMetrics")).remove("inputBytes"));
    assertTrue(
        assertThrows(ReportInputException.class, () -> read(noMetric))
            .problem()
            .contains("has no secondary metric \"inputBytes\""));

    Path badUnit =
        variant(
            "badunit.json",
            results -> ((ObjectNode) results.get(1).get("params")).put("unit", "x"));
    assertTrue(
        assertThrows(ReportInputException.class, () -> read(badUnit))
            .problem()
            .contains("has unit \"x\": expected a unit index 0..n-1, prefix or suffix"));

    Path throughput =
        variant(
            "thrpt.json",
            results ->
                ((ObjectNode) results.get(1).get("primaryMetric")).put("scoreUnit", "ops/s"));
    assertTrue(
        assertThrows(ReportInputException.class, () -> read(throughput))
            .problem()
            .contains("needs a time per operation such as ms/op"));
  }

  @Test
  void microsecondsAreConverted() throws Exception {
    Path us =
        variant(
            "us.json",
            results -> {
              ObjectNode primary = (ObjectNode) results.get(1).get("primaryMetric");
              primary.put("score", 10_000.0);
              primary.put("scoreUnit", "us/op");
            });
    assertEquals(10.0, read(us).get(0).unitMs(0), 1e-12);
  }

  @Test
  void selectionNamesWhatIsAvailable() throws Exception {
    Path twoThreads =
        variant(
            "threads2.json",
            results -> results.forEach(r -> ((ObjectNode) r.get("params")).put("threads", "2")));
    Path otherModel =
        variant(
            "other.json",
            results -> results.forEach(r -> ((ObjectNode) r.get("params")).put("model", "other")));
    List<UnitProfile> all = read(TINY, twoThreads, otherModel);
    assertEquals(3, all.size());
    assertEquals(
        "unit profiles for several model values (other, tiny): choose the head's with --model",
        assertThrows(
                ReportInputException.class,
                () -> UnitProfiles.select(all, TINY, "head", null, null, null))
            .problem());
    assertEquals(
        "unit profiles for several threads values (1, 2): choose the tail's with --tail-threads or --threads",
        assertThrows(
                ReportInputException.class,
                () -> UnitProfiles.select(all, TINY, "tail", "tiny", null, null))
            .problem());
    assertEquals(
        "no unit profile with threads 3 for the head: the profiles have threads 1, 2",
        assertThrows(
                ReportInputException.class,
                () -> UnitProfiles.select(all, TINY, "head", "tiny", 2, 3))
            .problem());
    assertEquals(2, UnitProfiles.select(all, TINY, "tail", "tiny", null, 2).threads());
    assertTrue(
        assertThrows(
                ReportInputException.class,
                () -> UnitProfiles.select(List.of(), TINY, "head", null, null, null))
            .problem()
            .startsWith("no UnitProfileBenchmark results: the head needs unit profiles"));
  }

  private Path variant(String name, Consumer<ArrayNode> change) throws IOException {
    ArrayNode results = (ArrayNode) MAPPER.readTree(TINY.toFile());
    List<JsonNode> copy = new ArrayList<>();
    results.forEach(copy::add);
    change.accept(results);
    Path file = tmp.resolve(name);
    MAPPER.writeValue(file.toFile(), results);
    return file;
  }

  private static void counter(JsonNode result, String metric, long value) {
    ObjectNode m = (ObjectNode) result.get("secondaryMetrics").get(metric);
    m.put("score", value * 2.0);
    ArrayNode raw = m.putArray("rawData").addArray();
    raw.add((double) value).add((double) value);
  }
}
