package io.paretopipe.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code run --arrival/--find-peak}: bad input named before anything starts; a real local run. */
class OpenLoopCliTest {

  private static CliTest.Result bad(String... openLoop) {
    String[] args = new String[4 + openLoop.length];
    args[0] = "run";
    args[1] = "--split";
    args[2] = "2";
    args[3] = "--transport=local";
    System.arraycopy(openLoop, 0, args, 4, openLoop.length);
    CliTest.Result r = CliTest.run(args);
    assertNotEquals(0, r.exit(), r.out());
    return r;
  }

  @Test
  void badRatesArrivalsAndSlosAreNamed() {
    assertTrue(
        bad("--arrival", "poisson", "--rate", "0/s")
            .err()
            .contains("rate '0/s' (expected: a finite number of requests per second > 0)"));
    assertTrue(
        bad("--arrival", "bursty")
            .err()
            .contains("arrival 'bursty' is unknown: valid arrivals are poisson, constant"));
    assertTrue(
        bad("--find-peak", "--slo", "p99<500ms")
            .err()
            .contains("SLO 'p99<500ms' is malformed: write pPERCENTILE=BOUND with a unit"));
    assertTrue(bad("--find-peak").err().contains("--find-peak needs --slo, e.g. --slo p99=500ms"));
    assertTrue(
        bad("--arrival", "constant", "--duration", "soon")
            .err()
            .contains("--duration 'soon' is not a duration: write e.g. 60s, 500ms or 2min"));
  }

  @Test
  void runHelpNamesTheFailFastOptOut() {
    CliTest.Result r = CliTest.run("run", "--help");
    assertTrue(r.out().contains("--no-fail-fast"), r.out());
    assertTrue(r.out().contains("stops as soon as its failure is certain"), r.out());
  }

  @Test
  void aConstantRunReleasesExactlyItsScheduleAndJudgesTheSlo() throws Exception {
    CliTest.Result r =
        CliTest.run(
            "run",
            "--model=mobilenetv2",
            "--split=2",
            "--transport=local",
            "--batch=1",
            "--input=3x32x32",
            "--warmup=2",
            "--arrival=constant",
            "--rate=20/s",
            "--duration=1s",
            "--slo=p99=5s",
            "--min-duration=900ms",
            "--min-queries=20",
            "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertEquals("constant", root.get("arrival").asText());
    assertEquals(20, root.get("scheduled").asLong());
    assertEquals(20, root.get("released").asLong() + root.get("dropped").asLong(), root.toString());
    JsonNode slo = root.get("slo");
    assertEquals("p99=5000ms", slo.get("slo").asText());
    assertEquals(
        io.paretopipe.harness.driver.EarlyStopping.minQueries(slo.get("over_bound").asLong(), 0.99),
        slo.get("early_stopping_queries").asLong());
    assertEquals(false, slo.get("early_stopping_met").asBoolean(), "20 queries support no p99");
    assertEquals(false, slo.get("valid").asBoolean());
    assertTrue(slo.get("min_duration_met").asBoolean() && slo.get("min_queries_met").asBoolean());
  }
}
