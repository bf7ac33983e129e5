package io.paretopipe.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.format.CostComments;
import io.paretopipe.format.HlogFileName;
import io.paretopipe.format.Phase;
import io.paretopipe.harness.placement.CpuSet;
import io.paretopipe.models.CutTable;
import io.paretopipe.models.ModelCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link PartitionBenchmark} for real through JMH's Runner API (a forked JVM, a spawned stage
 * server, nio over loopback) with tiny settings, failing on any error, and checks the JMH results
 * and the hlog files the trial wrote.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PartitionBenchmarkSmokeTest {

  private static final String SPLIT = "15";

  @Test
  void bothMethodsMeasureOneSplitOverNio(@TempDir Path dir) throws Exception {
    Path hlogDir = dir.resolve("hlog");
    Collection<RunResult> results =
        new Runner(
                tiny(hlogDir)
                    .include(
                        "^"
                            + PartitionBenchmark.class.getName().replace(".", "\\.")
                            + "\\.(latency|throughput)$")
                    .param("split", SPLIT)
                    .param("transport", "nio")
                    .build())
            .run();

    assertEquals(2, results.size());
    Map<String, RunResult> byMethod = new HashMap<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      byMethod.put(name.substring(name.lastIndexOf('.') + 1), r);
      assertEquals(SPLIT, r.getParams().getParam("split"));
      assertEquals("nio", r.getParams().getParam("transport"));
      assertTrue(
          r.getPrimaryResult().getScore() > 0, name + " score " + r.getPrimaryResult().getScore());
    }
    RunResult latency = byMethod.get("latency");
    RunResult throughput = byMethod.get("throughput");
    assertEquals("ms/op", latency.getPrimaryResult().getScoreUnit());
    assertEquals("ops/s", throughput.getPrimaryResult().getScoreUnit());
    double images = throughput.getSecondaryResults().get("images").getScore();
    assertEquals(8 * throughput.getPrimaryResult().getScore(), images, 1e-6 * images);

    long cutBytes =
        CutTable.of(ModelCatalog.define("mobilenetv2"), 8)
            .cuts()
            .get(Integer.parseInt(SPLIT))
            .bytes();
    for (RunResult r : results) {
      Map<String, String> params = new LinkedHashMap<>();
      for (String k : r.getParams().getParamsKeys()) {
        params.put(k, r.getParams().getParam(k));
      }
      params.keySet().removeAll(PartitionBenchmark.SCENARIO_PARAMS);
      assertEquals("default", params.remove(PartitionBenchmark.GRPC_TUNING_PARAM));
      assertEquals(
          params, PartitionBenchmark.hlogParams(r.getParams()), "named as before the params");
      Path hlog = hlogDir.resolve(HlogFileName.ofBenchmark(r.getParams().getBenchmark(), params));
      assertTrue(Files.isRegularFile(hlog), "missing " + hlog + "; have " + list(hlogDir));
      Map<String, String> comments = comments(hlog);
      assertEquals(Long.toString(cutBytes), comments.get("bytes_per_request"));
      assertEquals(SPLIT, comments.get("split"));
      String head = comments.get("head_cpus_allowed");
      String tail = comments.get("tail_cpus_allowed");
      if (CpuSet.cpus(CpuList.current()).size() >= 2) {
        assertFalse(tail.isEmpty(), "no tail CPUs recorded");
        assertNotEquals(head, tail, "head and tail ran on the same CPUs");
      }
      for (String pid : comments.get("tail_pids").split("/")) {
        assertFalse(
            ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false),
            "stage server " + pid + " survived the run");
      }
      Map<String, Long> counts = tagCounts(hlog);
      for (Phase p : Phase.values()) {
        assertTrue(
            counts.getOrDefault(p.tag(), 0L) > 0,
            "no " + p.tag() + " values in " + hlog.getFileName());
      }
      assertEquals(counts.get("e2e"), counts.get("tail_compute"));
      assertEquals(
          Long.toString(8 * counts.get("e2e")),
          comments.get(CostComments.IMAGES),
          "the cost window holds every recorded request's images");
      double headCpu = Double.parseDouble(comments.get(CostComments.cpuKey("head")));
      double tailCpu = Double.parseDouble(comments.get(CostComments.cpuKey("stage1")));
      double totalCpu = Double.parseDouble(comments.get(CostComments.cpuKey("total")));
      assertTrue(headCpu > 0 && tailCpu > 0, comments.toString());
      assertEquals(headCpu + tailCpu, totalCpu, 1e-4 * totalCpu);
      assertEquals("estimated", comments.get(CostComments.ENERGY_LABEL));
      assertEquals("model", comments.get(CostComments.ENERGY_TIER));
      double joules = Double.parseDouble(comments.get(CostComments.ENERGY_J_PER_IMAGE));
      assertEquals(
          Double.parseDouble(comments.get(CostComments.energyPartKey("head")))
              + Double.parseDouble(comments.get(CostComments.energyPartKey("stage1"))),
          joules,
          1e-4 * joules);
      // the link's energy, apart: (cut tensor out + 10 logits back) per image x Pi 4 at both ends
      assertEquals("estimated", comments.get(CostComments.ENERGY_LINK_LABEL));
      double linkBytesPerImage = (cutBytes + 8 * 10 * Float.BYTES) / 8.0;
      assertEquals(
          linkBytesPerImage * 2 * 3.85e-8,
          Double.parseDouble(comments.get(CostComments.ENERGY_LINK_J_PER_IMAGE)),
          1e-5 * linkBytesPerImage * 2 * 3.85e-8);
      assertEquals(
          1,
          e2eIntervals(hlog),
          "one interval per measured iteration (the requests in flight at the end included)");
    }
  }

  /**
   * {@code -p scenario=server}: throughput releases on a seeded Poisson schedule; the trial writes
   * its verdict and raw log instead of an hlog.
   */
  @Test
  void serverScenarioWritesItsVerdictAndRawLog(@TempDir Path dir) throws Exception {
    Path hlogDir = dir.resolve("hlog");
    Collection<RunResult> results =
        new Runner(
                tiny(hlogDir)
                    .include(
                        "^"
                            + PartitionBenchmark.class.getName().replace(".", "\\.")
                            + "\\.throughput$")
                    .param("split", SPLIT)
                    .param("transport", "nio")
                    .param("batch", "1")
                    .param("scenario", "server")
                    .param("rate", "20/s")
                    .param("slo", "p90:2s")
                    .build())
            .run();
    assertEquals(1, results.size());
    List<String> files = list(hlogDir);
    assertTrue(files.stream().noneMatch(f -> f.endsWith(".hlog")), files.toString());
    Path json =
        hlogDir.resolve(
            files.stream().filter(f -> f.endsWith(".server.json")).findFirst().orElseThrow());
    com.fasterxml.jackson.databind.JsonNode root =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
    assertEquals(1, root.path("format_version").asInt());
    assertEquals("poisson", root.path("run").path("arrival").asText());
    assertEquals(20.0, root.path("run").path("rate_per_s").asDouble(), 1e-9);
    long scheduled = root.path("run").path("scheduled").asLong();
    assertTrue(scheduled > 0, "scheduled " + scheduled);
    assertEquals("p90=2000ms", root.path("verdict").path("slo").asText());
    assertEquals(scheduled, root.path("verdict").path("scheduled").asLong());
    String raw = json.getFileName().toString().replace(".server.json", ".server.raw.csv");
    assertEquals(scheduled + 1, Files.readAllLines(hlogDir.resolve(raw)).size());
  }

  /** One fork, no warm-up, one 2 s iteration, failing on error, hlogs to {@code hlogDir}. */
  private static org.openjdk.jmh.runner.options.ChainedOptionsBuilder tiny(Path hlogDir) {
    return new OptionsBuilder()
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.seconds(2))
        .forks(1)
        .shouldFailOnError(true)
        .jvmArgsAppend(
            "-Xmx1g",
            "-Dai.djl.offline=true",
            "-D" + PartitionBenchmark.HLOG_DIR_PROPERTY + "=" + hlogDir,
            "-D" + PartitionFixture.ENERGY_PROPERTY + "=model:pi4")
        .verbosity(VerboseMode.SILENT);
  }

  private static Map<String, String> comments(Path hlog) throws Exception {
    Map<String, String> c = new HashMap<>();
    for (String line : Files.readAllLines(hlog)) {
      if (line.startsWith("#paretopipe.")) {
        String kv = line.substring("#paretopipe.".length());
        c.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    return c;
  }

  private static Map<String, Long> tagCounts(Path hlog) throws Exception {
    Map<String, Long> counts = new HashMap<>();
    HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
    try {
      EncodableHistogram h;
      while ((h = reader.nextIntervalHistogram()) != null) {
        counts.merge(h.getTag(), ((org.HdrHistogram.Histogram) h).getTotalCount(), Long::sum);
      }
    } finally {
      reader.close();
    }
    return counts;
  }

  private static int e2eIntervals(Path hlog) throws Exception {
    int n = 0;
    HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
    try {
      EncodableHistogram h;
      while ((h = reader.nextIntervalHistogram()) != null) {
        n += "e2e".equals(h.getTag()) ? 1 : 0;
      }
    } finally {
      reader.close();
    }
    return n;
  }

  private static List<String> list(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }

  /** This JVM's allowed CPUs. */
  static final class CpuList {
    static String current() {
      return io.paretopipe.harness.placement.CpuAffinity.allowedCpus(ProcessHandle.current().pid());
    }
  }
}
