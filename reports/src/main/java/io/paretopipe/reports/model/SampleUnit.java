package io.paretopipe.reports.model;

import io.paretopipe.reports.stats.ValueCounts;
import java.util.Objects;

/**
 * One replication unit of a point's metric: a pass (one JMH JSON file directly in {@code jmh/}, or
 * one sub-folder of {@code jmh/}) when the point was measured in two or more passes, else one
 * measurement iteration. Units are what the intervals and the bootstrap treat as independent; the
 * requests inside a unit are not (docs/REPORTS.md, "Statistics"). Immutable.
 *
 * @param source the pass it came from: its JMH JSON file, or its sub-folder of {@code jmh/} (passes
 *     shared by several points are what the bootstrap pairs)
 * @param weight its weight in the pooled mean: requests for a latency, iterations for a throughput
 * @param mean its mean (ms for a latency, images/s for a throughput)
 * @param innerStandardError the standard error of {@code mean} from within the unit (its
 *     iterations, else its requests), 0 when unknown
 * @param values its per-request latencies in ms, {@link ValueCounts#EMPTY} when unknown
 */
public record SampleUnit(
    String source, double weight, double mean, double innerStandardError, ValueCounts values) {

  public SampleUnit {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(values, "values");
    if (!(weight > 0)) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: > 0)");
    }
  }
}
