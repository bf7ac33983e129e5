package io.paretopipe.benchmarks.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.benchmarks.sweep.FrontierVerdicts.Verdict;
import io.paretopipe.benchmarks.sweep.PassPlanner.Budget;
import io.paretopipe.benchmarks.sweep.SweepPlan.Group;
import io.paretopipe.benchmarks.sweep.SweepPlan.Point;
import io.paretopipe.benchmarks.sweep.SweepState.GroupPass;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PassPlannerTest {

  private static final Group NIO = new Group("mobilenetv2", "nio", "none");
  private static final Group LOCAL = new Group("mobilenetv2", "local", "none");
  private static final List<String> SPLITS = List.of("0", "1", "2", "3");
  private static final SweepPlan PLAN;

  static {
    List<Point> points = new ArrayList<>();
    for (Group g : List.of(NIO, LOCAL)) {
      for (String s : SPLITS) {
        points.add(new Point(g.model(), g.transport(), g.link(), s));
      }
    }
    PLAN = SweepPlan.ofPoints(points);
  }

  @Test
  void eachPassRunsItsSplitsInAFreshSeededOrderThatFavoursNoPosition() {
    assertEquals(PassPlanner.order(SPLITS, 2), PassPlanner.order(SPLITS, 2), "seeded by pass");
    List<String> twenty = new java.util.ArrayList<>();
    for (int s = 0; s < 20; s++) {
      twenty.add(Integer.toString(s));
    }
    java.util.Set<List<String>> orders = new java.util.HashSet<>();
    double[] meanPosition = new double[20];
    int passes = 400;
    for (int pass = 1; pass <= passes; pass++) {
      List<String> order = PassPlanner.order(twenty, pass);
      assertEquals(
          new java.util.TreeSet<>(twenty), new java.util.TreeSet<>(order), "a permutation");
      orders.add(order);
      for (int i = 0; i < order.size(); i++) {
        meanPosition[Integer.parseInt(order.get(i))] += i / (double) passes;
      }
    }
    assertEquals(passes, orders.size(), "every pass its own order");
    for (int s = 0; s < 20; s++) {
      // uniform position: mean 9.5, standard error sqrt((20^2 - 1) / 12 / 400) = 0.29
      assertEquals(9.5, meanPosition[s], 1.2, "split " + s + "'s mean position");
    }
  }

  @Test
  void theCoveringPassesCoverEveryPointWhateverTheBudget() {
    // quick measures one iteration per pass: a point needs two passes for an interval
    PassPlanner planner = new PassPlanner(SweepSetting.QUICK);
    SweepState state = new SweepState(PLAN);
    assertTrue(planner.covering(1));
    assertTrue(planner.covering(2));
    assertFalse(planner.covering(3));
    Map<Group, List<String>> first = planner.plan(1, PLAN, state, 1.0);
    assertEquals(
        Map.of(NIO, PassPlanner.order(SPLITS, 1), LOCAL, PassPlanner.order(SPLITS, 1)), first);
    Map<Group, List<String>> second = planner.plan(2, PLAN, state, -30);
    assertEquals(PassPlanner.order(SPLITS, 2), second.get(NIO));
    assertEquals(PassPlanner.order(SPLITS, 2), second.get(LOCAL));
    assertTrue(planner.plan(3, PLAN, state, 1.0).isEmpty(), "pass 3 fits the budget: nothing");

    // two iterations per pass give an interval after one pass: only pass 1 covers
    SweepSetting twoIterations =
        new SweepSetting(
            "two",
            0,
            3,
            0,
            Duration.ZERO,
            2,
            Duration.ofSeconds(1),
            Duration.ofMinutes(1),
            0,
            true);
    PassPlanner two = new PassPlanner(twoIterations);
    assertTrue(two.covering(1));
    assertFalse(two.covering(2));
    assertTrue(two.plan(2, PLAN, state, 1.0).isEmpty());
    assertEquals(
        Map.of(NIO, PassPlanner.order(SPLITS, 1), LOCAL, PassPlanner.order(SPLITS, 1)),
        two.plan(1, PLAN, state, 1.0));
  }

  @Test
  void theSettingGivesTheFirstEstimateAndEachPassTheNext() {
    PassPlanner planner = new PassPlanner(SweepSetting.QUICK);
    // 2 trials x (3 warm-up requests x 0.25 s + 1 s + 0.6 s)
    assertEquals(2 * (0.75 + 1 + 0.6), planner.estimate(NIO, 1), 1e-9);
    planner.observe(groupPass(1, NIO, SPLITS, 20));
    assertEquals(5.0, planner.estimate(NIO, 1), 1e-9);
    assertEquals(2 * 2.35, planner.estimate(LOCAL, 1), 1e-9);
    PassPlanner full = new PassPlanner(SweepSetting.FULL);
    assertEquals(2 * 3 * (15 + 25 + 0.6 + 6), full.estimate(NIO, 1), 1e-9);
  }

  @Test
  void aPassTheBudgetCannotPayForTakesPointsRoundRobinFewestPassesAndLeastDecidedFirst() {
    PassPlanner planner = new PassPlanner(SweepSetting.QUICK);
    planner.observe(groupPass(1, NIO, SPLITS, 20)); // 5 s per point
    planner.observe(groupPass(1, LOCAL, SPLITS, 40)); // 10 s per point
    SweepState state = new SweepState(PLAN);
    state.record(StoppingRuleTest.pass(1, SPLITS, List.of()));
    state.record(groupPass(1, LOCAL, SPLITS, 40));
    state.record(groupPass(2, NIO, List.of("0", "2"), 10)); // nio 1 and 3 are a pass behind
    // local: 1 is the least decided (0.55), then 2 and 3 (0.9, 0.1), then 0 (0.99)
    double[] probabilities = {0.99, 0.55, 0.9, 0.1};
    for (int s = 0; s < 4; s++) {
      state.point(new Point("mobilenetv2", "local", "none", Integer.toString(s))).verdict =
          new Verdict("possible", probabilities[s], false);
    }

    // 24 s: nio 1 (5), local 1 (10, closest to 0.5), nio 3 (5); local's next (10) no longer fits
    Map<Group, List<String>> plan = planner.plan(4, PLAN, state, 24);
    assertEquals(PassPlanner.order(List.of("1", "3"), 4), plan.get(NIO), "in the pass's order");
    assertEquals(List.of("1"), plan.get(LOCAL));

    assertEquals(List.of(), planner.plan(4, PLAN, state, 4.9).getOrDefault(NIO, List.of()));
    assertTrue(planner.plan(4, PLAN, state, -3).isEmpty(), "an overspent budget plans nothing");
    assertEquals(
        List.of("1"),
        planner.trim(3, PLAN, NIO, List.of("0", "1", "2", "3"), state, 9.9),
        "trimming keeps the highest priority");
  }

  @Test
  void theBudgetCountsWallTimeAndWhatEarlierSessionsSpent() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    Budget budget = new Budget(Duration.ofMinutes(9), 100, now::get);
    assertTrue(budget.limited());
    assertEquals(440, budget.remainingSeconds(), 1e-9);
    now.addAndGet(40_000_000_000L);
    assertEquals(140, budget.spentSeconds(), 1e-9);
    assertEquals(400, budget.remainingSeconds(), 1e-9);
    now.addAndGet(500_000_000_000L);
    assertEquals(-100, budget.remainingSeconds(), 1e-9);
    Budget none = new Budget(null, 0, now::get);
    assertFalse(none.limited());
    assertEquals(Double.POSITIVE_INFINITY, none.remainingSeconds());
  }

  private static GroupPass groupPass(int pass, Group g, List<String> splits, long seconds) {
    GroupPass template = StoppingRuleTest.pass(pass, splits, List.of());
    Instant start = template.start();
    return new GroupPass(pass, g, splits, start, start.plusSeconds(seconds), template.trials());
  }
}
