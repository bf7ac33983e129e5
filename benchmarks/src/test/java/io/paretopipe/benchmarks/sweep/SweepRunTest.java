package io.paretopipe.benchmarks.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.benchmarks.sweep.SweepPlan.Group;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the sweep for real in a child JVM (its points run in that JVM, forks 0, as {@code quick}
 * does): two passes over split 15 of nio (through the shared stage server) and local, killed in the
 * second pass, then {@code --resume}, which must redo exactly what was lost.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SweepRunTest {

  private static final Group NIO = new Group("mobilenetv2", "nio", "none");
  private static final Group LOCAL = new Group("mobilenetv2", "local", "none");

  @Test
  void interleavedPassesSurviveAKillAndTheResumeRedoesOnlyWhatWasLost(@TempDir Path out)
      throws Exception {
    List<String> options =
        List.of(
            "--transports",
            "nio,local",
            "--splits",
            "15",
            "--max-passes",
            "2",
            "--budget",
            "none",
            "--no-unit-profile",
            "--no-report",
            "--verbose");
    // --verbose: every trial's line, so the kill below sees the third trial of pass 2
    // killed (as kill -9 does) while local's pass 2 runs: nio's pass 2 and local's throughput hlog
    // have landed, local's JSON has not
    List<String> args = new ArrayList<>(options);
    args.addAll(List.of("--out", out.toString()));
    Result killed = sweep(args, "[pass 2: 3 of 4]");
    assertTrue(killed.code != 0, killed.output);
    assertTrue(
        killed.output.contains("[pass 1: 1 of 4] mobilenetv2 split=15 nio link=none: throughput "),
        killed.output);
    Path run;
    try (Stream<Path> runs = Files.list(out)) {
      run = runs.findFirst().orElseThrow();
    }
    RunFolder folder = RunFolder.existing(run);
    assertFalse(Files.exists(folder.passResult(2, LOCAL)), killed.output);
    long serverPid =
        new ObjectMapper()
            .readTree(folder.metadataFile().toFile())
            .path("stage_servers")
            .path("nio")
            .path("pid")
            .asLong();
    Files.writeString(
        folder.jmh().resolve(".pass-002-mobilenetv2__local__none.json.tmp"), "[{\"bench");
    FileTime kept = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(folder.passResult(2, NIO), kept);

    List<String> resume = new ArrayList<>(options);
    resume.addAll(List.of("--resume", run.toString()));
    Result resumed = sweep(resume, null);
    assertEquals(0, resumed.code, resumed.output);
    assertTrue(resumed.output.contains("resuming: 3 group pass(es) kept"), resumed.output);
    assertTrue(resumed.output.contains("pass 2: 1 points (local 1)"), resumed.output);
    assertEquals(kept, Files.getLastModifiedTime(folder.passResult(2, NIO)), "nio pass 2 re-ran");
    try (Stream<Path> files = Files.list(folder.jmh())) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")));
    }
    for (int pass = 1; pass <= 2; pass++) {
      for (Group g : List.of(NIO, LOCAL)) {
        assertEquals(
            java.util.Set.of("latency 15", "throughput 15"),
            RunFolder.resultKeys(folder.passResult(pass, g)),
            "pass " + pass + " of " + g);
      }
      try (Stream<Path> hlogs = Files.list(folder.passHlogDir(pass))) {
        List<String> names = hlogs.map(h -> h.getFileName().toString()).sorted().toList();
        assertEquals(4, names.size(), names.toString());
        assertTrue(
            names.stream()
                .filter(n -> n.contains("transport=nio"))
                .allMatch(n -> n.contains("tail=shared")),
            names.toString());
      }
    }
    JsonNode metadata = new ObjectMapper().readTree(folder.metadataFile().toFile());
    assertEquals(1, metadata.path("resumed_at").size());
    JsonNode sweep = metadata.path("sweep");
    assertEquals(4, sweep.path("passes").size());
    JsonNode status = sweep.path("point_status");
    assertEquals(2, status.size());
    for (JsonNode p : status) {
      assertEquals(2, p.path("passes").asInt(), p.toString());
      assertEquals("passes", p.path("stopped").asText(), p.toString());
    }
    JsonNode lastLocal = sweep.path("passes").get(3);
    assertEquals("local", lastLocal.path("transport").asText());
    assertEquals(2, lastLocal.path("trials").size());
    assertTrue(lastLocal.path("trials").get(1).path("ok").asBoolean());
    assertEquals("shared", metadata.path("stage_servers").path("nio").path("tail_param").asText());
    assertEquals(
        new ObjectMapper().readTree("{\"nio\": \"none\"}"), sweep.get("stage_jvm_options"));
    for (long pid :
        new long[] {serverPid, metadata.path("stage_servers").path("nio").path("pid").asLong()}) {
      assertFalse(
          ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
          "stage server " + pid + " outlived its sweep");
    }
  }

  @Test
  void aGroupWarmupRunsBeforeTheFirstPassAndNothingOfItIsMeasured(@TempDir Path out)
      throws Exception {
    Result r =
        sweep(
            List.of(
                "--transports",
                "nio",
                "--splits",
                "15,3",
                "--max-passes",
                "1",
                "--budget",
                "none",
                "--no-unit-profile",
                "--no-report",
                "--group-warmup",
                "1s",
                "--out",
                out.toString()),
            null);
    assertEquals(0, r.code, r.output);
    int warmup = r.output.indexOf("warm-up of mobilenetv2 nio none: splits 3 and 15, 1.0 s each");
    assertTrue(warmup >= 0, r.output);
    assertTrue(warmup < r.output.indexOf("[pass 1: 1 of 4]"), r.output);
    Path run;
    try (Stream<Path> runs = Files.list(out)) {
      run = runs.findFirst().orElseThrow();
    }
    RunFolder folder = RunFolder.existing(run);
    assertEquals(
        java.util.Set.of("throughput 3", "throughput 15"),
        RunFolder.resultKeys(folder.warmupDir(NIO).resolve("warmup.json")));
    try (Stream<Path> files = Files.list(folder.jmh())) {
      assertEquals(
          List.of("pass-001-mobilenetv2__nio__none.json"),
          files.map(f -> f.getFileName().toString()).toList());
    }
    assertEquals(
        java.util.Set.of("latency 3", "latency 15", "throughput 3", "throughput 15"),
        RunFolder.resultKeys(folder.passResult(1, NIO)));
    try (Stream<Path> hlogs = Files.list(folder.passHlogDir(1))) {
      assertEquals(4, hlogs.count());
    }
  }

  private record Result(int code, String output) {}

  /**
   * Runs the sweep; with {@code killAt}, kills it (as kill -9 does) once its output contains that
   * text.
   */
  private static Result sweep(List<String> args, String killAt) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("java.class.path"),
                Sweep.class.getName()));
    command.addAll(args);
    Path log = Files.createTempFile("sweep-run-", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("MALLOC_MMAP_MAX_", "0");
    env.put("MALLOC_TRIM_THRESHOLD_", "17179869184");
    env.put("MALLOC_TOP_PAD_", "536870912");
    Process p = pb.start();
    try {
      if (killAt != null) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (p.isAlive() && !Files.readString(log).contains(killAt)) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("never saw '" + killAt + "': " + Files.readString(log));
          }
          Thread.sleep(100);
        }
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      if (!p.waitFor(150, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("the sweep did not end: " + Files.readString(log));
      }
      return new Result(p.exitValue(), Files.readString(log));
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }
}
