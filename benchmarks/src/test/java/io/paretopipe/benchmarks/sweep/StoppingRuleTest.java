package io.paretopipe.benchmarks.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.benchmarks.sweep.StoppingRule.StopReason;
import io.paretopipe.benchmarks.sweep.SweepPlan.Group;
import io.paretopipe.benchmarks.sweep.SweepPlan.Point;
import io.paretopipe.benchmarks.sweep.SweepState.GroupPass;
import io.paretopipe.benchmarks.sweep.SweepState.Trial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stopping rule against a stub {@code frontier.json} in the documented shape (the
 * post-processor's real output is tested in reports), and the state a resumed sweep restores.
 */
class StoppingRuleTest {

  private static final Group NIO = new Group("mobilenetv2", "nio", "none");
  private static final List<String> SPLITS = List.of("0", "1", "2", "3", "4");
  private static final SweepPlan PLAN =
      SweepPlan.ofPoints(
          SPLITS.stream().map(s -> new Point("mobilenetv2", "nio", "none", s)).toList());
  private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

  /**
   * Split 0 on the frontier and converged, 1 possible, 2 dominated, 3 possible but converged, 4 has
   * no verdict; plus a point of batch 16 that must be ignored.
   */
  private static final String FRONTIER =
      "{\"format\":\"paretopipe-frontier\",\"version\":2,\"groups\":[{\"model\":\"mobilenetv2\","
          + "\"transport\":\"nio\",\"link\":\"none\",\"batch\":8,\"variant\":\"\",\"points\":["
          + point("0", "frontier", 0.99, true)
          + ","
          + point("1", "possible", 0.4, false)
          + ","
          + point("2", "dominated", 0.01, false)
          + ","
          + point("3", "possible", 0.2, true)
          + "]},{\"model\":\"mobilenetv2\",\"transport\":\"nio\",\"link\":\"none\",\"batch\":16,"
          + "\"variant\":\"\",\"points\":["
          + point("1", "dominated", 0.0, true)
          + "]}]}";

  private static String point(String split, String cls, double p, boolean converged) {
    return "{\"split\":\""
        + split
        + "\",\"depth\":\"4\",\"frontier_class\":\""
        + cls
        + "\",\"frontier_probability\":"
        + p
        + ",\"converged\":"
        + converged
        + "}";
  }

  @Test
  void dominatedAndConvergedPointsStopTheRestGoOn(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("frontier.json");
    Files.writeString(json, FRONTIER);
    FrontierVerdicts verdicts = FrontierVerdicts.read(json, 8);
    assertTrue(verdicts.supported());
    assertEquals(
        "possible", verdicts.of(new Point("mobilenetv2", "nio", "none", "1")).frontierClass());

    SweepState state = new SweepState(PLAN);
    state.record(pass(1, SPLITS, List.of()));
    state.record(pass(2, SPLITS, List.of()));
    Map<StopReason, Integer> stopped = state.decide(2, verdicts, T0, 3.5, "passes/after-pass-002");

    assertEquals(Map.of(StopReason.DOMINATED, 1, StopReason.CONVERGED, 2), stopped);
    assertEquals(List.of("1", "4"), state.activeSplits(NIO));
    assertEquals(StopReason.CONVERGED, state.point(p("0")).stopped);
    assertEquals(StopReason.DOMINATED, state.point(p("2")).stopped);
    assertEquals(2, state.point(p("2")).stoppedAfterPass);
    assertEquals(2, state.lastDecidedPass());

    state.stopAll(StopReason.BUDGET, 3);
    assertEquals(StopReason.BUDGET, state.point(p("1")).stopped);
    assertEquals(StopReason.CONVERGED, state.point(p("0")).stopped, "a stop reason is final");
  }

  @Test
  void aGrpcGroupsTuningNamesItsPoints(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("frontier.json");
    String group =
        "{\"model\":\"mobilenetv2\",\"transport\":\"grpc\",\"link\":\"none\",\"batch\":8,"
            + "\"variant\":\"%s\",\"points\":[%s]}";
    Files.writeString(
        json,
        "{\"format\":\"paretopipe-frontier\",\"version\":2,\"groups\":["
            + String.format(group, "", point("1", "dominated", 0.0, false))
            + ","
            + String.format(
                group, "grpcTuning=tuned;headThreads=1", point("1", "frontier", 1.0, true))
            + "]}");
    FrontierVerdicts verdicts = FrontierVerdicts.read(json, 8);
    assertEquals(
        "dominated", verdicts.of(new Point("mobilenetv2", "grpc", "none", "1")).frontierClass());
    assertEquals(
        "frontier",
        verdicts.of(new Point("mobilenetv2", "grpc@tuned", "none", "1")).frontierClass());
  }

  @Test
  void aReportWithoutClassesStopsNothing(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("frontier.json");
    Files.writeString(
        json,
        "{\"format\":\"paretopipe-frontier\",\"version\":1,\"groups\":[{\"model\":\"mobilenetv2\","
            + "\"transport\":\"nio\",\"link\":\"none\",\"batch\":8,\"points\":[{\"split\":\"2\","
            + "\"on_frontier\":false}]}]}");
    FrontierVerdicts verdicts = FrontierVerdicts.read(json, 8);
    assertFalse(verdicts.supported());
    SweepState state = new SweepState(PLAN);
    state.record(pass(1, SPLITS, List.of()));
    assertEquals(Map.of(), state.decide(1, verdicts, T0, 1, "r"));
    assertEquals(5, state.activeCount());

    Files.writeString(json, "{\"format\":\"paretopipe-compare\"}");
    assertThrows(IllegalArgumentException.class, () -> FrontierVerdicts.read(json, 8));
  }

  @Test
  void aPointIsNeverStoppedBeforeItWasMeasuredAndStopsAfterTwoFailedPasses(@TempDir Path dir)
      throws Exception {
    Path json = dir.resolve("frontier.json");
    Files.writeString(json, FRONTIER);
    SweepState state = new SweepState(PLAN);
    state.record(pass(1, SPLITS, List.of("2")));
    state.decide(1, FrontierVerdicts.read(json, 8), T0, 1, "r");
    assertTrue(state.point(p("2")).active(), "dominated by a report, but never measured");
    assertEquals(1, state.failures().size());
    assertTrue(
        state
            .failures()
            .get(0)
            .startsWith("mobilenetv2 split=2 nio link=none latency in pass 1: "));

    state.record(pass(2, List.of("1", "2", "4"), List.of("2")));
    assertEquals(StopReason.FAILED, state.point(p("2")).stopped);
    assertEquals(2, state.point(p("1")).passes);
    assertEquals(0, state.point(p("2")).passes);
  }

  @Test
  void theMetadataRecordRestoresTheSameStateForAResume(@TempDir Path dir) throws Exception {
    RunFolder folder = RunFolder.create(dir, T0);
    Path json = dir.resolve("frontier.json");
    Files.writeString(json, FRONTIER);
    SweepState state = new SweepState(PLAN);
    state.record(pass(1, SPLITS, List.of()));
    state.record(pass(2, SPLITS, List.of()));
    state.decide(2, FrontierVerdicts.read(json, 8), T0, 2, "passes/after-pass-002");
    state.record(pass(3, List.of("1", "4"), List.of()));
    ObjectNode sweep = new ObjectMapper().createObjectNode();
    SweepRecord.writeInto(state, sweep, folder, 321.44);
    JsonNode status = sweep.path("point_status").get(2);
    assertEquals("dominated", status.path("stopped").asText());
    assertEquals(0.01, status.path("frontier_probability").asDouble());
    assertEquals(321.4, sweep.path("spent_seconds").asDouble());
    assertEquals(
        "jmh/pass-003-mobilenetv2__nio__none.json",
        sweep.path("passes").get(2).path("result").asText());
    assertTrue(sweep.path("point_status").get(4).path("stopped").isNull());

    // passes 1-3 landed; a 4th landed after the last metadata write (recovered from its JSON)
    for (int pass = 1; pass <= 4; pass++) {
      Files.writeString(
          folder.passResult(pass, NIO), resultsOf(pass == 4 ? List.of("4") : List.of("1")));
    }
    SweepState restored =
        SweepRecord.restore(
            PLAN,
            new ObjectMapper().readTree(sweep.toString()),
            Map.of(NIO, new TreeSet<>(List.of(1, 2, 3, 4))),
            folder);
    assertEquals(321.44, restored.spentBeforeSeconds(), 0.1);
    assertEquals(2, restored.lastDecidedPass());
    assertEquals(List.of("1", "4"), restored.activeSplits(NIO));
    assertEquals(3, restored.point(p("1")).passes);
    assertEquals(4, restored.point(p("4")).passes);
    assertEquals(StopReason.DOMINATED, restored.point(p("2")).stopped);
    assertEquals(4, restored.passes().size());
    assertEquals(List.of("4"), restored.passes().get(3).splits());

    ObjectNode other = sweep.deepCopy();
    ((ObjectNode) other.path("point_status").get(0)).put("split", "19");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SweepRecord.restore(PLAN, other, Map.of(NIO, new TreeSet<>()), folder));
    assertTrue(e.getMessage().contains("split=19"), e.getMessage());
  }

  private static Point p(String split) {
    return new Point("mobilenetv2", "nio", "none", split);
  }

  /** A pass over {@code splits}; the latency trials of {@code failing} fail. */
  static GroupPass pass(int pass, List<String> splits, List<String> failing) {
    List<Trial> trials = new ArrayList<>();
    Instant start = T0.plusSeconds(100L * pass);
    for (String method : List.of("latency", "throughput")) {
      for (String s : splits) {
        boolean ok = !(method.equals("latency") && failing.contains(s));
        trials.add(
            new Trial(
                s,
                method,
                start,
                start.plusSeconds(2),
                ok,
                ok ? 120.0 : null,
                ok ? "ms/op" : null,
                ok ? null : "connection refused"));
      }
    }
    return new GroupPass(pass, NIO, splits, start, start.plusSeconds(4L * splits.size()), trials);
  }

  /** A pass's JMH JSON: both methods of each split, as JMH names them. */
  static String resultsOf(List<String> splits) {
    StringBuilder b = new StringBuilder("[");
    for (String s : splits) {
      for (String m : List.of("latency", "throughput")) {
        b.append(b.length() > 1 ? "," : "")
            .append("{\"benchmark\":\"io.paretopipe.benchmarks.PartitionBenchmark.")
            .append(m)
            .append("\",\"params\":{\"split\":\"")
            .append(s)
            .append("\"},\"primaryMetric\":{\"score\":1.0}}");
      }
    }
    return b.append("]").toString();
  }

  @Test
  void noVerdictNoStop() {
    assertTrue(StoppingRule.decide(null).isEmpty());
    assertTrue(StoppingRule.decide(new FrontierVerdicts.Verdict(null, null, null)).isEmpty());
    assertNull(
        StoppingRule.decide(new FrontierVerdicts.Verdict("frontier", 0.97, false)).orElse(null));
    assertEquals(
        StopReason.DOMINATED,
        StoppingRule.decide(new FrontierVerdicts.Verdict("dominated", 0.02, true)).orElseThrow());
  }
}
