package io.paretopipe.benchmarks.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.benchmarks.sweep.SweepPlan.Group;
import io.paretopipe.benchmarks.sweep.SweepPlan.Point;
import io.paretopipe.format.HlogFileName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {

  private static final Group NIO = new Group("mobilenetv2", "nio", "none");
  private static final Group LOCAL = new Group("mobilenetv2", "local", "none");
  private static final SweepPlan PLAN =
      SweepPlan.ofPoints(
          List.of(
              new Point("mobilenetv2", "nio", "none", "3"),
              new Point("mobilenetv2", "nio", "none", "5:9"),
              new Point("mobilenetv2", "local", "none", "3"),
              new Point("mobilenetv2", "local", "none", "5:9")));

  @Test
  void layoutNamesPassesByNumberAndGroup(@TempDir Path parent) throws Exception {
    RunFolder f = RunFolder.create(parent, Instant.parse("2026-12-05T09:03:28.700Z"));
    assertEquals(parent.resolve("2026-12-05T09-03-28Z"), f.root());
    for (String sub : List.of("jmh", "hlog", "cuts", "passes")) {
      assertTrue(Files.isDirectory(f.root().resolve(sub)), sub);
    }
    assertEquals(
        f.root().resolve("jmh/pass-003-mobilenetv2__nio__none.json"), f.passResult(3, NIO));
    assertEquals(f.root().resolve("hlog/pass-003").toAbsolutePath(), f.passHlogDir(3));
    assertEquals(
        f.root().resolve("passes/pass-012-mobilenetv2__local__none.log"), f.passLog(12, LOCAL));
    assertEquals(f.root().resolve("passes/after-pass-002"), f.decisionReport(2));
    assertEquals(
        f.root().resolve("jmh/unit-profile-%2Fdata%2Fmy+net.json"), f.unitProfile("/data/my net"));
  }

  @Test
  void resumeKeepsCompletePassesAndDropsWhatAnInterruptedCallLeft(@TempDir Path dir)
      throws Exception {
    RunFolder f = RunFolder.create(dir, Instant.now());
    // pass 1 of both groups complete; pass 2 of nio complete except a failed trial's partial hlog;
    // pass 2 of local interrupted: its hlogs landed, its JSON did not.
    writePass(f, 1, NIO, "3", "5:9");
    writePass(f, 1, LOCAL, "3", "5:9");
    writePass(f, 2, NIO, "3");
    Path failedTrialHlog = hlog(f, 2, NIO, "throughput", "5:9");
    Path orphanA = hlog(f, 2, LOCAL, "latency", "3");
    Path orphanB = hlog(f, 2, LOCAL, "latency", "5:9");
    Path halfJson = f.jmh().resolve(".pass-002-mobilenetv2__local__none.json.tmp");
    Files.writeString(halfJson, "[{\"benchmark\":");
    Path halfHlog = f.passHlogDir(2).resolve(".hlog-123.tmp");
    Files.writeString(halfHlog, "#");
    Files.writeString(f.unitProfile("mobilenetv2"), "[]");

    Map<Group, TreeSet<Integer>> done = RunFolder.existing(f.root()).completedPasses(PLAN);

    assertEquals(new TreeSet<>(List.of(1, 2)), done.get(NIO));
    assertEquals(new TreeSet<>(List.of(1)), done.get(LOCAL));
    for (Path gone : List.of(failedTrialHlog, orphanA, orphanB, halfJson, halfHlog)) {
      assertFalse(Files.exists(gone), gone + " survived the resume");
    }
    try (var kept = Files.list(f.passHlogDir(2))) {
      assertEquals(
          List.of("latency 3", "throughput 3"),
          kept.map(h -> RunFolder.hlogParams(h.getFileName().toString()))
              .map(p -> p.get("#method") + " " + p.get("split"))
              .sorted()
              .toList(),
          "pass 2 keeps exactly the hlogs of nio's results");
    }
    try (var kept = Files.list(f.passHlogDir(1))) {
      assertEquals(8, kept.count(), "pass 1's hlogs must all stay");
    }
    assertTrue(Files.isRegularFile(f.unitProfile("mobilenetv2")));
  }

  @Test
  void resumeRefusesAFolderOfAnotherSweep(@TempDir Path dir) throws Exception {
    RunFolder f = RunFolder.create(dir, Instant.now());
    writePass(f, 1, new Group("resnet18", "nio", "none"), "3");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> f.completedPasses(PLAN));
    assertTrue(
        e.getMessage().contains("pass-001-resnet18__nio__none.json is not a pass of this sweep"),
        e.getMessage());
    Files.delete(f.passResult(1, new Group("resnet18", "nio", "none")));
    Files.writeString(f.jmh().resolve("001-mobilenetv2__nio__none__split=3.json"), "[]");
    assertThrows(IllegalArgumentException.class, () -> f.completedPasses(PLAN));
    IllegalArgumentException none =
        assertThrows(IllegalArgumentException.class, () -> RunFolder.existing(dir));
    assertTrue(none.getMessage().endsWith("no sweep run folder there (it has no jmh/)"));
  }

  @Test
  void atomicallyMovesOnlyAcceptedResultsAndNeverLeavesTheTemporaryFile(@TempDir Path dir)
      throws Exception {
    Path result = dir.resolve("r.json");
    RunFolder.atomically(result, tmp -> Files.writeString(tmp, "[]"), v -> false);
    assertFalse(Files.exists(result));
    assertFalse(Files.exists(dir.resolve(".r.json.tmp")));
    RunFolder.atomically(result, tmp -> Files.writeString(tmp, "[1]"), v -> true);
    assertEquals("[1]", Files.readString(result));
    assertThrows(
        IllegalStateException.class,
        () ->
            RunFolder.atomically(
                result,
                tmp -> {
                  Files.writeString(tmp, "[");
                  throw new IllegalStateException("interrupted");
                },
                v -> true));
    assertEquals("[1]", Files.readString(result), "a failed run replaced the complete result");
    assertFalse(Files.exists(dir.resolve(".r.json.tmp")));
  }

  @Test
  void hlogParamsDecodeTheNamingContract() {
    Map<String, String> params = new TreeMap<>();
    params.put("model", "mobilenetv2");
    params.put("split", "3:9");
    params.put("link", "delay:20ms+rate:50mbit");
    String name =
        HlogFileName.ofBenchmark("io.paretopipe.benchmarks.PartitionBenchmark.latency", params);
    Map<String, String> decoded = RunFolder.hlogParams(name);
    assertEquals("latency", decoded.remove("#method"));
    assertEquals(params, decoded);
    assertEquals(null, RunFolder.hlogParams("notes.txt"));
  }

  /** A pass's JSON with both methods of each split, and its hlogs. */
  private static void writePass(RunFolder f, int pass, Group g, String... splits) throws Exception {
    for (String split : splits) {
      for (String method : List.of("latency", "throughput")) {
        hlog(f, pass, g, method, split);
      }
    }
    Files.writeString(f.passResult(pass, g), StoppingRuleTest.resultsOf(List.of(splits)));
  }

  private static Path hlog(RunFolder f, int pass, Group g, String method, String split)
      throws Exception {
    Map<String, String> params =
        Map.of(
            "model", g.model(),
            "transport", g.transport(),
            "link", g.link(),
            "split", split,
            "tail", "shared");
    Path file =
        f.passHlogDir(pass)
            .resolve(
                HlogFileName.ofBenchmark(
                    "io.paretopipe.benchmarks.PartitionBenchmark." + method, params));
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#[histogram log]");
    return file;
  }
}
