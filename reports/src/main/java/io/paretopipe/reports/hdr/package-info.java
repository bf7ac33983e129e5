/**
 * Reads the HdrHistogram interval logs the benchmarks write beside the JMH JSON, and owns the hlog
 * naming contract: {@code <BenchmarkSimpleName>.<method>__<k1>=<v1>__<k2>=<v2>...hlog}, params
 * sorted by key, keys and values percent-encoded with {@link java.net.URLEncoder} (UTF-8). Values
 * in the logs are nanoseconds; interval histograms are tagged with the series name ({@code e2e},
 * {@code head_compute}, {@code encode}, {@code network}, {@code tail_compute}, {@code decode});
 * {@code #paretopipe.<key>=<value>} comment lines carry metadata such as {@code bytes_per_request}.
 */
package io.paretopipe.reports.hdr;
