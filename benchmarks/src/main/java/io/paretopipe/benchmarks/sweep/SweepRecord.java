package io.paretopipe.benchmarks.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.benchmarks.sweep.FrontierVerdicts.Verdict;
import io.paretopipe.benchmarks.sweep.StoppingRule.StopReason;
import io.paretopipe.benchmarks.sweep.SweepPlan.Group;
import io.paretopipe.benchmarks.sweep.SweepPlan.Point;
import io.paretopipe.benchmarks.sweep.SweepState.GroupPass;
import io.paretopipe.benchmarks.sweep.SweepState.PointState;
import io.paretopipe.benchmarks.sweep.SweepState.Trial;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link SweepState} in run-metadata.json's {@code sweep} object and back: {@code passes} (per
 * group pass: pass, model, transport, link, result file, start, end, seconds, splits, trials with
 * start, end, ok, score and unit or error), {@code point_status} (per point: passes, {@code
 * stopped} ({@code converged}, {@code dominated}, {@code budget}, {@code passes}, {@code failed},
 * null while active), {@code stopped_after_pass}, the last {@code frontier_class}, {@code
 * frontier_probability}, {@code converged}), {@code decisions}, {@code spent_seconds}, {@code
 * last_decided_pass}. Stateless.
 */
final class SweepRecord {

  private SweepRecord() {}

  /**
   * Writes {@code passes}, {@code point_status}, {@code decisions}, {@code spent_seconds} into the
   * {@code sweep} object of run-metadata.json.
   */
  static void writeInto(SweepState state, ObjectNode sweep, RunFolder folder, double spentSeconds) {
    sweep.put("spent_seconds", round(spentSeconds));
    sweep.put("last_decided_pass", state.lastDecidedPass);
    ArrayNode log = sweep.putArray("passes");
    for (GroupPass gp : state.passes) {
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
    for (Map.Entry<Point, PointState> e : state.points.entrySet()) {
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
    sweep.set("decisions", state.decisions.deepCopy());
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

  static double round(double seconds) {
    return Math.round(seconds * 10) / 10.0;
  }
}
