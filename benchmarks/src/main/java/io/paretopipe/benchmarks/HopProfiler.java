package io.paretopipe.benchmarks;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Reports {@link HopBenchmark}'s hop, forwards excluded, as JMH secondary results ({@code -prof
 * io.paretopipe.benchmarks.HopProfiler}): per iteration, the mean ({@code hop}) and median ({@code
 * hop.p50}) of that iteration's hops in microseconds, the head's and the tail's forward means
 * ({@code forward.head}, {@code forward.tail}, microseconds) and the number of hops ({@code
 * hop.n}). JMH aggregates the per-iteration means over the measurement iterations exactly as it
 * does its {@code avgt} primary score (mean, 99.9 % interval from Student's t over the iterations);
 * {@code hop.n} is the sum over the iterations. Benchmarks other than {@link HopBenchmark} report
 * nothing.
 */
public final class HopProfiler implements InternalProfiler {

  private static final Object LOCK = new Object();
  private static long[] hops = new long[1024];
  private static long headForwardSum;
  private static long tailForwardSum;
  private static int count;

  /** Records one op of {@link HopBenchmark} (nanoseconds). Thread-safe. */
  static void record(long hopNanos, long headForwardNanos, long tailForwardNanos) {
    synchronized (LOCK) {
      if (count == hops.length) {
        hops = Arrays.copyOf(hops, 2 * count);
      }
      hops[count++] = hopNanos;
      headForwardSum += headForwardNanos;
      tailForwardSum += tailForwardNanos;
    }
  }

  private static void reset() {
    synchronized (LOCK) {
      count = 0;
      headForwardSum = 0;
      tailForwardSum = 0;
    }
  }

  @Override
  public String getDescription() {
    return "HopBenchmark's hop time per op, the two forwards excluded";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    reset();
  }

  @Override
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long[] sorted;
    long head;
    long tail;
    synchronized (LOCK) {
      sorted = Arrays.copyOf(hops, count);
      head = headForwardSum;
      tail = tailForwardSum;
    }
    if (sorted.length == 0) {
      return List.of();
    }
    Arrays.sort(sorted);
    int n = sorted.length;
    double mean = Arrays.stream(sorted).sum() / (double) n / 1e3;
    double median = n % 2 == 1 ? sorted[n / 2] / 1e3 : (sorted[n / 2 - 1] + sorted[n / 2]) / 2e3;
    return List.of(
        new ScalarResult("hop", mean, "us/op", AggregationPolicy.AVG),
        new ScalarResult("hop.p50", median, "us/op", AggregationPolicy.AVG),
        new ScalarResult("hop.n", n, "#", AggregationPolicy.SUM),
        new ScalarResult("forward.head", head / (double) n / 1e3, "us/op", AggregationPolicy.AVG),
        new ScalarResult("forward.tail", tail / (double) n / 1e3, "us/op", AggregationPolicy.AVG));
  }
}
