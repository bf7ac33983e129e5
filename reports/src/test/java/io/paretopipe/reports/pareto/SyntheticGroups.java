package io.paretopipe.reports.pareto;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.MetricSamples;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.PointSamples;
import io.paretopipe.reports.model.SampleUnit;
import io.paretopipe.reports.stats.PercentileEstimate;
import io.paretopipe.reports.stats.ValueCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Synthetic groups of splits measured the way the sweep measures them: {@code passes} passes over
 * every split, {@code requests} latencies per split and pass, one throughput per split and pass.
 * The machine drifts like the lab machine: every pass multiplies all times by a common factor that
 * follows a random walk in log space (sd {@code passDrift} per pass: 0.1 gives about 2x within 50
 * passes), and each split's pass has its own log-normal factor (sd {@code ownDrift}).
 */
final class SyntheticGroups {
  /** Request latency shapes (ms), for a mean near 100 ms. */
  enum Shape {
    NORMAL(r -> 100 + 10 * r.nextGaussian()),
    LOG_NORMAL(r -> 95.6 * Math.exp(0.3 * r.nextGaussian())),
    BIMODAL_SLOW_TAIL(
        r -> r.nextDouble() < 0.01 ? 1000 + 50 * r.nextGaussian() : 100 + 5 * r.nextGaussian());

    final java.util.function.ToDoubleFunction<Random> draw;

    Shape(java.util.function.ToDoubleFunction<Random> draw) {
      this.draw = draw;
    }
  }

  int splits = 20;
  int passes = 10;
  int requests = 50;
  double passDrift = 0.1;
  double ownDrift = 0.05;
  double throughputImgS = 40;

  /**
   * @param speedUp per split, a factor on its times (0.9 = 10% faster), identity for the rest
   */
  Map<GroupKey, List<Point>> group(Shape shape, long seed, Map<Integer, Double> speedUp) {
    Random random = new Random(seed);
    GroupKey key = new GroupKey("synthetic", "local", "none", 1, "");
    double[] passFactor = new double[passes];
    double log = 0;
    for (int p = 0; p < passes; p++) {
      log += p == 0 ? 0 : passDrift * random.nextGaussian();
      passFactor[p] = Math.exp(log);
    }
    List<Point> points = new ArrayList<>();
    for (int s = 0; s < splits; s++) {
      double speed = speedUp.getOrDefault(s, 1.0);
      List<SampleUnit> latencyUnits = new ArrayList<>();
      List<SampleUnit> throughputUnits = new ArrayList<>();
      List<ValueCounts> all = new ArrayList<>();
      double tSum = 0;
      for (int p = 0; p < passes; p++) {
        double factor = passFactor[p] * Math.exp(ownDrift * random.nextGaussian()) * speed;
        List<double[]> pairs = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
          pairs.add(
              new double[] {
                Math.round(factor * shape.draw.applyAsDouble(random) * 1000) / 1000.0, 1
              });
        }
        ValueCounts values = ValueCounts.ofPairs(pairs, 1);
        all.add(values);
        latencyUnits.add(
            new SampleUnit(
                "pass-" + p,
                values.total(),
                values.mean(),
                Math.sqrt(values.variance() / values.total()),
                values));
        double t =
            throughputImgS / (passFactor[p] * Math.exp(ownDrift * random.nextGaussian()) * speed);
        tSum += t;
        throughputUnits.add(new SampleUnit("pass-" + p, 1, t, 0, ValueCounts.EMPTY));
      }
      ValueCounts pooled = ValueCounts.pool(all);
      MetricSamples latency =
          new MetricSamples(latencyUnits, pooled.total(), passes, passes, "jmh_histogram");
      MetricSamples throughput =
          new MetricSamples(throughputUnits, passes * 100L, passes, passes, "jmh_iterations");
      double mean = pooled.mean();
      double imgS = tSum / passes;
      List<PercentileEstimate> percentiles = new ArrayList<>();
      TreeMap<Double, Double> pct = new TreeMap<>();
      for (double q : PointSamples.REPORTED_PERCENTILES) {
        PercentileEstimate e = PercentileEstimate.of(q, pooled, Double.NaN);
        percentiles.add(e);
        if (e.supported()) {
          pct.put(q, e.valueMs());
        }
      }
      PointSamples samples =
          new PointSamples(
              latency, throughput, latency.interval(mean), throughput.interval(imgS), percentiles);
      points.add(
          new Point(
              key,
              Integer.toString(s),
              "4",
              mean,
              Double.NaN,
              Double.NaN,
              pct,
              imgS,
              Double.NaN,
              Double.NaN,
              -1,
              Map.of(),
              samples));
    }
    return Map.of(key, points);
  }
}
