package io.paretopipe.reports.render;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.MetricSamples;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.SplitOrder;
import io.paretopipe.reports.pareto.Frontier;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The paragraph at the top of {@code index.html} and {@code summary.md} that says how to read the
 * report: what the axes are, how the frontier is chosen and how sure it is, and what setting and
 * how many samples produced it. Stateless.
 */
final class HowToRead {
  private HowToRead() {}

  /**
   * @param interactive whether to say how to use the interactive charts (the HTML page)
   * @return one paragraph, e.g. {@code How to read this: every point is one split ...}
   */
  static String paragraph(ParetoReport report, boolean interactive) {
    Map<GroupKey, List<Point>> groups = report.run().pointsByGroup();
    List<Point> points = report.run().points();
    String stat = report.latency().label();
    StringBuilder s =
        new StringBuilder("How to read this: every point is one split, the place where");
    s.append(" the model is cut between the head and the tail stage. Latency (x axis): one")
        .append(" request (one batch) end to end, its ")
        .append(stat)
        .append(" in ms, lower is better. Throughput (y axis): images/s with ")
        .append(values(points, Point::depth, "the benchmark's"))
        .append(" request(s) in flight, higher is better. Bars and ± are 95% intervals. ");
    if (report.frontier().method() == Frontier.Method.PROBABILISTIC
        && report.frontier().hasConfidence()) {
      s.append("A split is on the frontier when no other split is better on both; because the")
          .append(" figures are noisy, each split's P(frontier) is the share of ")
          .append(report.frontier().resamples())
          .append(" bootstrap resamples of its measurements in which it is on the frontier:")
          .append(interactive ? " frontier (large outlined diamond)" : " frontier")
          .append(" at P >= 0.95, dominated")
          .append(interactive ? " (faded triangle)" : "")
          .append(" when another split beats it beyond doubt, possible in between;")
          .append(" the line joins the frontier of the estimates. ");
    } else {
      s.append("A split is on the frontier when no other split is better on both (")
          .append(report.frontier().method() == Frontier.Method.PROBABILISTIC ? "" : "exact ")
          .append("dominance of the estimates); the line joins it. ");
    }
    s.append("Setting: ")
        .append(values(points, p -> p.group().model(), "no"))
        .append(" over ")
        .append(values(points, p -> p.group().transport(), "no transport"))
        .append(", link ")
        .append(
            values(
                points,
                p -> "none".equals(p.group().link()) ? "none (loopback)" : p.group().link(),
                "none"))
        .append(", batch ")
        .append(values(points, p -> Integer.toString(p.group().batch()), "?"))
        .append("; ")
        .append(groups.size())
        .append(groups.size() == 1 ? " group, " : " groups, ")
        .append(points.size())
        .append(" points. Samples: ")
        .append(total(points, s2 -> s2.latency(), "requests"))
        .append(" (latency) and ")
        .append(total(points, s2 -> s2.throughput(), "batches"))
        .append(" (throughput) in ")
        .append(passes(points))
        .append(".");
    if (interactive) {
      s.append(
          " Hover a point for its split, intervals, time per phase and bytes; scroll, drag or use"
              + " the slider to zoom; click a legend entry to hide that link.");
    }
    return s.toString();
  }

  private static String values(List<Point> points, Function<Point, String> f, String none) {
    TreeSet<String> set =
        points.stream()
            .map(f)
            .filter(v -> !v.isEmpty())
            .collect(Collectors.toCollection(() -> new TreeSet<>(SplitOrder.INSTANCE)));
    return set.isEmpty() ? none : String.join(", ", set);
  }

  private static String total(
      List<Point> points,
      Function<io.paretopipe.reports.model.PointSamples, MetricSamples> f,
      String what) {
    long total = 0;
    for (Point p : points) {
      MetricSamples m = f.apply(p.samples());
      if (!m.measured()) {
        continue;
      }
      if (m.requests() < 0) {
        return "unknown " + what;
      }
      total += m.requests();
    }
    return total + " " + what;
  }

  private static String passes(List<Point> points) {
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (Point p : points) {
      MetricSamples m =
          p.samples().latency().measured() ? p.samples().latency() : p.samples().throughput();
      if (m.measured()) {
        min = Math.min(min, m.iterations());
        max = Math.max(max, m.iterations());
      }
    }
    if (max == 0) {
      return "no measured iteration";
    }
    return (min == max ? Integer.toString(max) : min + "-" + max) + " iteration(s) per point";
  }
}
