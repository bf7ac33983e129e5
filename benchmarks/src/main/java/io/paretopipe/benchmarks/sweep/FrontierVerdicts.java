package io.paretopipe.benchmarks.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.benchmarks.PartitionBenchmark;
import io.paretopipe.benchmarks.PartitionConfig;
import io.paretopipe.benchmarks.SharedTail;
import io.paretopipe.benchmarks.sweep.SweepPlan.Point;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the post-processor's {@code frontier.json} says about each point of a sweep, as far as the
 * stopping rule needs it. The contract (docs/REPORTS.md): {@code groups[].points[]}, each point
 * with {@code model}, {@code transport}, {@code link}, {@code batch}, {@code split} (on the point
 * or its group), {@code frontier_class} ({@code frontier}, {@code possible} or {@code dominated}),
 * {@code frontier_probability} (0..1) and {@code converged} (boolean); a value may be {@code null}.
 * Points of another batch are ignored. A group whose {@code variant} has {@code grpcTuning=T} holds
 * the points of {@code grpc@T} ({@link SharedTail#key}), as the sweep names them.
 *
 * @param verdicts per point; a point the report does not have is absent
 * @param supported whether the report carries the classes at all (an older post-processor does not:
 *     then no point can stop early, and the sweep says so once)
 */
record FrontierVerdicts(Map<Point, Verdict> verdicts, boolean supported) {

  /** One point's verdict. */
  record Verdict(String frontierClass, Double frontierProbability, Boolean converged) {}

  static final FrontierVerdicts NONE = new FrontierVerdicts(Map.of(), false);

  /**
   * @throws IOException when the file cannot be read or is not JSON
   * @throws IllegalArgumentException when it is not a {@code paretopipe-frontier} document
   */
  static FrontierVerdicts read(Path frontierJson, int batch) throws IOException {
    JsonNode root = new ObjectMapper().readTree(frontierJson.toFile());
    if (root == null || !"paretopipe-frontier".equals(root.path("format").asText())) {
      throw new IllegalArgumentException(
          frontierJson + " is not a paretopipe-frontier document (its \"format\" differs)");
    }
    Map<Point, Verdict> verdicts = new HashMap<>();
    boolean supported = false;
    for (JsonNode group : root.path("groups")) {
      for (JsonNode p : group.path("points")) {
        String pointBatch = text(p, group, "batch");
        if (pointBatch == null || !pointBatch.equals(Integer.toString(batch))) {
          continue;
        }
        Point point =
            new Point(
                text(p, group, "model"),
                SharedTail.key(text(p, group, "transport"), grpcTuning(group)),
                text(p, group, "link"),
                text(p, group, "split"));
        supported |= p.has("frontier_class") || p.has("converged");
        verdicts.put(
            point,
            new Verdict(
                p.path("frontier_class").isTextual() ? p.path("frontier_class").asText() : null,
                p.path("frontier_probability").isNumber()
                    ? p.path("frontier_probability").asDouble()
                    : null,
                p.path("converged").isBoolean() ? p.path("converged").asBoolean() : null));
      }
    }
    return new FrontierVerdicts(Map.copyOf(verdicts), supported);
  }

  Verdict of(Point p) {
    return verdicts.get(p);
  }

  /** The {@code grpcTuning} in the group's {@code variant} ({@code k=v;k=v}), else the default. */
  private static String grpcTuning(JsonNode group) {
    for (String kv : group.path("variant").asText("").split(";")) {
      if (kv.startsWith(PartitionBenchmark.GRPC_TUNING_PARAM + "=")) {
        return kv.substring(PartitionBenchmark.GRPC_TUNING_PARAM.length() + 1);
      }
    }
    return PartitionConfig.DEFAULT_GRPC_TUNING;
  }

  /** {@code key} of the point, else of its group, as text (numbers too); null when absent. */
  private static String text(JsonNode point, JsonNode group, String key) {
    JsonNode v = point.has(key) ? point.get(key) : group.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }
}
