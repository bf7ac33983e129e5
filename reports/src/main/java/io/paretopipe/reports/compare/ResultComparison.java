package io.paretopipe.reports.compare;

import io.paretopipe.reports.run.Units;
import java.util.SortedMap;

/**
 * The comparison of one JMH result (benchmark method and params) between baseline and current.
 * Scores are in the result's own unit; unknown values are NaN. Immutable.
 *
 * @param benchmark {@code SimpleClass.method}
 * @param mode JMH mode
 * @param params the params, sorted
 * @param unit the score unit
 * @param direction which way is better, from the unit
 * @param baselineScore mean of the baseline's per-iteration scores
 * @param currentScore mean of the current per-iteration scores
 * @param baselineSamples number of baseline iterations (all forks, all pooled runs)
 * @param currentSamples number of current iterations
 * @param ratio current / baseline
 * @param ratioLow lower end of the ratio's confidence interval (level 1 - alpha)
 * @param ratioHigh upper end of the ratio's confidence interval
 * @param worsePercent how much worse current is, in percent: {@code (ratio - 1) * 100} when lower
 *     is better, {@code (1 - ratio) * 100} when higher is better; negative means better
 * @param pValue two-sided p-value of Welch's t-test on the logarithms of the per-iteration scores
 *     (on the scores themselves when one is not positive), NaN when it could not be computed
 * @param verdict the verdict
 * @param pAdjusted the p-value after Holm's correction over every result of the comparison that has
 *     one (the verdict uses it), NaN when there is none
 */
public record ResultComparison(
    String benchmark,
    String mode,
    SortedMap<String, String> params,
    String unit,
    Units.Direction direction,
    double baselineScore,
    double currentScore,
    int baselineSamples,
    int currentSamples,
    double ratio,
    double ratioLow,
    double ratioHigh,
    double worsePercent,
    double pValue,
    Verdict verdict,
    double pAdjusted) {

  /**
   * @return e.g. {@code PartitionBenchmark.latency batch=8 link=none split=3}
   */
  public String label() {
    StringBuilder s = new StringBuilder(benchmark);
    params.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
    return s.toString();
  }
}
