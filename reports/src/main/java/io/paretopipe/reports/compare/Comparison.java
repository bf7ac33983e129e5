package io.paretopipe.reports.compare;

import io.paretopipe.reports.run.ResultIdentity;
import java.util.List;

/**
 * Everything {@code compare} found. Immutable.
 *
 * @param baselineName the baseline's name (a file or folder name; for a history, the pooled runs'
 *     names)
 * @param currentName the current run's name
 * @param thresholdPercent the threshold a change must exceed to count, in percent
 * @param alpha the significance level of the test (e.g. 0.05)
 * @param results per result, in a stable order (benchmark, then params)
 * @param frontierChanges per group, whether its frontier splits changed
 * @param trends for a history: per result label, its score in each run, oldest first; empty for two
 *     runs
 * @param minComparedShare the share (0..1) of the baseline's results that must get a verdict
 * @param scope what the share counts: {@code "partition results"} (the latency and throughput
 *     results of the points) when the baseline has any, else {@code "results"}
 * @param baselineResults how many results in the scope the baseline has
 * @param comparedResults how many of them got a verdict (regression, improvement or no change)
 * @param configDifferences the configuration settings that differ between the baseline and the
 *     current run ({@link RunConfiguration#differences}), empty when they are equal; {@code null}
 *     when they were not compared: the current run, or every baseline run, has no {@code
 *     run-metadata.json} (a JMH JSON file, a folder of them). Information only: they change no
 *     verdict
 */
public record Comparison(
    String baselineName,
    String currentName,
    double thresholdPercent,
    double alpha,
    List<ResultComparison> results,
    List<FrontierChange> frontierChanges,
    List<Trend> trends,
    double minComparedShare,
    String scope,
    int baselineResults,
    int comparedResults,
    List<ConfigDifference> configDifferences) {

  public Comparison {
    results = List.copyOf(results);
    frontierChanges = List.copyOf(frontierChanges);
    trends = List.copyOf(trends);
    configDifferences = configDifferences == null ? null : List.copyOf(configDifferences);
  }

  /**
   * @param differences the configuration differences, or {@code null} when not compared
   * @return this comparison with {@code differences} as its {@link #configDifferences}
   */
  public Comparison withConfigDifferences(List<ConfigDifference> differences) {
    return new Comparison(
        baselineName,
        currentName,
        thresholdPercent,
        alpha,
        results,
        frontierChanges,
        trends,
        minComparedShare,
        scope,
        baselineResults,
        comparedResults,
        differences);
  }

  /**
   * @return the results with a {@link Verdict#REGRESSION} verdict
   */
  public List<ResultComparison> regressions() {
    return results.stream().filter(r -> r.verdict() == Verdict.REGRESSION).toList();
  }

  /**
   * @return the share (0..1) of the baseline's results in the scope that got a verdict; 0 when the
   *     baseline has none
   */
  public double comparedShare() {
    return baselineResults == 0 ? 0 : comparedResults / (double) baselineResults;
  }

  /**
   * @return true when less than {@link #minComparedShare} of the baseline's results could be
   *     compared: such a comparison never says "OK"
   */
  public boolean tooLittleCompared() {
    return baselineResults == 0 || comparedShare() < minComparedShare;
  }

  /**
   * Why results are missing when the current run measured them differently rather than lost them:
   * per change of one identifying param, how many missing results have a new counterpart that
   * differs from them in that param only (same benchmark and mode; {@code tail} and the params
   * {@link ResultIdentity} ignores do not count, and an absent {@code grpcTuning} reads {@code
   * default}).
   *
   * @return e.g. {@code 4 missing results are new with grpcTuning tuned instead of default}, one
   *     line per change, in result order; empty when every missing result is simply absent
   */
  public List<String> changedParams() {
    List<ResultComparison> added =
        results.stream().filter(r -> r.verdict() == Verdict.NEW).toList();
    java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
    for (ResultComparison missing : results) {
      if (missing.verdict() != Verdict.MISSING) {
        continue;
      }
      java.util.SortedMap<String, String> before = ResultIdentity.params(missing.params());
      for (ResultComparison n : added) {
        if (!n.benchmark().equals(missing.benchmark()) || !n.mode().equals(missing.mode())) {
          continue;
        }
        java.util.SortedMap<String, String> after = ResultIdentity.params(n.params());
        java.util.Set<String> keys = new java.util.TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        List<String> differing =
            keys.stream().filter(k -> !value(before, k).equals(value(after, k))).toList();
        if (differing.size() == 1) {
          String k = differing.get(0);
          counts.merge(
              k + " " + value(after, k) + " instead of " + value(before, k), 1, Integer::sum);
          break;
        }
      }
    }
    List<String> lines = new java.util.ArrayList<>();
    counts.forEach(
        (change, n) ->
            lines.add(
                n
                    + (n == 1 ? " missing result is" : " missing results are")
                    + " new with "
                    + change));
    return lines;
  }

  private static String value(java.util.Map<String, String> params, String key) {
    String v = params.get(key);
    if (v != null) {
      return v;
    }
    return key.equals(ResultIdentity.GRPC_TUNING) ? ResultIdentity.DEFAULT_GRPC_TUNING : "(none)";
  }

  /**
   * @return true when any group's frontier splits changed
   */
  public boolean frontierChanged() {
    return frontierChanges.stream().anyMatch(FrontierChange::changed);
  }

  /**
   * One result's score over a history of runs.
   *
   * @param label the result's label
   * @param unit its unit
   * @param runNames the run names, oldest first
   * @param scores its score per run (NaN when absent from a run)
   * @param errors JMH's score error per run (NaN when unknown)
   */
  public record Trend(
      String label, String unit, List<String> runNames, double[] scores, double[] errors) {}
}
