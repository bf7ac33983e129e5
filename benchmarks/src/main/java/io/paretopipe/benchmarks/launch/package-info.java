/**
 * The {@code Main-Class} of {@code benchmarks.jar}: JMH's command line, with {@code -p} alone
 * selecting the benchmarks that have the given params.
 */
package io.paretopipe.benchmarks.launch;
