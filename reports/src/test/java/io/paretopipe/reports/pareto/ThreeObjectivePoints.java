package io.paretopipe.reports.pareto;

import io.paretopipe.reports.model.CostFigure;
import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.MetricSamples;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.PointCosts;
import io.paretopipe.reports.model.PointSamples;
import io.paretopipe.reports.model.SampleUnit;
import io.paretopipe.reports.stats.ValueCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Points with a latency, a throughput, and CPU time and energy per image, for frontier tests. */
final class ThreeObjectivePoints {

  static final GroupKey GROUP = new GroupKey("mobilenetv2", "nio", "pi-link", 8, "");

  private ThreeObjectivePoints() {}

  /**
   * A point without samples: latency {@code latencyMs}, throughput {@code throughputImgS}, CPU and
   * energy per image both {@code cost} (NaN: energy {@code unavailable}, CPU unknown).
   */
  static Point point(String split, double latencyMs, double throughputImgS, double cost) {
    return new Point(
            GROUP,
            split,
            "4",
            latencyMs,
            Double.NaN,
            Double.NaN,
            new TreeMap<>(),
            throughputImgS,
            Double.NaN,
            Double.NaN,
            -1,
            Map.of())
        .withCosts(costs(fixed(cost), fixed(cost)));
  }

  /**
   * A point measured in passes {@code pass-1..pass-k}: per pass its mean latency, throughput, CPU
   * ms and J per image (an energy array of NaN: {@code unavailable}).
   */
  static Point measured(
      String split, double[] latencyMs, double[] throughputImgS, double[] cpuMs, double[] joules) {
    MetricSamples latency = samples(latencyMs, 10);
    MetricSamples throughput = samples(throughputImgS, 1);
    double lat = mean(latencyMs);
    double thr = mean(throughputImgS);
    PointSamples s =
        new PointSamples(
            latency, throughput, latency.interval(lat), throughput.interval(thr), List.of());
    CostFigure energy = Double.isNaN(joules[0]) ? CostFigure.NONE : figure(joules);
    return new Point(
            GROUP,
            split,
            "4",
            lat,
            Double.NaN,
            Double.NaN,
            new TreeMap<>(),
            thr,
            Double.NaN,
            Double.NaN,
            -1,
            Map.of(),
            s)
        .withCosts(costs(figure(cpuMs), energy));
  }

  private static PointCosts costs(CostFigure cpu, CostFigure energy) {
    return new PointCosts(
        Map.of(PointCosts.TOTAL, cpu),
        energy,
        Map.of(),
        energy.known() ? "estimated" : PointCosts.UNAVAILABLE,
        energy.known() ? "model" : "auto: no tier applies",
        "throughput");
  }

  private static CostFigure fixed(double value) {
    return Double.isNaN(value)
        ? CostFigure.NONE
        : new CostFigure(value, MetricSamples.NONE, CostFigure.NONE.interval());
  }

  private static CostFigure figure(double[] perPass) {
    MetricSamples s = samples(perPass, 160);
    double v = mean(perPass);
    return new CostFigure(v, s, s.interval(v));
  }

  private static MetricSamples samples(double[] perPass, double weight) {
    List<SampleUnit> units = new ArrayList<>();
    for (int i = 0; i < perPass.length; i++) {
      units.add(new SampleUnit("pass-" + (i + 1), weight, perPass[i], 0, ValueCounts.EMPTY));
    }
    return new MetricSamples(
        units, (long) (weight * perPass.length), perPass.length, perPass.length, "hlog");
  }

  private static double mean(double[] v) {
    double sum = 0;
    for (double d : v) {
      sum += d;
    }
    return sum / v.length;
  }
}
