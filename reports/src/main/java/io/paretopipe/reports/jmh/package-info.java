/**
 * Reads JMH's JSON result format ({@code -rf json}) exactly as JMH writes it: {@code params} absent
 * or string-valued, scores that are the strings {@code "NaN"}, {@code "+INF"}, {@code "-INF"},
 * {@code rawData} (per fork, per iteration) or, for SampleTime, {@code rawDataHistogram} (per fork,
 * per iteration, {@code [value, count]} pairs), and {@code secondaryMetrics}. Owns the immutable
 * result records; knows nothing about partition points.
 */
package io.paretopipe.reports.jmh;
