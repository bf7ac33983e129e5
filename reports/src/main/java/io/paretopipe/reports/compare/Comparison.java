package io.paretopipe.reports.compare;

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
