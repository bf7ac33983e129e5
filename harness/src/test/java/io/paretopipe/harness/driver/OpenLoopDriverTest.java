package io.paretopipe.harness.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.transport.StageChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The open-loop driver against a real local stage (the {@code local} transport) whose one compute
 * thread does real arithmetic per request and can be paused before one chosen request: by a latch
 * the test opens (drops) or for a fixed stall (coordinated omission). Assertions are on counts and
 * on latencies against the stall's length, never on two wall times compared.
 */
class OpenLoopDriverTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void requestsBeyondTheOutstandingBoundAreDroppedNotWaitedFor() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    WorkStage stage = new WorkStage(1_000, 0, gate, null);
    try (StageChannel channel = stage.connect();
        OpenLoopDriver driver =
            new OpenLoopDriver(
                stage.target(channel),
                ArrivalSchedule.of(ArrivalSchedule.Process.CONSTANT, 200, 0),
                5,
                new PhaseRecorder())) {
      driver.start();
      for (int i = 0; i < 100; i++) {
        driver.releaseNext();
      }
      gate.countDown();
      driver.drain();
      OpenLoopResult r = driver.result();
      assertEquals(5, r.released());
      assertEquals(95, r.dropped());
      assertEquals(100, r.raw().size());
      assertEquals(5, r.completed());
      assertTrue(r.raw().subList(0, 5).stream().noneMatch(OpenLoopResult.RawQuery::dropped));
      assertTrue(r.raw().subList(5, 100).stream().allMatch(OpenLoopResult.RawQuery::dropped));
      assertEquals(Long.MAX_VALUE, r.percentileNanosCountingDrops(99));
      assertEquals(95, r.overBound(TimeUnit.SECONDS.toNanos(60)));
      ServerVerdict v = ServerVerdict.of(r, LatencySlo.parse("p99=500ms"), Duration.ZERO, 0);
      assertFalse(v.sloMet());
      assertFalse(v.earlyStoppingMet());
    }
  }

  @Test
  void latencyCountsFromTheIntendedTimeSoAStallShowsInEveryRequestItDelays() throws Exception {
    long stallMillis = 400;
    int stalledRequest = 20;
    int requests = 150;
    double rate = 100;

    WorkStage open = new WorkStage(20_000, stalledRequest, null, stallMillis);
    long[] openLatencies;
    try (StageChannel channel = open.connect();
        OpenLoopDriver driver =
            new OpenLoopDriver(
                open.target(channel),
                ArrivalSchedule.of(ArrivalSchedule.Process.CONSTANT, rate, 0),
                1_000,
                new PhaseRecorder())) {
      OpenLoopResult r = driver.run(Duration.ofMillis((long) (requests * 1000 / rate)));
      assertEquals(requests, r.scheduled());
      assertEquals(0, r.dropped());
      openLatencies = r.raw().stream().mapToLong(OpenLoopResult.RawQuery::latencyNanos).toArray();
    }

    WorkStage closed = new WorkStage(20_000, stalledRequest, null, stallMillis);
    long[] closedLatencies = new long[requests];
    try (StageChannel channel = closed.connect()) {
      LoadTarget target = closed.target(channel);
      for (int i = 0; i < requests; i++) {
        long start = System.nanoTime();
        channel.send(target.prepare(i).request());
        channel.receive(TIMEOUT);
        closedLatencies[i] = System.nanoTime() - start;
      }
    }

    long half = TimeUnit.MILLISECONDS.toNanos(stallMillis / 2);
    long openDelayed = Arrays.stream(openLatencies).filter(l -> l >= half).count();
    long closedDelayed = Arrays.stream(closedLatencies).filter(l -> l >= half).count();
    long openP99 = nearestRank(openLatencies, 99);
    long closedP99 = nearestRank(closedLatencies, 99);
    System.out.printf(
        "stall %d ms at request %d of %d, %.0f/s: >= %d ms open-loop %d, closed-loop %d;"
            + " p99 open-loop %.1f ms, closed-loop %.1f ms%n",
        stallMillis,
        stalledRequest,
        requests,
        rate,
        stallMillis / 2,
        openDelayed,
        closedDelayed,
        openP99 / 1e6,
        closedP99 / 1e6);
    // Every request due in the first half of the stall waits past its end: rate x stall / 2 of
    // them.
    assertTrue(openDelayed >= (long) (rate * stallMillis / 2000), "open-loop " + openDelayed);
    // The closed loop sends nothing while the stalled request is out: one request sees the stall.
    assertTrue(closedDelayed <= 2, "closed-loop " + closedDelayed);
    assertTrue(openP99 >= half, "open-loop p99 " + openP99 / 1e6 + " ms");
    assertTrue(closedP99 < half, "closed-loop p99 " + closedP99 / 1e6 + " ms");
  }

  @Test
  void aProbeThatCannotPassStopsEarlyWithTheVerdictOfTheFullProbe() throws Exception {
    LatencySlo slo = LatencySlo.parse("p90=100ms");
    ArrivalSchedule schedule = ArrivalSchedule.of(ArrivalSchedule.Process.POISSON, 100, 7);
    Duration duration = Duration.ofSeconds(1);
    long minQueries = 200;
    long planned = OpenLoopDriver.plannedQueries(schedule, duration, minQueries);
    FailFast rule = new FailFast(slo, planned);
    // request 20 stalls the stage's one thread for 600 ms: at 100/s about 50 requests wait past
    // the bound behind it, so the probe fails, and is certain to once leastOver of them are late
    WorkStage stage = new WorkStage(1_000, 20, null, 600L);
    try (StageChannel channel = stage.connect()) {
      LoadTarget target = stage.target(channel);
      OpenLoopResult stopped;
      try (OpenLoopDriver d = new OpenLoopDriver(target, schedule, 1_000, new PhaseRecorder())) {
        stopped = d.run(duration, minQueries, slo);
      }
      OpenLoopResult full;
      try (OpenLoopDriver d = new OpenLoopDriver(target, schedule, 1_000, new PhaseRecorder())) {
        full = d.run(duration, minQueries);
      }
      assertEquals(planned, full.scheduled());
      assertFalse(full.stoppedEarly());
      assertTrue(stopped.stoppedEarly(), stopped.toText());
      assertTrue(stopped.scheduled() < planned, stopped.toText());
      assertEquals(planned, stopped.stop().rule().plannedQueries());
      assertEquals(full.spanNanos(), stopped.stop().plannedSpanNanos());
      assertTrue(stopped.stop().overBound() >= rule.leastOver(), stopped.toText());
      assertTrue(stopped.stop().overBound() <= full.overBound(slo.boundNanos()));
      assertTrue(full.overBound(slo.boundNanos()) >= rule.leastOver(), full.toText());
      Duration min = Duration.ofSeconds(1);
      ServerVerdict early = ServerVerdict.of(stopped, slo, min, minQueries);
      ServerVerdict ran = ServerVerdict.of(full, slo, min, minQueries);
      System.out.println("stopped: " + early.toText());
      System.out.println("full:    " + ran.toText());
      assertEquals(ran.sloMet(), early.sloMet());
      assertEquals(ran.earlyStoppingMet(), early.earlyStoppingMet());
      assertEquals(ran.passes(), early.passes());
      assertEquals(ran.decidedByDrops(), early.decidedByDrops());
      assertEquals(ran.minDurationMet(), early.minDurationMet());
      assertEquals(ran.minQueriesMet(), early.minQueriesMet());
      assertEquals(ran.valid(), early.valid());
      assertFalse(early.passes());
      assertTrue(early.toText().contains("stopped early at"), early.toText());
    }
  }

  @Test
  void aProbeThatPassesRunsToTheEndWithFailFastOn() throws Exception {
    LatencySlo slo = LatencySlo.parse("p90=2s");
    ArrivalSchedule schedule = ArrivalSchedule.of(ArrivalSchedule.Process.POISSON, 100, 7);
    WorkStage stage = new WorkStage(1_000, -1, null, null);
    try (StageChannel channel = stage.connect();
        OpenLoopDriver d =
            new OpenLoopDriver(stage.target(channel), schedule, 1_000, new PhaseRecorder())) {
      OpenLoopResult r = d.run(Duration.ofSeconds(1), 200, slo);
      assertFalse(r.stoppedEarly());
      assertEquals(
          OpenLoopDriver.plannedQueries(schedule, Duration.ofSeconds(1), 200), r.scheduled());
      assertEquals(r.scheduled(), r.completed());
      assertTrue(ServerVerdict.of(r, slo, Duration.ofSeconds(1), 200).passes());
    }
  }

  private static long nearestRank(long[] values, double percentile) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.ceil(percentile / 100 * sorted.length) - 1];
  }
}
