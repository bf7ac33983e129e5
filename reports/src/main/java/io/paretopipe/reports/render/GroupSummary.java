package io.paretopipe.reports.render;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.MetricSamples;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.pareto.FrontierClass;
import io.paretopipe.reports.pareto.PointConfidence;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What every renderer states per group: the sample counts behind it and how sure its frontier is.
 * Immutable.
 *
 * @param group the group
 * @param points its points
 * @param latencyRequests requests behind its latencies, summed; -1 when unknown for any point
 * @param latencyIterationsMin fewest latency iterations of a point (0 when none measured)
 * @param latencyIterationsMax most latency iterations of a point
 * @param throughputBatches batches behind its throughputs, summed; -1 when unknown for any point
 * @param throughputIterationsMin fewest throughput iterations of a point
 * @param throughputIterationsMax most throughput iterations of a point
 * @param converged points that {@link io.paretopipe.reports.pareto.Convergence converged}
 * @param splitsByClass the point labels of each class, in point order
 * @param unclassified points with an unknown objective
 * @param indistinguishableSets sets (two or more) of points that are not dominated and cannot be
 *     told apart: connected components of "cannot be told apart", so every split is
 *     indistinguishable from at least one other of its set
 */
public record GroupSummary(
    GroupKey group,
    int points,
    long latencyRequests,
    int latencyIterationsMin,
    int latencyIterationsMax,
    long throughputBatches,
    int throughputIterationsMin,
    int throughputIterationsMax,
    int converged,
    Map<FrontierClass, List<String>> splitsByClass,
    List<String> unclassified,
    List<List<String>> indistinguishableSets) {

  /**
   * @return the summary of every group of the report, in group order
   */
  public static Map<GroupKey, GroupSummary> of(ParetoReport report) {
    Map<GroupKey, GroupSummary> result = new LinkedHashMap<>();
    report.run().pointsByGroup().forEach((g, points) -> result.put(g, of(report, g, points)));
    return result;
  }

  private static GroupSummary of(ParetoReport report, GroupKey g, List<Point> points) {
    Map<FrontierClass, List<String>> byClass = new EnumMap<>(FrontierClass.class);
    for (FrontierClass c : FrontierClass.values()) {
      byClass.put(c, new ArrayList<>());
    }
    List<String> unclassified = new ArrayList<>();
    Map<String, PointConfidence> candidates = new LinkedHashMap<>();
    int converged = 0;
    for (Point p : points) {
      String label = p.splitLabel(points);
      PointConfidence c = report.frontier().confidenceOf(p);
      if (c.frontierClass() == null) {
        unclassified.add(label);
      } else {
        byClass.get(c.frontierClass()).add(label);
        if (c.frontierClass() != FrontierClass.DOMINATED) {
          candidates.put(label, c);
        }
      }
      if (report.convergence().converged(p)) {
        converged++;
      }
    }
    return new GroupSummary(
        g,
        points.size(),
        sum(points, s -> s.latency()),
        min(points, s -> s.latency()),
        max(points, s -> s.latency()),
        sum(points, s -> s.throughput()),
        min(points, s -> s.throughput()),
        max(points, s -> s.throughput()),
        converged,
        byClass,
        unclassified,
        components(candidates));
  }

  private static List<List<String>> components(Map<String, PointConfidence> candidates) {
    Map<String, String> parent = new LinkedHashMap<>();
    candidates.keySet().forEach(k -> parent.put(k, k));
    candidates.forEach(
        (label, c) -> {
          for (String other : c.indistinguishable()) {
            if (parent.containsKey(other)) {
              String a = root(parent, label);
              String b = root(parent, other);
              if (!a.equals(b)) {
                parent.put(b, a);
              }
            }
          }
        });
    Map<String, List<String>> sets = new LinkedHashMap<>();
    for (String label : candidates.keySet()) {
      sets.computeIfAbsent(root(parent, label), r -> new ArrayList<>()).add(label);
    }
    return sets.values().stream().filter(s -> s.size() >= 2).map(List::copyOf).toList();
  }

  private static String root(Map<String, String> parent, String x) {
    while (!parent.get(x).equals(x)) {
      x = parent.get(x);
    }
    return x;
  }

  private static long sum(
      List<Point> points, Function<io.paretopipe.reports.model.PointSamples, MetricSamples> f) {
    long total = 0;
    for (Point p : points) {
      MetricSamples s = f.apply(p.samples());
      if (!s.measured()) {
        continue;
      }
      if (s.requests() < 0) {
        return -1;
      }
      total += s.requests();
    }
    return total;
  }

  private static int min(
      List<Point> points, Function<io.paretopipe.reports.model.PointSamples, MetricSamples> f) {
    return points.stream()
        .map(p -> f.apply(p.samples()))
        .filter(MetricSamples::measured)
        .mapToInt(MetricSamples::iterations)
        .min()
        .orElse(0);
  }

  private static int max(
      List<Point> points, Function<io.paretopipe.reports.model.PointSamples, MetricSamples> f) {
    return points.stream()
        .map(p -> f.apply(p.samples()))
        .filter(MetricSamples::measured)
        .mapToInt(MetricSamples::iterations)
        .max()
        .orElse(0);
  }

  /**
   * @return e.g. {@code 1,234 requests in 5 iterations per split (latency); 400 batches in 5
   *     iterations per split (throughput); 18 of 20 points converged}
   */
  public String samplesSentence(double targetPercent) {
    StringBuilder s = new StringBuilder("Samples: ");
    s.append(
            latencyIterationsMax == 0
                ? "no latency measured"
                : countText(latencyRequests, "requests")
                    + " in "
                    + range(latencyIterationsMin, latencyIterationsMax)
                    + " iteration(s) per split (latency)")
        .append("; ")
        .append(
            throughputIterationsMax == 0
                ? "no throughput measured"
                : countText(throughputBatches, "batches")
                    + " in "
                    + range(throughputIterationsMin, throughputIterationsMax)
                    + " iteration(s) per split (throughput)")
        .append("; ")
        .append(converged)
        .append(" of ")
        .append(points)
        .append(" points converged (95% half width <= ")
        .append(Numbers.format(targetPercent))
        .append("%).");
    return s.toString();
  }

  /**
   * @return how sure the frontier is, e.g. {@code Frontier (P >= 0.95): 3, 5. Possibly: 6, 9.
   *     Dominated beyond doubt: 0, 1. Cannot be told apart: {3, 5}.}
   */
  public String certaintySentence() {
    StringBuilder s = new StringBuilder();
    s.append("On the frontier (P >= 0.95): ")
        .append(list(splitsByClass.get(FrontierClass.FRONTIER)))
        .append(". Possibly: ")
        .append(list(splitsByClass.get(FrontierClass.POSSIBLE)))
        .append(". Dominated beyond doubt: ")
        .append(list(splitsByClass.get(FrontierClass.DOMINATED)))
        .append(".");
    if (!unclassified.isEmpty()) {
      s.append(" Not classified (an objective unknown): ").append(list(unclassified)).append(".");
    }
    s.append(" Cannot be told apart: ")
        .append(
            indistinguishableSets.isEmpty()
                ? "none"
                : indistinguishableSets.stream()
                    .map(set -> "{" + String.join(", ", set) + "}")
                    .collect(Collectors.joining(", ")))
        .append(".");
    return s.toString();
  }

  private static String list(List<String> splits) {
    return splits.isEmpty() ? "none" : String.join(", ", splits);
  }

  private static String range(int min, int max) {
    return min == max ? Integer.toString(min) : min + "-" + max;
  }

  private static String countText(long n, String what) {
    return n < 0 ? "unknown " + what : n + " " + what;
  }
}
