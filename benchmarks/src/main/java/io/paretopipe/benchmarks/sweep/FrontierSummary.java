package io.paretopipe.benchmarks.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The sweep's closing lines, one per group of the report's {@code frontier.json} (named by its
 * {@code title}, or model, transport, link and batch without one): the splits on the frontier (P >=
 * 0.95), how many are only possibly on it with the two most likely and their probability, the
 * dominated ones, the converged count and the requests and passes behind them:
 *
 * <pre>
 * mobilenetv2 nio, link none, batch 8: frontier none; possible 17 (most likely 13 P=0.53, 9 P=0.47); dominated 0, 1, 3; converged 0 of 20; 2-3 passes, 404 requests
 * </pre>
 *
 * Stateless; reads only the file.
 */
final class FrontierSummary {

  private FrontierSummary() {}

  /**
   * @param frontierJson a {@code paretopipe-frontier} document
   * @return one line per group, none when the file does not exist
   * @throws IOException when it exists but cannot be read or is not JSON
   */
  static List<String> lines(Path frontierJson) throws IOException {
    if (!Files.isRegularFile(frontierJson)) {
      return List.of();
    }
    JsonNode root = new ObjectMapper().readTree(frontierJson.toFile());
    List<String> out = new ArrayList<>();
    for (JsonNode g : root.path("groups")) {
      JsonNode classes = g.path("frontier_classes");
      List<JsonNode> possible = new ArrayList<>();
      int converged = 0;
      int points = 0;
      for (JsonNode p : g.path("points")) {
        points++;
        converged += p.path("converged").asBoolean(false) ? 1 : 0;
        if ("possible".equals(p.path("frontier_class").asText())) {
          possible.add(p);
        }
      }
      possible.sort(
          Comparator.comparingDouble((JsonNode p) -> -p.path("frontier_probability").asDouble(0)));
      StringBuilder likely = new StringBuilder();
      for (int i = 0; i < Math.min(2, possible.size()); i++) {
        likely.append(i == 0 ? " (most likely " : ", ");
        likely.append(
            String.format(
                Locale.ROOT,
                "%s P=%.2f",
                possible.get(i).path("split").asText(),
                possible.get(i).path("frontier_probability").asDouble()));
      }
      if (!likely.isEmpty()) {
        likely.append(')');
      }
      JsonNode samples = g.path("samples");
      int minPasses = samples.path("latency_iterations_min").asInt();
      int maxPasses = samples.path("latency_iterations_max").asInt();
      out.add(
          String.format(
              Locale.ROOT,
              "%s: frontier %s; possible %d%s; dominated %s; converged %d of %d; %s pass%s, %d"
                  + " requests",
              g.hasNonNull("title")
                  ? g.get("title").asText()
                  : g.path("model").asText()
                      + " "
                      + g.path("transport").asText()
                      + ", link "
                      + g.path("link").asText()
                      + ", batch "
                      + g.path("batch").asText(),
              list(classes.path("frontier")),
              possible.size(),
              likely,
              list(classes.path("dominated")),
              converged,
              points,
              minPasses == maxPasses ? Integer.toString(minPasses) : minPasses + "-" + maxPasses,
              maxPasses == 1 ? "" : "es",
              samples.path("latency_requests").asLong()));
    }
    return out;
  }

  private static String list(JsonNode splits) {
    List<String> out = new ArrayList<>();
    splits.forEach(s -> out.add(s.asText()));
    return out.isEmpty() ? "none" : String.join(", ", out);
  }
}
