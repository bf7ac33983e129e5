package io.paretopipe.reports.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.reports.cli.ExitCodes;
import io.paretopipe.reports.fixtures.CliRunner;
import io.paretopipe.reports.fixtures.RunFolderGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compare} names the configuration settings of {@code run-metadata.json} that differ between
 * the runs (stdout, {@code compare.md}, {@code compare.html}, {@code compare.json}'s {@code
 * config_differences}), says nothing when they are equal or unknown, and keeps its exit code about
 * the verdicts.
 */
class CompareConfigurationTest {
  private static final String C1 = "-XX:TieredStopAtLevel=1";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void differingStageJvmOptionsAndTailQuotaAreNamedInOneLineAndInCompareJson() throws Exception {
    Path base = run("base", 2, sweep("none", null, 1));
    Path current = run("current", 3, sweep(C1, 50, 2));
    String line =
        "configuration differs: sweep.stage_jvm_options.nio: none -> -XX:TieredStopAtLevel=1;"
            + " tail_cpu_quota_percent: none -> 50";

    Path out = tmp.resolve("cmp");
    var o = CliRunner.run("compare", base.toString(), current.toString(), "--out", out.toString());
    assertEquals(ExitCodes.OK, o.code(), "a configuration difference is no regression: " + o.out());
    List<String> stdout = o.out().lines().toList();
    assertTrue(stdout.get(0).startsWith("OK: no result significantly worse"), o.out());
    assertEquals(line, stdout.get(1), o.out());
    assertEquals(1, stdout.stream().filter(l -> l.startsWith("configuration")).count(), o.out());
    assertEquals("", o.err());
    assertEquals(
        JSON.readTree(
            "[{\"key\": \"sweep.stage_jvm_options.nio\", \"base\": \"none\","
                + " \"new\": \"-XX:TieredStopAtLevel=1\"},"
                + " {\"key\": \"tail_cpu_quota_percent\", \"base\": \"none\", \"new\": \"50\"}]"),
        compareJson(out).get("config_differences"));
    String md = Files.readString(out.resolve("compare.md"));
    assertTrue(md.contains("\n\n" + line + "\n\n"), md);
    assertTrue(md.indexOf(line) < md.indexOf("**OK:"), "after the header, before the verdict");
    assertTrue(
        Files.readString(out.resolve("compare.html"))
            .contains(
                "<p>configuration differs: sweep.stage_jvm_options.nio: none -&gt;"
                    + " -XX:TieredStopAtLevel=1; tail_cpu_quota_percent: none -&gt; 50</p>"));

    var markdown = CliRunner.run("compare", base.toString(), current.toString());
    assertEquals(ExitCodes.OK, markdown.code(), markdown.out());
    assertTrue(markdown.out().lines().anyMatch(line::equals), markdown.out());
  }

  @Test
  void aRegressionUnderAnotherConfigurationStillExits1AndSaysSo() throws Exception {
    Path base = run("base", 11, sweep("none", null, 1));
    Path slow = tmp.resolve("slow");
    new RunFolderGenerator(12)
        .optHlogs(false)
        .optLinks("none")
        .optSlowdown(3, 1.2)
        .optMetadata(sweep(C1, null, 2))
        .write(slow);
    var o =
        CliRunner.run("compare", base.toString(), slow.toString(), "--out", "" + tmp.resolve("o"));
    assertEquals(ExitCodes.REGRESSION, o.code(), o.out() + o.err());
    List<String> stdout = o.out().lines().toList();
    assertTrue(stdout.get(0).startsWith("REGRESSION: 2 of 13 results"), o.out());
    assertEquals(
        "configuration differs: sweep.stage_jvm_options.nio: none -> -XX:TieredStopAtLevel=1",
        stdout.get(1));
  }

  @Test
  void identicalConfigurationsSayNothingAndGiveAnEmptyList() throws Exception {
    Path base = run("base", 2, sweep(C1, 50, 1));
    Path current = run("current", 3, sweep(C1, 50, 2));
    Path out = tmp.resolve("cmp");
    var o = CliRunner.run("compare", base.toString(), current.toString(), "--out", out.toString());
    assertEquals(ExitCodes.OK, o.code(), o.out() + o.err());
    assertFalse(o.out().contains("configuration"), "times, commit, host name, passes: " + o.out());
    JsonNode differences = compareJson(out).get("config_differences");
    assertTrue(differences.isArray() && differences.isEmpty(), differences.toString());
    assertFalse(Files.readString(out.resolve("compare.md")).contains("configuration differs"));
    assertFalse(Files.readString(out.resolve("compare.html")).contains("configuration differs"));
  }

  @Test
  void aKeyTheOlderRunDidNotRecordIsShownAsNotRecorded() throws Exception {
    Path old = run("old", 2, sweep(null, null, 1));
    Path current = run("current", 3, sweep(C1, null, 2));
    Path out = tmp.resolve("cmp");
    var o = CliRunner.run("compare", old.toString(), current.toString(), "--out", out.toString());
    assertEquals(ExitCodes.OK, o.code(), o.out() + o.err());
    assertEquals(
        "configuration differs: sweep.stage_jvm_options.nio: (not recorded) ->"
            + " -XX:TieredStopAtLevel=1",
        o.out().lines().toList().get(1));
    assertEquals(
        JSON.readTree(
            "[{\"key\": \"sweep.stage_jvm_options.nio\", \"base\": null,"
                + " \"new\": \"-XX:TieredStopAtLevel=1\"}]"),
        compareJson(out).get("config_differences"));
  }

  @Test
  void bareJmhJsonFilesHaveNoConfigurationToCompare() throws Exception {
    Path base = run("base", 2, sweep("none", null, 1));
    Path current = run("current", 3, sweep(C1, 50, 2));
    Path out = tmp.resolve("cmp");
    var o =
        CliRunner.run(
            "compare",
            base.resolve("jmh/results.json").toString(),
            current.resolve("jmh/results.json").toString(),
            "--out",
            out.toString());
    assertEquals(ExitCodes.OK, o.code(), o.out() + o.err());
    assertFalse(o.out().contains("configuration"), o.out());
    assertTrue(compareJson(out).get("config_differences").isNull(), "not compared");
  }

  @Test
  void aHistoryNamesWhatTheNewestRunChangedAgainstItsWindow() throws Exception {
    Path history = Files.createDirectories(tmp.resolve("history"));
    run(history, "2026-12-01T01-00-00Z", 101, sweep("none", null, 1));
    run(history, "2026-12-02T01-00-00Z", 102, sweep(C1, null, 2));
    run(history, "2026-12-03T01-00-00Z", 103, sweep(C1, 50, 3));
    var o = CliRunner.run("compare", "--history", history.toString());
    assertTrue(
        o.out()
            .lines()
            .anyMatch(
                ("configuration differs: sweep.stage_jvm_options.nio: none | -XX:TieredStopAtLevel=1"
                        + " -> -XX:TieredStopAtLevel=1; tail_cpu_quota_percent: none -> 50")
                    ::equals),
        o.out());
    var last = CliRunner.run("compare", "--history", history.toString(), "--window", "1");
    assertTrue(
        last.out()
            .lines()
            .anyMatch("configuration differs: tail_cpu_quota_percent: none -> 50"::equals),
        last.out());
  }

  @Test
  void unreadableMetadataIsAWarningAndNotCompared() throws Exception {
    Path base = run("base", 2, sweep("none", null, 1));
    Path current = run("current", 3, sweep(C1, 50, 2));
    Files.writeString(current.resolve("run-metadata.json"), "{");
    var o = CliRunner.run("compare", base.toString(), current.toString());
    assertEquals(ExitCodes.OK, o.code(), o.out() + o.err());
    assertTrue(
        o.err()
            .startsWith(
                "warning: " + current.resolve("run-metadata.json") + ": not JSON: Unexpected end"),
        o.err());
    assertTrue(o.err().strip().endsWith(": its configuration is not compared"), o.err());
    assertFalse(o.out().contains("configuration differs"), o.out());
  }

  private Path run(String name, long seed, Consumer<ObjectNode> metadata) throws IOException {
    return run(tmp, name, seed, metadata);
  }

  private static Path run(Path parent, String name, long seed, Consumer<ObjectNode> metadata)
      throws IOException {
    Path dir = parent.resolve(name);
    new RunFolderGenerator(seed).optHlogs(false).optLinks("none").optMetadata(metadata).write(dir);
    return dir;
  }

  private static JsonNode compareJson(Path out) throws IOException {
    JsonNode json = JSON.readTree(out.resolve("compare.json").toFile());
    assertEquals("paretopipe-compare", json.get("format").asText());
    return json;
  }

  /**
   * The keys the sweep writes (benchmarks' {@code RunMetadata}), as in a real run folder: the same
   * configuration in every night but the stage servers' JVM options of nio ({@code null}: not
   * recorded, as before they were) and the tail CPU quota; times, commit, host name, memory, passes
   * and stage server addresses differ every night.
   */
  private static Consumer<ObjectNode> sweep(String nioJvmOptions, Integer tailQuota, int night) {
    return m -> {
      m.put("format", "paretopipe-run-metadata");
      m.put("version", 1);
      m.put("start_time", "2026-12-0" + night + "T01:00:00Z");
      ObjectNode machine = m.putObject("machine");
      machine.put("hostname", "vm-" + night);
      machine.put("os", "Linux 6.18.44-fc-v1272");
      machine.put("arch", "amd64");
      machine.put("cpus", 2);
      machine.put("cpu_model", "AMD EPYC");
      machine.put("memory", (24683656 + 64 * night) + " kB");
      machine.put("cpu_quota", "none");
      ObjectNode jvm = m.putObject("jvm");
      jvm.put("version", "17.0.15");
      jvm.put("vendor", "Debian");
      jvm.put("vm", "OpenJDK 64-Bit Server VM 17.0.15+6-Debian-1deb12u1");
      jvm.put("max_heap_bytes", 2147483648L);
      m.put("engine", "DJL 0.36.0 / PyTorch 2.7.1");
      ObjectNode allocator = m.putObject("allocator");
      allocator.put("MALLOC_MMAP_MAX_", "0");
      allocator.put("LD_PRELOAD", "");
      allocator.put("tuned", true);
      m.put("git_commit", "0e01402df78ff245303d2298ac2266e91d49900" + night);
      ObjectNode sweep = m.putObject("sweep");
      sweep.put("setting", "quick");
      sweep.put("energy", "off");
      sweep.put("stage_dispatch", "run-to-completion");
      if (nioJvmOptions != null) {
        sweep.putObject("stage_jvm_options").put("nio", nioJvmOptions);
      }
      sweep.put("forks", 0);
      sweep.put("budget_seconds", 240);
      sweep.put("warmup", "3 requests");
      sweep.put("measurement", "1 x 1 s per pass");
      sweep.put("spent_seconds", 120.0 + night);
      ArrayNode passes = sweep.putArray("passes");
      for (int p = 1; p <= night; p++) {
        passes.addObject().put("pass", p).put("start", "2026-12-0" + night + "T01:0" + p + ":00Z");
      }
      m.putObject("threads").put("head", 1).put("tail", 1);
      m.putObject("cpus").put("head", "0").put("tail", "1");
      m.putObject("devices").put("head", "none").put("tail", "none");
      if (tailQuota == null) {
        m.putNull("tail_cpu_quota_percent");
      } else {
        m.put("tail_cpu_quota_percent", tailQuota);
      }
      m.putObject("stage_servers")
          .putObject("nio")
          .put("address", "127.0.0.1:" + (39000 + night))
          .put("pid", 23000 + night);
      m.put("end_time", "2026-12-0" + night + "T01:20:00Z");
    };
  }
}
