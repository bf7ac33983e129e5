package io.paretopipe.benchmarks.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.benchmarks.sweep.FrontierVerdicts.Verdict;
import io.paretopipe.benchmarks.sweep.StoppingRule.StopReason;
import io.paretopipe.benchmarks.sweep.SweepPlan.Group;
import io.paretopipe.benchmarks.sweep.SweepPlan.Point;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a sweep stands: each point's passes and whether (and why) it stopped, every group pass that
 * ran (what, when, which trials failed), the decisions taken and the time spent. {@link
 * SweepRecord} writes it into run-metadata.json after every group pass and decision and reads it
 * back for {@code --resume}, so a resumed sweep continues from the passes it has with the rest of
 * the budget. Not thread-safe: the sweep's thread owns it.
 */
final class SweepState {

  /** One JMH trial of a group pass. {@code score} is null when it failed. */
  record Trial(
      String split,
      String method,
      Instant start,
      Instant end,
      boolean ok,
      Double score,
      String unit,
      String error) {}

  /** One JMH call: one pass of one group over {@code splits}. */
  record GroupPass(
      int pass, Group group, List<String> splits, Instant start, Instant end, List<Trial> trials) {
    double seconds() {
      return (end.toEpochMilli() - start.toEpochMilli()) / 1000.0;
    }

    /** The splits whose latency and throughput trials both succeeded. */
    Set<String> measuredSplits() {
      Map<String, Integer> ok = new LinkedHashMap<>();
      for (Trial t : trials) {
        if (t.ok()) {
          ok.merge(t.split(), 1, Integer::sum);
        }
      }
      Set<String> both = new java.util.LinkedHashSet<>();
      ok.forEach(
          (split, n) -> {
            if (n >= 2) {
              both.add(split);
            }
          });
      return both;
    }
  }

  /** Mutable state of one point. */
  static final class PointState {
    int passes;
    int consecutiveFailures;
    StopReason stopped;
    int stoppedAfterPass;
    Verdict verdict;

    boolean active() {
      return stopped == null;
    }
  }

  private final SweepPlan plan;
  final Map<Point, PointState> points = new LinkedHashMap<>();
  final List<GroupPass> passes = new ArrayList<>();
  final ArrayNode decisions = new ObjectMapper().createArrayNode();
  private final List<String> failures = new ArrayList<>();
  int lastDecidedPass;
  double spentBeforeSeconds;

  SweepState(SweepPlan plan) {
    this.plan = plan;
    for (Point p : plan.points()) {
      points.put(p, new PointState());
    }
  }

  PointState point(Point p) {
    return points.get(p);
  }

  /** The active splits of {@code group}, in plan order. */
  List<String> activeSplits(Group group) {
    List<String> active = new ArrayList<>();
    for (String split : plan.splits(group)) {
      if (points.get(new Point(group.model(), group.transport(), group.link(), split)).active()) {
        active.add(split);
      }
    }
    return active;
  }

  /** Every point's state, in plan order. */
  java.util.Collection<PointState> pointStates() {
    return java.util.Collections.unmodifiableCollection(points.values());
  }

  long activeCount() {
    return points.values().stream().filter(PointState::active).count();
  }

  List<GroupPass> passes() {
    return List.copyOf(passes);
  }

  /** Every failed trial, {@code "<point> <method> in pass N: <message>"}. */
  List<String> failures() {
    return List.copyOf(failures);
  }

  int lastDecidedPass() {
    return lastDecidedPass;
  }

  /** Seconds of the budget spent by earlier sessions of a resumed sweep. */
  double spentBeforeSeconds() {
    return spentBeforeSeconds;
  }

  /**
   * Counts the pass for every point whose two trials succeeded; a point whose trials failed in two
   * passes in a row stops as {@link StopReason#FAILED}.
   */
  void record(GroupPass gp) {
    passes.add(gp);
    Set<String> measured = gp.measuredSplits();
    for (Trial t : gp.trials()) {
      if (!t.ok()) {
        failures.add(
            new Point(gp.group().model(), gp.group().transport(), gp.group().link(), t.split())
                + " "
                + t.method()
                + " in pass "
                + gp.pass()
                + ": "
                + t.error());
      }
    }
    for (String split : gp.splits()) {
      PointState s =
          points.get(
              new Point(gp.group().model(), gp.group().transport(), gp.group().link(), split));
      if (measured.contains(split)) {
        s.passes++;
        s.consecutiveFailures = 0;
      } else if (++s.consecutiveFailures >= 2 && s.active()) {
        s.stopped = StopReason.FAILED;
        s.stoppedAfterPass = gp.pass();
      }
    }
  }

  /**
   * Applies the report's verdicts after {@code pass}: every active point the {@link StoppingRule}
   * stops is stopped; the verdicts are kept for the priorities of the next passes and the metadata.
   *
   * @return how many points stopped, per reason
   */
  Map<StopReason, Integer> decide(
      int pass, FrontierVerdicts verdicts, Instant time, double seconds, String report) {
    Map<StopReason, Integer> stopped = new EnumMap<>(StopReason.class);
    for (Map.Entry<Point, PointState> e : points.entrySet()) {
      PointState s = e.getValue();
      Verdict v = verdicts.of(e.getKey());
      if (v != null) {
        s.verdict = v;
      }
      if (s.active() && s.passes > 0) {
        StoppingRule.decide(v)
            .ifPresent(
                reason -> {
                  s.stopped = reason;
                  s.stoppedAfterPass = pass;
                  stopped.merge(reason, 1, Integer::sum);
                });
      }
    }
    lastDecidedPass = pass;
    ObjectNode d = decisions.addObject();
    d.put("after_pass", pass);
    d.put("time", time.toString());
    d.put("seconds", SweepRecord.round(seconds));
    d.put("report", report);
    d.put("supported", verdicts.supported());
    d.put("stopped_dominated", stopped.getOrDefault(StopReason.DOMINATED, 0));
    d.put("stopped_converged", stopped.getOrDefault(StopReason.CONVERGED, 0));
    d.put("active", activeCount());
    return stopped;
  }

  /** Marks the pass as decided without a report (a setting without adaptivity, or no verdicts). */
  void skipDecision(int pass) {
    lastDecidedPass = pass;
  }

  /** Stops every active point for {@code reason} (the budget was spent, or the passes done). */
  void stopAll(StopReason reason, int afterPass) {
    for (PointState s : points.values()) {
      if (s.active()) {
        s.stopped = reason;
        s.stoppedAfterPass = afterPass;
      }
    }
  }
}
