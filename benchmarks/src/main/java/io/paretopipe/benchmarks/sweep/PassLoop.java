package io.paretopipe.benchmarks.sweep;

import io.paretopipe.benchmarks.sweep.PassPlanner.Budget;
import io.paretopipe.benchmarks.sweep.StoppingRule.StopReason;
import io.paretopipe.benchmarks.sweep.SweepPlan.Group;
import io.paretopipe.benchmarks.sweep.SweepState.GroupPass;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The sweep's passes: plan a pass ({@link PassPlanner}), run each group's JMH call ({@link
 * PassRunner}) after making sure its shared stage server lives, record it ({@link SweepState}) and
 * write the metadata; after each pass, from the setting's first decision pass on, run the
 * post-processor and apply its verdicts ({@link StoppingRule}). Ends when every point stopped, the
 * budget is spent (never before the covering passes, {@link PassPlanner#covering}) or the setting's
 * passes are done; every point then has a stop reason. A resumed sweep starts at the pass after its
 * last decision and skips the group passes it has.
 */
final class PassLoop {

  /** Writes run-metadata.json with the state as it is. */
  interface MetadataWriter {
    void write() throws IOException;
  }

  private final SweepPlan plan;
  private final SweepSetting setting;
  private final RunFolder folder;
  private final SharedStageServers servers;
  private final PassRunner runner;
  private final SweepState state;
  private final Budget budget;
  private final ReportLauncher launcher;
  private final int batch;
  private final MetadataWriter metadata;
  private final PrintStream console;
  private final Duration groupWarmup;
  private final Set<Group> warmed = new HashSet<>();

  /**
   * @param launcher the post-processor for verdicts, null when the sweep runs none ({@code
   *     --no-report})
   * @param batch the points' batch (verdicts of other batches are ignored)
   * @param groupWarmup how long each group's warm-up sends traffic at each of its two end splits
   *     before the group's first pass in this process ({@link PassRunner#warmUp}); zero for none
   */
  PassLoop(
      SweepPlan plan,
      SweepSetting setting,
      RunFolder folder,
      SharedStageServers servers,
      PassRunner runner,
      SweepState state,
      Budget budget,
      ReportLauncher launcher,
      int batch,
      MetadataWriter metadata,
      PrintStream console,
      Duration groupWarmup) {
    this.plan = plan;
    this.setting = setting;
    this.folder = folder;
    this.servers = servers;
    this.runner = runner;
    this.state = state;
    this.budget = budget;
    this.launcher = launcher;
    this.batch = batch;
    this.metadata = metadata;
    this.console = console;
    this.groupWarmup = groupWarmup;
  }

  /** Runs passes until every point has stopped. */
  void run() throws IOException, InterruptedException {
    PassPlanner planner = new PassPlanner(setting);
    state.passes().forEach(planner::observe);
    Progress progress =
        new Progress(
            console,
            System::nanoTime,
            budget::spentSeconds,
            runner.verbose() ? 0 : Progress.QUIET_GAP_SECONDS);
    boolean decide = setting.adaptive() && launcher != null;
    if (setting.adaptive() && launcher == null) {
      console.println("--no-report: no verdicts between passes, every point runs until the budget");
    }
    int pass = state.lastDecidedPass() + 1;
    while (state.activeCount() > 0) {
      if (setting.maxPasses() > 0 && pass > setting.maxPasses()) {
        state.stopAll(StopReason.PASSES, pass - 1);
        break;
      }
      boolean decideAfter = decide && pass >= setting.firstDecisionPass();
      double reserve = decideAfter ? planner.decisionSeconds() : 0;
      Map<Group, List<String>> planned =
          planner.plan(pass, plan, state, budget.remainingSeconds() - reserve);
      final int p = pass;
      boolean resumedPass = state.passes().stream().anyMatch(gp -> gp.pass() == p);
      planned.keySet().removeIf(g -> doneIn(state, p, g));
      if (planned.isEmpty() && !resumedPass) {
        state.stopAll(StopReason.BUDGET, pass - 1);
        break;
      }
      int points = planned.values().stream().mapToInt(List::size).sum();
      double estimate =
          planned.entrySet().stream()
              .mapToDouble(e -> planner.estimate(e.getKey(), e.getValue().size()))
              .sum();
      console.printf(
          Locale.ROOT,
          "pass %d: %d points (%s), estimated %s%s%n",
          pass,
          points,
          planned.entrySet().stream()
              .map(e -> e.getKey().transport() + " " + e.getValue().size())
              .collect(Collectors.joining(", ")),
          Progress.clock(estimate),
          budget.limited() ? ", budget left " + Progress.clock(budget.remainingSeconds()) : "");
      if (planner.covering(pass) && estimate > budget.remainingSeconds()) {
        console.printf(
            Locale.ROOT,
            "note: pass %d over every point takes longer than the budget left; every point gets"
                + " %d pass(es) (fewer give no interval)%n",
            pass,
            setting.firstDecisionPass());
      }
      progress.startPass(pass, 2 * points, budget::remainingSeconds);
      for (Map.Entry<Group, List<String>> e : planned.entrySet()) {
        List<String> splits = e.getValue();
        if (!planner.covering(pass)) {
          splits =
              planner.trim(
                  pass, plan, e.getKey(), splits, state, budget.remainingSeconds() - reserve);
        }
        if (splits.isEmpty()) {
          continue;
        }
        servers.restartIfDead(e.getKey().transport());
        warmUpOnce(e.getKey());
        GroupPass gp = runner.run(pass, e.getKey(), splits, progress);
        state.record(gp);
        planner.observe(gp);
        metadata.write();
      }
      if (decideAfter && state.activeCount() > 0) {
        decide = decide(pass, planner);
      } else {
        state.skipDecision(pass);
      }
      metadata.write();
      if (!planner.covering(pass + 1)
          && budget.remainingSeconds() <= 0
          && state.activeCount() > 0) {
        state.stopAll(StopReason.BUDGET, pass);
      }
      pass++;
    }
    metadata.write();
    console.println(summary(state, budget));
  }

  /** The group's warm-up ({@link PassRunner#warmUp}) at its lowest and highest split, once. */
  private void warmUpOnce(Group group) throws IOException {
    if (groupWarmup.isZero() || !warmed.add(group)) {
      return;
    }
    List<String> ends = warmupSplits(plan.splits(group));
    double seconds = runner.warmUp(group, ends, groupWarmup);
    console.printf(
        Locale.ROOT,
        "warm-up of %s %s %s: split%s %s, %s s each, not measured (%.1f s)%n",
        group.model(),
        group.transport(),
        group.link(),
        ends.size() == 1 ? "" : "s",
        String.join(" and ", ends),
        groupWarmup.toMillis() / 1000.0,
        seconds);
  }

  /**
   * The splits a group's warm-up runs: its lowest and highest by first cut (the head runs the
   * fewest and the most layers), one when they are the same.
   */
  static List<String> warmupSplits(List<String> splits) {
    Comparator<String> byFirstCut =
        Comparator.comparingInt(s -> Integer.parseInt(s.split(":")[0].trim()));
    String low = splits.stream().min(byFirstCut).orElseThrow();
    String high = splits.stream().max(byFirstCut).orElseThrow();
    return low.equals(high) ? List.of(low) : List.of(low, high);
  }

  /**
   * Runs the post-processor on what the run has and applies its verdicts.
   *
   * @return whether later passes should ask again: not when the post-processor failed or gives no
   *     classes (a post-processor without issue 16's columns), which would only cost time
   */
  private boolean decide(int pass, PassPlanner planner) throws InterruptedException {
    long t0 = System.nanoTime();
    try {
      Path frontier = launcher.decide(folder.root(), folder.decisionReport(pass));
      FrontierVerdicts verdicts = FrontierVerdicts.read(frontier, batch);
      double seconds = (System.nanoTime() - t0) / 1e9;
      planner.observeDecision(seconds);
      Map<StopReason, Integer> stopped =
          state.decide(
              pass,
              verdicts,
              Instant.now(),
              seconds,
              folder.root().relativize(folder.decisionReport(pass)).toString());
      if (!verdicts.supported()) {
        console.println(
            "after pass "
                + pass
                + ": the post-processor gives no frontier_class/converged: no point stops early,"
                + " every point runs until the budget");
        return false;
      }
      console.printf(
          Locale.ROOT,
          "after pass %d (verdicts in %.1f s): %d dominated, %d converged stop; %d points go on%n",
          pass,
          seconds,
          stopped.getOrDefault(StopReason.DOMINATED, 0),
          stopped.getOrDefault(StopReason.CONVERGED, 0),
          state.activeCount());
      return true;
    } catch (IOException | RuntimeException e) {
      state.skipDecision(pass);
      console.println(
          "after pass "
              + pass
              + ": no verdicts ("
              + PassRunner.rootMessage(e)
              + "); no point stops early, every point runs until the budget");
      return false;
    }
  }

  private static boolean doneIn(SweepState state, int pass, Group g) {
    return state.passes().stream().anyMatch(gp -> gp.pass() == pass && gp.group().equals(g));
  }

  private static String summary(SweepState state, Budget budget) {
    int[] passes = state.passes().stream().mapToInt(GroupPass::pass).max().stream().toArray();
    Map<String, Long> reasons = new java.util.TreeMap<>();
    List<Integer> perPoint = new ArrayList<>();
    state
        .pointStates()
        .forEach(
            s -> {
              reasons.merge(s.stopped == null ? "active" : s.stopped.label(), 1L, Long::sum);
              perPoint.add(s.passes);
            });
    perPoint.sort(null);
    return String.format(
        Locale.ROOT,
        "measured in %d pass(es), %s: passes per point min %d, median %d, max %d; stopped: %s",
        passes.length == 0 ? 0 : passes[0],
        Progress.clock(budget.spentSeconds()),
        perPoint.isEmpty() ? 0 : perPoint.get(0),
        perPoint.isEmpty() ? 0 : perPoint.get(perPoint.size() / 2),
        perPoint.isEmpty() ? 0 : perPoint.get(perPoint.size() - 1),
        reasons.entrySet().stream()
            .map(e -> e.getValue() + " " + e.getKey())
            .collect(Collectors.joining(", ")));
  }
}
