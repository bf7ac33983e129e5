package io.paretopipe.reports.server;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.model.SplitOrder;
import io.paretopipe.reports.pareto.Frontier;
import io.paretopipe.reports.pareto.LatencyStatistic;
import io.paretopipe.reports.pareto.Objective;
import io.paretopipe.reports.pareto.PointConfidence;
import io.paretopipe.reports.render.Figures;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code server RUN --closed-loop JMHRUN}: JMH's closed-loop frontier of a {@code
 * PartitionBenchmark} run (latency with one request in flight against throughput with {@code depth}
 * in flight) beside the SLO frontier of the server scenario, split by split. The closed-loop
 * frontier is the {@code pareto} report's own ({@link Frontier#compute} with its defaults: mean
 * latency and throughput, probabilistic membership, 1,000 resamples, seed 1), computed over the
 * whole run, so a split is on it here exactly when the {@code pareto} report of JMHRUN says so.
 * Immutable.
 *
 * @param source JMHRUN as given, for the text
 * @param run the closed-loop run
 * @param frontier the pareto frontier of the run (probabilistic, the report's default)
 * @param exact the pareto report's exact frontier of the same run ({@code --frontier exact}: exact
 *     dominance of the estimates), which names a frontier even where the intervals are too wide for
 *     the probabilistic one to rule anything out
 * @param groups per server-scenario {@code "transport link"}, the run's group of the same model,
 *     batch, transport and link
 */
public record ClosedLoopFrontier(
    String source, Run run, Frontier frontier, Frontier exact, Map<String, GroupKey> groups) {

  /** The pareto report's default bootstrap: 1,000 resamples, seed 1. */
  static final int RESAMPLES = 1000;

  static final long SEED = 1;

  public ClosedLoopFrontier {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(frontier, "frontier");
    Objects.requireNonNull(exact, "exact");
    groups = Map.copyOf(groups);
  }

  /**
   * Matches the server scenario's points with the run's groups.
   *
   * @param source JMHRUN as given
   * @param run the loaded run
   * @param points the server scenario's points
   * @param batch the server scenario's batch
   * @throws IllegalArgumentException naming what differs when the run has no point of the same
   *     model and batch, or no group of a server point's transport and link
   */
  public static ClosedLoopFrontier of(
      String source, Run run, List<ServerScenarioFile.Point> points, int batch) {
    if (run.points().isEmpty()) {
      throw new IllegalArgumentException(
          "no PartitionBenchmark latency or throughput results: give a closed-loop run (jmh/*.json)");
    }
    Set<GroupKey> keys = run.pointsByGroup().keySet();
    Map<String, GroupKey> groups = new TreeMap<>();
    for (ServerScenarioFile.Point p : points) {
      List<GroupKey> sameModel = keys.stream().filter(k -> k.model().equals(p.model())).toList();
      if (sameModel.isEmpty()) {
        throw new IllegalArgumentException(
            "its model "
                + distinct(keys.stream().map(GroupKey::model).toList())
                + " differs from the server scenario's "
                + p.model()
                + ": compare runs of one model");
      }
      List<GroupKey> sameBatch = sameModel.stream().filter(k -> k.batch() == batch).toList();
      if (sameBatch.isEmpty()) {
        throw new IllegalArgumentException(
            "it measured "
                + p.model()
                + " at batch "
                + distinct(sameModel.stream().map(k -> Integer.toString(k.batch())).toList())
                + ", the server scenario at batch "
                + batch
                + ": closed-loop images/s and SLO requests/s compare only at one batch (measure"
                + " the closed loop with -Dbench.batch="
                + batch
                + ")");
      }
      List<GroupKey> same =
          sameBatch.stream()
              .filter(k -> k.transport().equals(p.transport()) && k.link().equals(p.link()))
              .sorted()
              .toList();
      if (same.isEmpty()) {
        throw new IllegalArgumentException(
            "it has no "
                + p.model()
                + " batch "
                + batch
                + " points over "
                + p.transport()
                + " and link "
                + p.link()
                + " (it has: "
                + distinct(sameBatch.stream().map(GroupKey::label).toList())
                + ")");
      }
      groups.put(
          key(p), same.stream().filter(k -> k.variant().isEmpty()).findFirst().orElse(same.get(0)));
    }
    List<Objective> objectives =
        List.of(Objective.latency(LatencyStatistic.MEAN), Objective.throughput());
    Frontier frontier =
        Frontier.compute(
            run.pointsByGroup(), objectives, Frontier.Method.PROBABILISTIC, false, RESAMPLES, SEED);
    Frontier exact = Frontier.compute(run.pointsByGroup(), objectives, false);
    return new ClosedLoopFrontier(source, run, frontier, exact, groups);
  }

  private static String key(ServerScenarioFile.Point p) {
    return p.transport() + " " + p.link();
  }

  private static String distinct(List<String> values) {
    return String.join(", ", new LinkedHashSet<>(values));
  }

  /** The run's point of {@code p}'s split in its group, null when the run has none. */
  Point closedLoopPoint(ServerScenarioFile.Point p) {
    GroupKey group = groups.get(key(p));
    return run.pointsByGroup().getOrDefault(group, List.of()).stream()
        .filter(q -> q.split().equals(p.split()))
        .findFirst()
        .orElse(null);
  }

  /**
   * @param slo the SLO, e.g. {@code p99=500ms}
   * @param points the server scenario's points, as the report lists them
   * @param sloFrontier indices of the points on the SLO frontier
   * @return the section: per split both frontiers' figures, who is on which, and the difference
   */
  String markdown(String slo, List<ServerScenarioFile.Point> points, List<Integer> sloFrontier) {
    StringBuilder md = new StringBuilder();
    md.append("\n## The SLO frontier beside JMH's closed-loop depth frontier\n\n");
    md.append("Closed loop: `")
        .append(source)
        .append("` (")
        .append(run.name())
        .append(
            "), `PartitionBenchmark`: mean latency with one request in flight, throughput with"
                + " `depth` in flight; ± the 95% interval over its replication units, n the"
                + " requests (batches) behind each; its frontier is the `pareto` report's"
                + " (probabilistic, mean latency and throughput, 1,000 resamples, seed 1): a split"
                + " is on it unless dominated beyond doubt; beside it the exact frontier of the"
                + " estimates (`pareto --frontier exact`). SLO: the peak Poisson rate meeting ")
        .append("`" + slo + "`")
        .append(
            " with its stated interval, and the SLO percentile at that rate; its frontier is peak"
                + " up, that percentile down. The two runs were measured separately (see their"
                + " dates), so a split's figures come from different sessions.\n\n");
    md.append(
        "| split | server run | closed-loop throughput img/s ± 95% (n) | depth | latency mean ms ±"
            + " 95% (n) | closed-loop frontier | exact | SLO peak /s (stated interval) | SLO"
            + " percentile at peak ms | SLO frontier |\n");
    md.append("|---:|:---|---:|---:|---:|:---|:---:|:---|---:|:---:|\n");
    Set<String> onSlo = new TreeSet<>(SplitOrder.INSTANCE);
    Set<String> onClosed = new TreeSet<>(SplitOrder.INSTANCE);
    Set<String> onExact = new TreeSet<>(SplitOrder.INSTANCE);
    Set<String> notMeasured = new TreeSet<>(SplitOrder.INSTANCE);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      order.add(i);
    }
    order.sort(
        Comparator.comparing((Integer i) -> points.get(i).split(), SplitOrder.INSTANCE)
            .thenComparing(i -> points.get(i).run()));
    for (int i : order) {
      ServerScenarioFile.Point p = points.get(i);
      Point c = closedLoopPoint(p);
      boolean onSloFrontier = sloFrontier.contains(i);
      if (onSloFrontier) {
        onSlo.add(p.split());
      }
      if (c == null) {
        notMeasured.add(p.split());
      } else {
        if (frontier.contains(c)) {
          onClosed.add(p.split());
        }
        if (exact.contains(c)) {
          onExact.add(p.split());
        }
      }
      md.append("| ")
          .append(p.split())
          .append(" | ")
          .append(p.run())
          .append(" | ")
          .append(
              c == null
                  ? "not measured"
                  : Figures.mean(c.throughputImgS(), c.samples().throughputMean(), 2)
                      + " (n "
                      + count(c.samples().throughput().requests())
                      + ")")
          .append(" | ")
          .append(c == null || c.depth().isEmpty() ? "-" : c.depth())
          .append(" | ")
          .append(
              c == null
                  ? "not measured"
                  : Figures.mean(c.latencyMeanMs(), c.samples().latencyMean(), 3)
                      + " (n "
                      + count(c.samples().latency().requests())
                      + ")")
          .append(" | ")
          .append(
              c == null
                  ? "-"
                  : (frontier.contains(c) ? "**yes**" : "no")
                      + " ("
                      + confidence(frontier.confidenceOf(c))
                      + ")")
          .append(" | ")
          .append(c == null ? "-" : exact.contains(c) ? "**yes**" : "no")
          .append(" | ")
          .append(num(p.peakPerS()))
          .append(" (")
          .append(ServerScenarioReport.statedLabel(p.stated()))
          .append(") | ")
          .append(num(p.atPeak() == null ? Double.NaN : p.atPeak().sloPercentileMs()))
          .append(" | ")
          .append(onSloFrontier ? "**yes**" : "no")
          .append(" |\n");
    }
    md.append('\n')
        .append(diff("Closed-loop depth frontier", onClosed, onSlo, notMeasured))
        .append("\n\n")
        .append(diff("Its exact frontier", onExact, onSlo, notMeasured))
        .append('\n');
    return md.toString();
  }

  /**
   * @return which splits are on each frontier and the splits on one but not the other, in sentences
   */
  static String diff(
      String closedName, Set<String> onClosed, Set<String> onSlo, Set<String> notMeasured) {
    List<String> both = new ArrayList<>(onClosed);
    both.retainAll(onSlo);
    List<String> closedOnly = new ArrayList<>(onClosed);
    closedOnly.removeAll(onSlo);
    List<String> sloOnly = new ArrayList<>(onSlo);
    sloOnly.removeAll(onClosed);
    StringBuilder s = new StringBuilder();
    s.append(closedName)
        .append(": ")
        .append(splits(onClosed))
        .append(". SLO frontier: ")
        .append(splits(onSlo))
        .append(". On both: ")
        .append(splits(both))
        .append(". Only on the closed-loop one: ")
        .append(splits(closedOnly))
        .append(". Only on the SLO frontier: ")
        .append(splits(sloOnly))
        .append('.');
    if (!notMeasured.isEmpty()) {
      s.append(" Not measured in the closed loop: ").append(splits(notMeasured)).append('.');
    }
    return s.toString();
  }

  private static String splits(java.util.Collection<String> splits) {
    if (splits.isEmpty()) {
      return "none";
    }
    return (splits.size() == 1 ? "split " : "splits ") + String.join(", ", splits);
  }

  private static String count(long n) {
    return n < 0 ? "not recorded" : Long.toString(n);
  }

  static String num(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
  }

  static String confidence(PointConfidence c) {
    return Figures.frontierClass(c) + ", P = " + Figures.probability(c);
  }
}
