package io.paretopipe.reports.history;

import io.paretopipe.reports.stats.VarianceModeration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the series of one family (one figure of every point on one host fingerprint) say about each
 * other's run-to-run noise: per series, a {@link VarianceModeration.Prior} for the variance of its
 * values' logs, estimated from the <em>other</em> series of the family (leave-one-out, so a series'
 * own change never feeds its own prior). Each series contributes the mean squared successive
 * difference of its logs, {@code sum (x[i+1] - x[i])^2 / (2 (n - 1))}: a step between two levels
 * adds one term, not a whole level's offset, so series that changed barely inflate the prior (and
 * then only towards caution). Its degrees of freedom are the chi-square equivalent of its sampling
 * variance for normal noise, {@code 2 (n-1)^2 / (3n - 4)} (von Neumann, 1941). Stateless.
 */
final class FamilyNoise {

  private FamilyNoise() {}

  /**
   * @param values one series, oldest first
   * @return its member estimate; unusable (0 degrees of freedom) with fewer than three values or a
   *     value that is not positive
   */
  static VarianceModeration.Member member(double[] values) {
    int n = values.length;
    if (n < 3) {
      return new VarianceModeration.Member(Double.NaN, 0);
    }
    double sum = 0;
    for (int i = 0; i + 1 < n; i++) {
      if (!(values[i] > 0) || !(values[i + 1] > 0)) {
        return new VarianceModeration.Member(Double.NaN, 0);
      }
      double d = Math.log(values[i + 1]) - Math.log(values[i]);
      sum += d * d;
    }
    int df = (int) Math.floor(2.0 * (n - 1) * (n - 1) / (3.0 * n - 4));
    return new VarianceModeration.Member(sum / (2.0 * (n - 1)), Math.max(df, 0));
  }

  /**
   * @param family the family's series, each oldest first
   * @return per series (same order) the prior from the others, null where fewer than three others
   *     are usable
   */
  static List<VarianceModeration.Prior> priors(List<double[]> family) {
    List<VarianceModeration.Member> members = new ArrayList<>(family.size());
    for (double[] values : family) {
      members.add(member(values));
    }
    List<VarianceModeration.Prior> priors = new ArrayList<>(family.size());
    for (int i = 0; i < members.size(); i++) {
      List<VarianceModeration.Member> others = new ArrayList<>(members);
      others.remove(i);
      priors.add(VarianceModeration.prior(others));
    }
    return priors;
  }
}
