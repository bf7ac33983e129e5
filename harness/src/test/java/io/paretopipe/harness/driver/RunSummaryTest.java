package io.paretopipe.harness.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunSummaryTest {

  private static final long MS = 1_000_000;

  /** Request i (1-based) spends i ms beyond its 10 ms head and 5 ms stage compute. */
  private static RunSummary summaryOf(int requests) {
    PhaseRecorder recorder = new PhaseRecorder();
    for (int i = 1; i <= requests; i++) {
      recorder.record(new RequestTiming((15 + i) * MS, 10 * MS, 0, 0, 5 * MS, 0));
    }
    return RunSummary.of(Map.of("model", "m"), recorder, 1, 1.0, 100);
  }

  @Test
  void perRequestOverheadIsEndToEndMinusBothComputesWithTheMediansOrderStatisticInterval() {
    JsonNode json = summaryOf(15).toJson().get("overhead_per_request_ms");
    assertEquals(15, json.get("count").asLong());
    assertEquals(8.0, json.get("p50").asDouble(), 0.01);
    // n = 15: the 4th and the 12th order statistics (Binomial(15, 1/2) coverage >= 95%).
    assertEquals(4.0, json.get("p50_low").asDouble(), 0.01);
    assertEquals(12.0, json.get("p50_high").asDouble(), 0.01);
    assertEquals(14.0, json.get("p90").asDouble(), 0.01);
    assertEquals(8.0, json.get("mean").asDouble(), 0.01);
  }

  @Test
  void fiveRequestsCannotSupportAnIntervalAndSayNullNotZero() {
    RunSummary summary = summaryOf(5);
    JsonNode json = summary.toJson().get("overhead_per_request_ms");
    assertEquals(3.0, json.get("p50").asDouble(), 0.01);
    assertTrue(json.get("p50_low").isNull());
    assertTrue(json.get("p50_high").isNull());
    assertTrue(summary.toText().contains("unsupported (too few requests) (n 5)"), summary.toText());
  }

  @Test
  void sixRequestsGiveTheExtremesAsTheInterval() {
    JsonNode json = summaryOf(6).toJson().get("overhead_per_request_ms");
    assertEquals(1.0, json.get("p50_low").asDouble(), 0.01);
    assertEquals(6.0, json.get("p50_high").asDouble(), 0.01);
  }

  @Test
  void overheadNeverNegative() {
    assertEquals(0, new RequestTiming(10 * MS, 8 * MS, 0, 0, 5 * MS, 0).overheadNanos());
  }
}
