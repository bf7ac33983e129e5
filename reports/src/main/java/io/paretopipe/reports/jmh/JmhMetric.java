package io.paretopipe.reports.jmh;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;

/**
 * One JMH metric (the primary metric or a secondary one) in its own {@link #unit() unit}, e.g.
 * {@code "ms/op"} or {@code "ops/s"}. Unknown values are {@link Double#NaN}. Immutable and
 * thread-safe.
 *
 * @param score the score (mean for SampleTime/AverageTime, rate for Throughput)
 * @param scoreError half width of JMH's 99.9% confidence interval, NaN when JMH could not compute
 *     it
 * @param confidenceLow lower end of JMH's confidence interval (NaN when unknown)
 * @param confidenceHigh upper end of JMH's confidence interval (NaN when unknown)
 * @param percentiles JMH's {@code scorePercentiles}: percentile in 0..100 to value, ascending; may
 *     be empty
 * @param unit JMH's {@code scoreUnit}
 * @param rawData per fork, per iteration scores ({@code rawData}); empty when absent
 * @param rawDataHistogram per fork, per iteration, the {@code [value, count]} pairs of SampleTime
 *     mode; empty when absent
 */
public record JmhMetric(
    double score,
    double scoreError,
    double confidenceLow,
    double confidenceHigh,
    SortedMap<Double, Double> percentiles,
    String unit,
    List<List<Double>> rawData,
    List<List<List<double[]>>> rawDataHistogram) {

  public JmhMetric {
    percentiles = Collections.unmodifiableSortedMap(percentiles);
    rawData = List.copyOf(rawData);
    rawDataHistogram = List.copyOf(rawDataHistogram);
  }

  /**
   * The per-iteration scores of all forks, fork by fork: {@code rawData} flattened, or for
   * SampleTime the count-weighted mean of each iteration's histogram (the same statistic JMH's
   * score is the mean of).
   *
   * @return one value per measured iteration, possibly empty; never null
   */
  public double[] iterationScores() {
    List<Double> values = new ArrayList<>();
    if (!rawData.isEmpty()) {
      rawData.forEach(values::addAll);
    } else {
      for (List<List<double[]>> fork : rawDataHistogram) {
        for (List<double[]> iteration : fork) {
          double sum = 0;
          double count = 0;
          for (double[] valueCount : iteration) {
            sum += valueCount[0] * valueCount[1];
            count += valueCount[1];
          }
          if (count > 0) {
            values.add(sum / count);
          }
        }
      }
    }
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * @return the number of samples behind {@code rawDataHistogram} (0 when it is absent)
   */
  public long histogramSampleCount() {
    long n = 0;
    for (List<List<double[]>> fork : rawDataHistogram) {
      for (List<double[]> iteration : fork) {
        for (double[] valueCount : iteration) {
          n += (long) valueCount[1];
        }
      }
    }
    return n;
  }
}
