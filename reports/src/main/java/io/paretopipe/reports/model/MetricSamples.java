package io.paretopipe.reports.model;

import io.paretopipe.reports.stats.MeanInterval;
import java.util.List;

/**
 * The samples behind one metric of a point (its latency, or its throughput), pooled over every file
 * and fork of the inputs, with their counts. Immutable.
 *
 * @param units the replication units, in input order
 * @param requests requests behind a latency, or batches behind a throughput; -1 when unknown
 * @param iterations measurement iterations, over every file and fork
 * @param forks forks, counting each file's forks separately (a sweep's passes are forks)
 * @param source where the per-request values come from: {@code hlog}, {@code jmh_histogram}, {@code
 *     jmh_iterations} (only per-iteration scores), or {@code ""} when not measured
 */
public record MetricSamples(
    List<SampleUnit> units, long requests, int iterations, int forks, String source) {

  /** Not measured. */
  public static final MetricSamples NONE = new MetricSamples(List.of(), -1, 0, 0, "");

  public MetricSamples {
    units = List.copyOf(units);
  }

  /**
   * @return true when measured at all
   */
  public boolean measured() {
    return !units.isEmpty();
  }

  /**
   * @return true when there are at least two units, so the between-unit variance is known
   */
  public boolean replicated() {
    return units.size() >= 2;
  }

  /**
   * @return the units' effective number, {@code W^2 / sum w^2} (Kish): k for equal weights, less
   *     when a few units carry most of the weight; 0 without units
   */
  public double effectiveUnits() {
    double total = 0;
    double squares = 0;
    for (SampleUnit u : units) {
      total += u.weight();
      squares += u.weight() * u.weight();
    }
    return squares == 0 ? 0 : total * total / squares;
  }

  /**
   * @param estimate the reported mean
   * @return its 95% interval over the units
   */
  public MeanInterval interval(double estimate) {
    double[] weights = units.stream().mapToDouble(SampleUnit::weight).toArray();
    double[] means = units.stream().mapToDouble(SampleUnit::mean).toArray();
    return MeanInterval.of(estimate, weights, means);
  }
}
