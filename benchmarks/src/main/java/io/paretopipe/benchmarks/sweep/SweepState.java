package io.paretopipe.benchmarks.sweep;

import com.fasterxml.jackson.databind.JsonNode;
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
 * ran (what, when, which trials failed), the decisions taken and the time spent. It is written into
 * run-metadata.json after every group pass and decision ({@link #writeInto}) and read back by
 * {@code --resume} ({@link #restore}), so a resumed sweep continues from the passes it has with the
 * rest of the budget. Not thread-safe: the sweep's thread owns it.
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
  private final Map<Point, PointState> points = new LinkedHashMap<>();
  private final List<GroupPass> passes = new ArrayList<>();
  private final ArrayNode decisions = new ObjectMapper().createArrayNode();
  private final List<String> failures = new ArrayList<>();
  private int lastDecidedPass;
  private double spentBeforeSeconds;

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
    d.put("seconds", round(seconds));
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

  /**
   * Writes {@code passes}, {@code point_status}, {@code decisions}, {@code spent_seconds} into the
   * {@code sweep} object of run-metadata.json.
   */
  void writeInto(ObjectNode sweep, RunFolder folder, double spentSeconds) {
    sweep.put("spent_seconds", round(spentSeconds));
    sweep.put("last_decided_pass", lastDecidedPass);
    ArrayNode log = sweep.putArray("passes");
    for (GroupPass gp : passes) {
      ObjectNode n = log.addObject();
      n.put("pass", gp.pass());
      n.put("model", gp.group().model());
      n.put("transport", gp.group().transport());
      n.put("link", gp.group().link());
      n.put(
          "result", folder.root().relativize(folder.passResult(gp.pass(), gp.group())).toString());
      n.put("start", gp.start().toString());
      n.put("end", gp.end().toString());
      n.put("seconds", round(gp.seconds()));
      ArrayNode splits = n.putArray("splits");
      gp.splits().forEach(splits::add);
      ArrayNode trials = n.putArray("trials");
      for (Trial t : gp.trials()) {
        ObjectNode tn = trials.addObject();
        tn.put("split", t.split());
        tn.put("method", t.method());
        tn.put("start", t.start().toString());
        tn.put("end", t.end().toString());
        tn.put("ok", t.ok());
        if (t.ok()) {
          tn.put("score", t.score());
          tn.put("unit", t.unit());
        } else {
          tn.put("error", t.error());
        }
      }
    }
    ArrayNode status = sweep.putArray("point_status");
    for (Map.Entry<Point, PointState> e : points.entrySet()) {
      Point p = e.getKey();
      PointState s = e.getValue();
      ObjectNode n = status.addObject();
      n.put("model", p.model());
      n.put("transport", p.transport());
      n.put("link", p.link());
      n.put("split", p.split());
      n.put("passes", s.passes);
      if (s.active()) {
        n.putNull("stopped");
      } else {
        n.put("stopped", s.stopped.label());
        n.put("stopped_after_pass", s.stoppedAfterPass);
      }
      Verdict v = s.verdict;
      putNullable(n, "frontier_class", v == null ? null : v.frontierClass());
      if (v == null || v.frontierProbability() == null) {
        n.putNull("frontier_probability");
      } else {
        n.put("frontier_probability", v.frontierProbability());
      }
      if (v == null || v.converged() == null) {
        n.putNull("converged");
      } else {
        n.put("converged", v.converged());
      }
    }
    sweep.set("decisions", decisions.deepCopy());
  }

  /**
   * The state of an interrupted sweep, from its run-metadata.json {@code sweep} object and the
   * passes whose JSON is on disk. Verdicts stand (dominated, converged, failed); a point stopped
   * only because the budget or the passes ran out is active again, so a resume with budget left
   * goes on measuring it. A group pass that landed after the last metadata write (the sweep died in
   * between) is counted from its JSON, its times unknown (the file's).
   *
   * @throws IllegalArgumentException when the metadata lists points this plan does not have
   */
  static SweepState restore(
      SweepPlan plan,
      JsonNode sweep,
      Map<Group, java.util.TreeSet<Integer>> completed,
      RunFolder folder)
      throws java.io.IOException {
    SweepState state = new SweepState(plan);
    state.spentBeforeSeconds = sweep.path("spent_seconds").asDouble(0);
    state.lastDecidedPass = sweep.path("last_decided_pass").asInt(0);
    for (JsonNode n : sweep.path("point_status")) {
      Point p =
          new Point(
              n.path("model").asText(),
              n.path("transport").asText(),
              n.path("link").asText(),
              n.path("split").asText());
      PointState s = state.points.get(p);
      if (s == null) {
        throw new IllegalArgumentException(
            "--resume: the interrupted sweep measured "
                + p
                + ", which this plan does not have: give the same models, transports, links and"
                + " splits");
      }
      StopReason reason =
          n.hasNonNull("stopped") ? StopReason.parse(n.path("stopped").asText()) : null;
      if (reason != null && reason != StopReason.BUDGET && reason != StopReason.PASSES) {
        s.stopped = reason;
        s.stoppedAfterPass = n.path("stopped_after_pass").asInt();
      }
      if (n.has("frontier_class") || n.has("converged")) {
        s.verdict =
            new Verdict(
                n.path("frontier_class").isTextual() ? n.path("frontier_class").asText() : null,
                n.path("frontier_probability").isNumber()
                    ? n.path("frontier_probability").asDouble()
                    : null,
                n.path("converged").isBoolean() ? n.path("converged").asBoolean() : null);
      }
    }
    for (JsonNode d : sweep.path("decisions")) {
      state.decisions.add(d.deepCopy());
    }
    Map<String, GroupPass> logged = new LinkedHashMap<>();
    for (JsonNode n : sweep.path("passes")) {
      Group g =
          new Group(
              n.path("model").asText(), n.path("transport").asText(), n.path("link").asText());
      List<String> splits = new ArrayList<>();
      n.path("splits").forEach(s -> splits.add(s.asText()));
      List<Trial> trials = new ArrayList<>();
      for (JsonNode t : n.path("trials")) {
        trials.add(
            new Trial(
                t.path("split").asText(),
                t.path("method").asText(),
                Instant.parse(t.path("start").asText()),
                Instant.parse(t.path("end").asText()),
                t.path("ok").asBoolean(),
                t.path("ok").asBoolean() ? t.path("score").asDouble() : null,
                t.path("unit").asText(null),
                t.path("error").asText(null)));
      }
      logged.put(
          n.path("pass").asInt() + " " + g,
          new GroupPass(
              n.path("pass").asInt(),
              g,
              splits,
              Instant.parse(n.path("start").asText()),
              Instant.parse(n.path("end").asText()),
              trials));
    }
    for (Group g : plan.groups()) {
      for (int pass : completed.getOrDefault(g, new java.util.TreeSet<>())) {
        GroupPass gp = logged.get(pass + " " + g);
        if (gp == null) {
          gp = recovered(pass, g, folder);
        }
        state.passes.add(gp);
        Set<String> measured = gp.measuredSplits();
        for (String split : gp.splits()) {
          if (measured.contains(split)) {
            state.points.get(new Point(g.model(), g.transport(), g.link(), split)).passes++;
          }
        }
      }
    }
    state.passes.sort(java.util.Comparator.comparingInt(GroupPass::pass));
    return state;
  }

  /** A group pass known only from its JSON: every result in it counts as a successful trial. */
  private static GroupPass recovered(int pass, Group g, RunFolder folder)
      throws java.io.IOException {
    java.nio.file.Path json = folder.passResult(pass, g);
    Instant end = java.nio.file.Files.getLastModifiedTime(json).toInstant();
    List<Trial> trials = new ArrayList<>();
    java.util.SortedSet<String> splits = new java.util.TreeSet<>();
    for (String key : RunFolder.resultKeys(json)) {
      String[] mk = key.split(" ", 2);
      splits.add(mk[1]);
      trials.add(new Trial(mk[1], mk[0], end, end, true, null, "", null));
    }
    return new GroupPass(pass, g, List.copyOf(splits), end, end, trials);
  }

  private static void putNullable(ObjectNode n, String key, String value) {
    if (value == null) {
      n.putNull(key);
    } else {
      n.put(key, value);
    }
  }

  private static double round(double seconds) {
    return Math.round(seconds * 10) / 10.0;
  }
}
