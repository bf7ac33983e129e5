package io.paretopipe.reports.stats;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The 95% confidence interval of a mean over the replication units it was measured in (passes,
 * iterations): {@code estimate +- t(0.975, k - 1) x SE}, with the standard error of the weighted
 * (ratio) estimator {@code SE^2 = k / (k - 1) x sum((w_u / W)^2 (m_u - m)^2)}; for equal weights
 * that is the familiar {@code s / sqrt(k)} of the unit means. The variance that matters on a shared
 * machine is between units, not between the requests of one unit (Kalibera and Jones, "Rigorous
 * Benchmarking in Reasonable Time"): a unit's mean already holds its requests' noise, so the
 * requests never count as independent observations. With one unit the between-unit variance is
 * unknown and so is the interval. A point measured alike with others (the splits of one group) may
 * carry a {@linkplain #moderated moderated} standard error instead, with more degrees of freedom
 * ({@link VarianceModeration}). Immutable.
 *
 * @param estimate the mean being bounded
 * @param low lower end, NaN when unknown
 * @param high upper end, NaN when unknown
 * @param units the number of units k
 * @param standardError the standard error, NaN when unknown
 * @param degreesOfFreedom those of the t quantile: {@code k - 1} for the point's own variance, more
 *     when moderated with its family's; 0 when unknown
 */
public record MeanInterval(
    double estimate,
    double low,
    double high,
    int units,
    double standardError,
    int degreesOfFreedom) {

  /** Confidence level. */
  public static final double LEVEL = 0.95;

  private static final double Z = new NormalDistribution().inverseCumulativeProbability(0.975);

  /**
   * @param estimate the reported mean (the interval is centred on it)
   * @param weights each unit's weight (its request count for a latency, its iteration count for a
   *     throughput), positive
   * @param means each unit's mean
   * @return the interval; unknown ends when fewer than 2 units or the estimate is not finite
   */
  public static MeanInterval of(double estimate, double[] weights, double[] means) {
    int k = means.length;
    if (k < 2 || !Double.isFinite(estimate)) {
      return new MeanInterval(estimate, Double.NaN, Double.NaN, k, Double.NaN, 0);
    }
    double total = 0;
    double weighted = 0;
    for (int i = 0; i < k; i++) {
      total += weights[i];
      weighted += weights[i] * means[i];
    }
    double center = weighted / total;
    double sum = 0;
    for (int i = 0; i < k; i++) {
      double share = weights[i] / total;
      double d = means[i] - center;
      sum += share * share * d * d;
    }
    double se = Math.sqrt(k / (k - 1.0) * sum);
    double half = t975(k - 1) * se;
    return new MeanInterval(estimate, estimate - half, estimate + half, k, se, k - 1);
  }

  /**
   * This interval with a moderated standard error: {@code estimate x sqrt(relativeVariance / n)},
   * {@code n} the units' effective number (Kish: {@code W^2 / sum w^2}, k for equal weights), and
   * the t quantile of {@code degreesOfFreedom}.
   *
   * @param relativeVariance a unit's moderated variance relative to the squared mean
   * @param effectiveUnits the effective number of units, > 0
   * @param degreesOfFreedom >= 1
   * @return the moderated interval; this one when it is unknown
   */
  public MeanInterval moderated(
      double relativeVariance, double effectiveUnits, int degreesOfFreedom) {
    if (!known() || !(relativeVariance >= 0) || !(effectiveUnits > 0) || degreesOfFreedom < 1) {
      return this;
    }
    double se = Math.abs(estimate) * Math.sqrt(relativeVariance / effectiveUnits);
    double half = t975(degreesOfFreedom) * se;
    return new MeanInterval(
        estimate, estimate - half, estimate + half, units, se, degreesOfFreedom);
  }

  /**
   * @return whether the interval's degrees of freedom come from more than its own units
   */
  public boolean isModerated() {
    return degreesOfFreedom > units - 1;
  }

  /**
   * @return true when the interval is known (at least 2 units)
   */
  public boolean known() {
    return Double.isFinite(low) && Double.isFinite(high);
  }

  /**
   * @return the half width relative to the estimate, in percent; NaN when unknown
   */
  public double halfWidthPercent() {
    if (!known() || estimate == 0) {
      return Double.NaN;
    }
    return (high - low) / 2 / Math.abs(estimate) * 100;
  }

  /**
   * @param degreesOfFreedom >= 1
   * @return the 97.5% quantile of Student's t
   */
  public static double t975(int degreesOfFreedom) {
    return new TDistribution(null, degreesOfFreedom).inverseCumulativeProbability(0.975);
  }

  /**
   * How much wider Student's 95% quantile is than the normal's.
   *
   * @param degreesOfFreedom >= 1
   * @return {@code t(0.975, degreesOfFreedom) / z(0.975)}
   */
  public static double normalScale(int degreesOfFreedom) {
    return t975(degreesOfFreedom) / Z;
  }

  /**
   * The factor the bootstrap scales a point's resampled deviations by, so that its 95% spread
   * equals this interval's: the plain bootstrap of k units has a variance (k - 1) / k too small and
   * normal tails where Student's t has heavier ones.
   *
   * @param units k >= 2
   * @return {@code t(0.975, k - 1) / z(0.975) x sqrt(k / (k - 1))}
   */
  public static double bootstrapScale(int units) {
    return normalScale(units - 1) * Math.sqrt(units / (units - 1.0));
  }
}
