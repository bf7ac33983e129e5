package io.paretopipe.reports.stats;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.FDistribution;

/**
 * Moderated variances for a family of results measured alike: the splits of one group (same model,
 * transport, link, batch, placement) measured in the same interleaved passes on the same machine.
 * With two or three passes per point a point's own variance rests on one or two degrees of freedom
 * (Student's t then multiplies the standard error by 12.7 or 4.3); the family's points share the
 * machine, its drift and the pass structure, so their relative (log-scale) variances estimate one
 * quantity. Each member's variance is moderated towards the pooled variance of the <em>other</em>
 * members (leave-one-out, so the prior is independent of the member): {@code v~ = (d0 v0 + d v) /
 * (d0 + d)} with {@code d0 + d} degrees of freedom, the moderated t of Smyth (2004, "Linear models
 * and empirical Bayes methods for assessing differential expression", limma) with the prior's
 * degrees of freedom taken as the pooled ones. A member whose own variance exceeds the others'
 * beyond chance (one-sided F test, {@code p < }{@link #HETEROGENEITY_P}) is not moderated: it keeps
 * its own variance and degrees of freedom, so a point that really is noisier is never made to look
 * as tight as its neighbours; one that looks quieter than the others is moderated (two nearly equal
 * passes are luck far more often than a quieter point). Stateless.
 */
public final class VarianceModeration {

  /** One-sided p below which a larger variance is taken as the member's own, not the family's. */
  public static final double HETEROGENEITY_P = 0.01;

  /**
   * One member's own estimate.
   *
   * @param relativeVariance the variance of one replication unit relative to the mean squared (for
   *     logs of positive values: the variance of the logs), NaN when unknown
   * @param degreesOfFreedom units - 1; 0 when the variance is unknown
   */
  public record Member(double relativeVariance, int degreesOfFreedom) {}

  /**
   * One member's moderated estimate.
   *
   * @param relativeVariance the variance to use, NaN when unknown (fewer than two units)
   * @param degreesOfFreedom the degrees of freedom of its t quantile, 0 when unknown
   * @param pooled whether it was moderated with the family's variance (false: its own, because it
   *     differs from the family, or because it has no family)
   */
  public record Moderated(double relativeVariance, int degreesOfFreedom, boolean pooled) {}

  private VarianceModeration() {}

  /**
   * @param members the family, in any order
   * @return one moderated estimate per member, in the same order
   */
  public static List<Moderated> moderate(List<Member> members) {
    double sumDf = 0;
    double sumDfVariance = 0;
    for (Member m : members) {
      if (usable(m)) {
        sumDf += m.degreesOfFreedom();
        sumDfVariance += m.degreesOfFreedom() * m.relativeVariance();
      }
    }
    List<Moderated> result = new ArrayList<>(members.size());
    for (Member m : members) {
      if (!usable(m)) {
        result.add(new Moderated(Double.NaN, 0, false));
        continue;
      }
      int d = m.degreesOfFreedom();
      double d0 = sumDf - d;
      double v0 = d0 > 0 ? (sumDfVariance - d * m.relativeVariance()) / d0 : Double.NaN;
      if (!(d0 > 0) || !(v0 > 0) || differs(m.relativeVariance(), d, v0, (int) d0)) {
        result.add(new Moderated(m.relativeVariance(), d, false));
      } else {
        double v = (d0 * v0 + d * m.relativeVariance()) / (d0 + d);
        result.add(new Moderated(v, (int) d0 + d, true));
      }
    }
    return result;
  }

  private static boolean usable(Member m) {
    return m.degreesOfFreedom() >= 1
        && Double.isFinite(m.relativeVariance())
        && m.relativeVariance() >= 0;
  }

  /** Whether {@code v} ({@code d} df) exceeds {@code v0} ({@code d0} df): one-sided F test. */
  private static boolean differs(double v, int d, double v0, int d0) {
    double f = v / v0;
    return 1 - new FDistribution(null, d, d0).cumulativeProbability(f) < HETEROGENEITY_P;
  }
}
