package io.paretopipe.benchmarks.sweep;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.models.Engines;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server sweep's guards: the head's allocator and the closed-loop warm-up. */
class ServerSweepTest {

  @Test
  void anUntunedHeadAllocatorIsRefusedNamingEachVariableAndHowToSetIt() {
    Map<String, String> env = new HashMap<>(Engines.RECOMMENDED_ALLOCATOR_ENV);
    env.remove("MALLOC_TOP_PAD_");
    env.put("MALLOC_MMAP_MAX_", "65536");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> ServerSweep.checkAllocator(env));
    assertTrue(e.getMessage().contains("MALLOC_MMAP_MAX_ is 65536"), e.getMessage());
    assertTrue(e.getMessage().contains("MALLOC_TOP_PAD_ is unset"), e.getMessage());
    assertFalse(e.getMessage().contains("MALLOC_TRIM_THRESHOLD_ is"), e.getMessage());
    assertTrue(
        e.getMessage()
            .contains(
                "env MALLOC_MMAP_MAX_=0 MALLOC_TOP_PAD_=536870912"
                    + " MALLOC_TRIM_THRESHOLD_=17179869184 java"),
        e.getMessage());
    assertTrue(e.getMessage().contains("mvn -Pbench verify"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> ServerSweep.checkAllocator(Map.of()));
  }

  @Test
  void theStatedIntervalWidensTheBracketByTheSpeedDriftEitherWay() {
    // split 15, searches a and b of 2026-12-06 (docs/runs/2026-12-06-server-repro): disjoint
    // brackets, each confirmed by its recheck, while the one-at-a-time rate moved 19% and 36%
    ObjectNode a = bracket(86.11, 92.26);
    ServerSweep.putStatedInterval(a, 49.2, 58.5);
    ObjectNode b = bracket(99.35, 110.39);
    ServerSweep.putStatedInterval(b, 60.2, 44.2);
    assertEquals(58.5 / 49.2, a.path("speed_drift").asDouble(), 1e-12);
    assertEquals(60.2 / 44.2, b.path("speed_drift").asDouble(), 1e-12);
    assertEquals(86.11 * 49.2 / 58.5, a.path("stated_peak_rate_per_s").asDouble(), 1e-9);
    assertEquals(110.39 * 60.2 / 44.2, b.path("stated_lowest_failing_rate_per_s").asDouble(), 1e-9);
    assertEquals("[72.42, 109.70)/s", ServerSweep.statedBracket(a));
    assertEquals("[72.94, 150.35)/s", ServerSweep.statedBracket(b));
    assertEquals(86.11, a.path("peak_rate_per_s").asDouble(), "the bracket itself is kept");
  }

  @Test
  void noDriftKeepsTheBracketAndUnknownsStayUnknown() {
    ObjectNode same = bracket(50, 55);
    ServerSweep.putStatedInterval(same, 20, 20);
    assertEquals(1.0, same.path("speed_drift").asDouble());
    assertEquals("[50.00, 55.00)/s", ServerSweep.statedBracket(same));
    ObjectNode open = new ObjectMapper().createObjectNode();
    open.put("peak_rate_per_s", 50.0);
    open.putNull("lowest_failing_rate_per_s");
    ServerSweep.putStatedInterval(open, 20, 25);
    assertEquals("[40.00, ?)/s", ServerSweep.statedBracket(open));
    ObjectNode broken = bracket(50, 55);
    ServerSweep.putStatedInterval(broken, Double.NaN, 25);
    assertTrue(broken.path("speed_drift").isNull());
    assertTrue(broken.path("stated_peak_rate_per_s").isNull());
    assertEquals("[?, ?)/s", ServerSweep.statedBracket(broken));
  }

  private static ObjectNode bracket(double peak, double lowestFailing) {
    ObjectNode point = new ObjectMapper().createObjectNode();
    point.put("peak_rate_per_s", peak);
    point.put("lowest_failing_rate_per_s", lowestFailing);
    return point;
  }

  @Test
  void aSplitRuledOutOneAtATimeStatesNoRateAndRunsNoProbe() {
    ObjectNode point = new ObjectMapper().createObjectNode();
    point.put("split", 1);
    ServerSweep.putRuledOut(point, io.paretopipe.harness.driver.LatencySlo.parse("p90:2s"), 10, 10);
    for (String key :
        List.of(
            "peak_rate_per_s",
            "lowest_failing_rate_per_s",
            "stated_peak_rate_per_s",
            "stated_lowest_failing_rate_per_s",
            "speed_drift")) {
      assertTrue(point.get(key).isNull(), key);
    }
    assertFalse(point.path("valid").asBoolean());
    assertEquals(0, point.path("probes").size());
    assertEquals(10, point.path("ruled_out_alone").path("over_bound").asLong());
    assertEquals("p90=2000ms", point.path("slo").asText());
  }

  @Test
  void theTunedAllocatorPasses() {
    Map<String, String> env = new HashMap<>(Engines.RECOMMENDED_ALLOCATOR_ENV);
    env.put("PATH", "/usr/bin");
    assertDoesNotThrow(() -> ServerSweep.checkAllocator(env));
  }

  @Test
  void warmupEndsAtTheFirstTwoConsecutiveReadingsWithinTenPercent() throws Exception {
    ClosedLoopWarmup.Result r = ClosedLoopWarmup.settle(readings(22.2, 11.8, 11.5, 30.0), 0.1, 8);
    assertTrue(r.settled());
    assertEquals(List.of(22.2, 11.8, 11.5), r.readings());
    assertEquals(11.5, r.ratePerSecond());
    // 10% of the earlier reading: 10 -> 11 agrees, 10 -> 11.01 does not
    assertEquals(2, ClosedLoopWarmup.settle(readings(10, 11), 0.1, 8).readings().size());
    assertEquals(3, ClosedLoopWarmup.settle(readings(10, 11.01, 11.5), 0.1, 8).readings().size());
  }

  @Test
  void warmupThatNeverSettlesStopsAfterTheBoundAndSaysSo() throws Exception {
    ClosedLoopWarmup.Result r =
        ClosedLoopWarmup.settle(readings(10, 20, 10, 20, 10, 20, 10, 20, 10), 0.1, 8);
    assertFalse(r.settled());
    assertEquals(8, r.readings().size());
    assertEquals(20, r.ratePerSecond());
    assertThrows(
        IllegalArgumentException.class, () -> ClosedLoopWarmup.settle(readings(1), 0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> ClosedLoopWarmup.settle(readings(1), 0, 8));
  }

  private static ClosedLoopWarmup.Reading readings(double... values) {
    Iterator<Double> it = java.util.Arrays.stream(values).boxed().iterator();
    return it::next;
  }
}
