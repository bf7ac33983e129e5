package io.paretopipe.benchmarks.sweep;

import io.paretopipe.benchmarks.sweep.SweepPlan.Group;
import io.paretopipe.benchmarks.sweep.SweepPlan.Point;
import io.paretopipe.benchmarks.sweep.SweepState.GroupPass;
import io.paretopipe.benchmarks.sweep.SweepState.PointState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Plans passes within the budget. A pass gives every active point one more measurement (both
 * methods), group after group (model, transport, link), one JMH call per group over its active
 * splits, in an order drawn afresh for each pass ({@link #order}), so a drift within a pass favours
 * no split. The covering passes (up to {@link SweepSetting#firstDecisionPass()}: a point needs two
 * replication units for any interval, so a point left with one could neither stop nor be compared
 * with another run) always cover every active point, whatever the budget. When what is left of the
 * budget cannot pay for a later pass, the pass takes points round-robin across the groups, each
 * group's in priority order (fewest passes first, then the least decided: frontier probability
 * closest to 0.5), as long as their estimated cost fits.
 *
 * <p>Costs are estimated per group as seconds per point of its last pass (so drift and the stage
 * servers' caches are accounted for), before that from the setting. Not thread-safe.
 */
final class PassPlanner {
  /** Seeds the order of each pass's splits with this plus the pass number. */
  private static final long ORDER_SEED = 20261206L;

  /** Wall-clock budget accounting; the budget covers unit profiles and passes, not the report. */
  static final class Budget {
    private final Duration total;
    private final double spentBeforeSeconds;
    private final LongSupplier nanoTime;
    private final long startNanos;

    /**
     * @param total null = unlimited
     * @param spentBeforeSeconds what earlier sessions of a resumed sweep spent
     */
    Budget(Duration total, double spentBeforeSeconds, LongSupplier nanoTime) {
      this.total = total;
      this.spentBeforeSeconds = spentBeforeSeconds;
      this.nanoTime = nanoTime;
      this.startNanos = nanoTime.getAsLong();
    }

    boolean limited() {
      return total != null;
    }

    Duration total() {
      return total;
    }

    double spentSeconds() {
      return spentBeforeSeconds + (nanoTime.getAsLong() - startNanos) / 1e9;
    }

    /** Seconds left; {@code +Infinity} without a budget; negative when overspent. */
    double remainingSeconds() {
      return total == null ? Double.POSITIVE_INFINITY : total.toMillis() / 1000.0 - spentSeconds();
    }
  }

  /** Seconds a JVM fork costs on the 2-core machine (JVM, PyTorch, model build), measured 4-9 s. */
  static final double FORK_SECONDS = 6;

  /** Seconds one trial costs beyond what it measures: set-up, warm-up requests, teardown. */
  static final double TRIAL_OVERHEAD_SECONDS = 0.6;

  /** Seconds a warm-up request takes, roughly (mobilenetv2, batch 8, first requests). */
  static final double WARMUP_REQUEST_SECONDS = 0.25;

  private final double priorSecondsPerPoint;
  private final int coveringPasses;
  private final Map<Group, Double> secondsPerPoint = new HashMap<>();
  private double decisionSeconds = 10;

  PassPlanner(SweepSetting s) {
    double fork =
        s.warmupRequests() * WARMUP_REQUEST_SECONDS
            + s.warmupIterations() * s.warmupTime().toMillis() / 1000.0
            + s.measurementIterations() * s.measurementTime().toMillis() / 1000.0
            + TRIAL_OVERHEAD_SECONDS;
    double trial = s.forks() == 0 ? fork : s.forks() * (fork + FORK_SECONDS);
    this.priorSecondsPerPoint = 2 * trial;
    this.coveringPasses = s.firstDecisionPass();
  }

  /** Whether pass {@code pass} covers every active point whatever the budget. */
  boolean covering(int pass) {
    return pass <= coveringPasses;
  }

  /** Learns the cost per point of {@code gp}'s group from it. */
  void observe(GroupPass gp) {
    if (!gp.splits().isEmpty()) {
      secondsPerPoint.put(gp.group(), gp.seconds() / gp.splits().size());
    }
  }

  /** Learns how long a decision (a run of the post-processor) takes. */
  void observeDecision(double seconds) {
    decisionSeconds = seconds;
  }

  double decisionSeconds() {
    return decisionSeconds;
  }

  /** Estimated seconds for {@code points} points of {@code group} in one pass. */
  double estimate(Group group, int points) {
    return points * secondsPerPoint.getOrDefault(group, priorSecondsPerPoint);
  }

  /**
   * The splits in the order pass {@code pass} runs them: a permutation drawn afresh for each pass
   * (seeded by the pass number, so a rerun plans the same order). A drift within a pass then lands
   * on a random split each pass: no split is favoured on average, and the drift shows in each
   * split's variance between passes (where the report's intervals count it) instead of biasing some
   * splits' means. A fixed alternation (forward, backward) cancels only a linear drift and only
   * over an even number of passes; a step change inside a pass biased the splits on one side of it
   * (measured: in one A/A run the local splits 11-19, doing the same work as 0-10, read 105-112 ms
   * against 98-100 ms).
   */
  static List<String> order(List<String> splits, int pass) {
    List<String> ordered = new ArrayList<>(splits);
    Collections.shuffle(ordered, new java.util.Random(ORDER_SEED + pass));
    return ordered;
  }

  /**
   * The splits each group measures in pass {@code pass}, in run order ({@link #order}); groups with
   * none are absent.
   *
   * @param state the points' passes, activity and last verdicts
   * @param availableSeconds what the pass may cost ({@code +Infinity}: everything active); ignored
   *     by a {@linkplain #covering covering} pass
   */
  Map<Group, List<String>> plan(
      int pass, SweepPlan plan, SweepState state, double availableSeconds) {
    Map<Group, List<String>> candidates = new LinkedHashMap<>();
    double all = 0;
    for (Group g : plan.groups()) {
      List<String> active = state.activeSplits(g);
      if (!active.isEmpty()) {
        candidates.put(g, prioritized(g, active, state));
        all += estimate(g, active.size());
      }
    }
    Map<Group, List<String>> chosen = new LinkedHashMap<>();
    if (covering(pass) || all <= availableSeconds) {
      candidates.forEach((g, splits) -> chosen.put(g, order(inPlanOrder(plan, g, splits), pass)));
      return chosen;
    }
    Map<Group, List<String>> picked = new LinkedHashMap<>();
    double left = availableSeconds;
    boolean added = true;
    int round = 0;
    while (added) {
      added = false;
      for (Map.Entry<Group, List<String>> e : candidates.entrySet()) {
        List<String> list = e.getValue();
        double cost = estimate(e.getKey(), 1);
        if (round < list.size() && cost <= left) {
          picked.computeIfAbsent(e.getKey(), g -> new ArrayList<>()).add(list.get(round));
          left -= cost;
          added = true;
        }
      }
      round++;
    }
    picked.forEach((g, splits) -> chosen.put(g, order(inPlanOrder(plan, g, splits), pass)));
    return chosen;
  }

  /**
   * {@code splits} trimmed from the lowest priority until their estimate fits {@code
   * availableSeconds} (before a group's call, when earlier calls of the pass took longer than
   * estimated), in run order.
   */
  List<String> trim(
      int pass,
      SweepPlan plan,
      Group g,
      List<String> splits,
      SweepState state,
      double availableSeconds) {
    List<String> byPriority = new ArrayList<>(prioritized(g, splits, state));
    while (!byPriority.isEmpty() && estimate(g, byPriority.size()) > availableSeconds) {
      byPriority.remove(byPriority.size() - 1);
    }
    return order(inPlanOrder(plan, g, byPriority), pass);
  }

  private static List<String> prioritized(Group g, List<String> splits, SweepState state) {
    List<String> sorted = new ArrayList<>(splits);
    Comparator<String> byPasses = Comparator.comparingInt(s -> state.point(point(g, s)).passes);
    Comparator<String> byUndecided =
        Comparator.comparingDouble(
            s -> {
              PointState p = state.point(point(g, s));
              Double prob = p.verdict == null ? null : p.verdict.frontierProbability();
              return prob == null ? 0 : Math.abs(prob - 0.5);
            });
    sorted.sort(byPasses.thenComparing(byUndecided));
    return sorted;
  }

  private static List<String> inPlanOrder(SweepPlan plan, Group g, List<String> splits) {
    List<String> ordered = new ArrayList<>(plan.splits(g));
    ordered.retainAll(splits);
    return ordered;
  }

  private static Point point(Group g, String split) {
    return new Point(g.model(), g.transport(), g.link(), split);
  }
}
