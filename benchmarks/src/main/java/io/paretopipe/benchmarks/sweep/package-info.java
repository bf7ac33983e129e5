/**
 * The sweep behind {@code mvn -Pbench verify}: every chosen model x transport x link x split
 * through {@code PartitionBenchmark} with JMH's Runner API, one shared stage server, one run folder
 * ({@code runs/<timestamp>/}: {@code jmh/}, {@code hlog/}, {@code cuts/}, {@code
 * run-metadata.json}), then the reports post-processor.
 */
package io.paretopipe.benchmarks.sweep;
