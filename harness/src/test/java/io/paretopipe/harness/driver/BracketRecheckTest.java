package io.paretopipe.harness.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The second-seed recheck of a peak search's bracket, and when drops decided a verdict. The search
 * here is the split-10 shape of docs/OPEN-LOOP.md: 22.2 and 44.3/s passed; 49.9, 55.4, 66.5 and
 * 88.6/s failed.
 */
class BracketRecheckTest {

  private static final LatencySlo SLO = LatencySlo.parse("p99=500ms");

  private static PeakSearch.Peak search() {
    List<PeakSearch.Step> steps = new ArrayList<>();
    for (double r : new double[] {22.2, 44.3, 88.6, 66.5, 55.4, 49.9}) {
      steps.add(new PeakSearch.Step(r, verdict(r, r < 45 ? 0 : 50, 0)));
    }
    return new PeakSearch.Peak(44.3, 49.9, steps.get(1).verdict(), steps);
  }

  /** A second schedule on which every rate up to {@code peak} passes. */
  private static BracketRecheck.SeededProbe secondSeed(double peak, List<Long> seeds) {
    return (rate, seed) -> {
      seeds.add(seed);
      return verdict(rate, rate <= peak ? 0 : 50, 0);
    };
  }

  @Test
  void aSecondScheduleThatAgreesConfirmsTheSearchsBracketWithTwoProbes() throws Exception {
    List<Long> seeds = new ArrayList<>();
    BracketRecheck.Result r = BracketRecheck.recheck(search(), secondSeed(46, seeds), 43, 3);
    assertEquals(44.3, r.passingRate());
    assertEquals(49.9, r.failingRate());
    assertTrue(r.confirmed());
    assertTrue(r.bracketed());
    assertEquals(List.of(43L, 43L), seeds);
    assertEquals(List.of(44.3, 49.9), r.checks().stream().map(c -> c.ratePerSecond()).toList());
    assertTrue(r.checks().stream().allMatch(BracketRecheck.Check::agrees));
  }

  @Test
  void aPeakThatFailsOnTheSecondScheduleWidensTheIntervalDownToARateThatPassesOnBoth()
      throws Exception {
    BracketRecheck.Result r =
        BracketRecheck.recheck(search(), secondSeed(30, new ArrayList<>()), 43, 3);
    assertEquals(22.2, r.passingRate());
    assertEquals(49.9, r.failingRate());
    assertFalse(r.confirmed());
    assertEquals(22.2, r.atPeak().result().schedule().ratePerSecond());
    assertEquals(
        List.of(44.3, 22.2, 49.9), r.checks().stream().map(c -> c.ratePerSecond()).toList());
    assertFalse(r.checks().get(0).agrees());
  }

  @Test
  void aLowestFailingRateThatPassesOnTheSecondScheduleWidensTheIntervalUp() throws Exception {
    BracketRecheck.Result r =
        BracketRecheck.recheck(search(), secondSeed(60, new ArrayList<>()), 43, 3);
    assertEquals(44.3, r.passingRate());
    assertEquals(66.5, r.failingRate());
    assertFalse(r.confirmed());
    assertEquals(
        List.of(44.3, 49.9, 55.4, 66.5), r.checks().stream().map(c -> c.ratePerSecond()).toList());
  }

  @Test
  void anEndWithNoAgreeingRateWithinTheBoundIsNotClaimed() throws Exception {
    BracketRecheck.Result r =
        BracketRecheck.recheck(search(), secondSeed(10, new ArrayList<>()), 43, 1);
    assertTrue(Double.isNaN(r.passingRate()));
    assertNull(r.atPeak());
    assertEquals(49.9, r.failingRate());
    assertFalse(r.bracketed());
    assertFalse(r.confirmed());
  }

  @Test
  void dropsDecideAVerdictOnlyWhenTheRunWouldPassWithThemAnsweredInTime() {
    ServerVerdict dropsOnly = verdict(50, 0, 20);
    assertFalse(dropsOnly.passes());
    assertTrue(dropsOnly.decidedByDrops());
    assertTrue(dropsOnly.toJson().path("decided_by_drops").asBoolean());
    assertTrue(dropsOnly.toText().contains("FAILS (decided by the drops)"), dropsOnly.toText());
    ServerVerdict slowToo = verdict(50, 20, 20);
    assertFalse(slowToo.passes());
    assertFalse(slowToo.decidedByDrops());
    ServerVerdict noDrops = verdict(50, 50, 0);
    assertFalse(noDrops.passes());
    assertFalse(noDrops.decidedByDrops());
    assertFalse(verdict(50, 0, 0).decidedByDrops());
    // a drop that does not fail the run decides nothing: 2 of 1,000 over the bound pass p99
    assertTrue(verdict(50, 1, 1).passes());
    assertFalse(verdict(50, 1, 1).decidedByDrops());
  }

  @Test
  void aRateAboveTheLinksCapacityNeverPassesHoweverTheProbeFared() {
    // pi-link (5 Mbit/s) carries 12.46 requests/s of mobilenetv2 split 9's 50,176 bytes
    double capacity =
        io.paretopipe.format.NetworkCondition.parse("pi-link").requestsPerSecond(50_176);
    assertEquals(5e6 / (50_176 * 8.0), capacity, 1e-9);
    ServerVerdict above = verdict(13.32, 0, 0).withCapacity(capacity);
    assertTrue(above.sloMet() && above.earlyStoppingMet());
    assertFalse(above.withinCapacity());
    assertFalse(above.passes());
    assertFalse(above.valid());
    assertFalse(above.decidedByDrops());
    assertFalse(above.toJson().path("within_capacity").asBoolean());
    assertEquals(capacity, above.toJson().path("capacity_per_s").asDouble(), 1e-9);
    assertTrue(above.toText().contains("ABOVE the capacity of 12.46/s"), above.toText());
    ServerVerdict below = verdict(12.0, 0, 0).withCapacity(capacity);
    assertTrue(below.passes());
    assertTrue(below.toJson().path("within_capacity").asBoolean());
    // no rate limit, or no bytes: no capacity is known, and the JSON says so with null
    assertEquals(
        Double.POSITIVE_INFINITY,
        io.paretopipe.format.NetworkCondition.parse("delay:20ms").requestsPerSecond(50_176));
    assertTrue(verdict(13.32, 0, 0).toJson().path("capacity_per_s").isNull());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> verdict(1, 0, 0).withCapacity(0));
    assertTrue(e.getMessage().contains("expected: requests per second > 0"), e.getMessage());
  }

  /** 1,000 scheduled at {@code rate}: {@code slow} take 1 s, {@code dropped} are dropped. */
  static ServerVerdict verdict(double rate, int slow, int dropped) {
    List<OpenLoopResult.RawQuery> raw = new ArrayList<>();
    long gap = (long) (1e9 / rate);
    for (int i = 0; i < 1000; i++) {
      long t = i * gap;
      if (i < dropped) {
        raw.add(new OpenLoopResult.RawQuery(i, t, -1, -1));
      } else {
        long latency = i < dropped + slow ? 1_000_000_000 : 1_000_000;
        raw.add(new OpenLoopResult.RawQuery(i, t, t, t + latency));
      }
    }
    OpenLoopResult r =
        new OpenLoopResult(
            ArrivalSchedule.of(ArrivalSchedule.Process.POISSON, rate, 1),
            64,
            999 * gap,
            1000 * gap,
            1000 - dropped,
            dropped,
            0,
            PhaseRecorder.newLatencyHistogram(),
            PhaseRecorder.newLatencyHistogram(),
            raw,
            null);
    return ServerVerdict.of(r, SLO, Duration.ofSeconds(1), 100);
  }
}
