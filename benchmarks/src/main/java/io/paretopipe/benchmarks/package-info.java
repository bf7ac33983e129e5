/**
 * The JMH benchmarks: {@link io.paretopipe.benchmarks.PartitionBenchmark} (every partition point,
 * latency and throughput, with HdrHistogram logs), {@link
 * io.paretopipe.benchmarks.UnitProfileBenchmark} (each unit's compute alone), and the transport and
 * model-forward baselines; the trial fixture ({@link io.paretopipe.benchmarks.PartitionFixture})
 * and the hlog naming they share with the reports.
 */
package io.paretopipe.benchmarks;
