package io.paretopipe.reports.stats;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.FDistribution;
import org.apache.commons.math3.special.Gamma;

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

  /**
   * A family's prior for one member's variance: the scaled inverse chi-square distribution the
   * members' variances are drawn from, as limma's {@code fitFDist} estimates it.
   *
   * @param variance the prior variance {@code s0^2} (same scale as the members')
   * @param degreesOfFreedom the prior's degrees of freedom {@code d0}, at most {@link
   *     #MAX_PRIOR_DEGREES_OF_FREEDOM} (the members agree beyond what their own degrees of freedom
   *     explain: the prior is then as good as known)
   */
  public record Prior(double variance, double degreesOfFreedom) {
    public Prior {
      if (!(variance > 0) || !Double.isFinite(variance)) {
        throw new IllegalArgumentException("variance: " + variance + " (expected: > 0)");
      }
      if (!(degreesOfFreedom > 0) || !Double.isFinite(degreesOfFreedom)) {
        throw new IllegalArgumentException(
            "degreesOfFreedom: " + degreesOfFreedom + " (expected: > 0)");
      }
    }
  }

  /** The cap on a prior's degrees of freedom (a t quantile there is the normal's within 0.1%). */
  public static final double MAX_PRIOR_DEGREES_OF_FREEDOM = 1000;

  private VarianceModeration() {}

  /**
   * Estimates the family's prior from its members by moments of their log variances (Smyth 2004,
   * section 6.2): {@code e = ln s^2 - digamma(d/2) + ln(d/2)} has mean {@code ln s0^2 -
   * digamma(d0/2) + ln(d0/2)} and variance {@code trigamma(d/2) + trigamma(d0/2)}, so the spread of
   * the {@code e} beyond the members' own {@code trigamma(d/2)} gives {@code d0}. Members with no
   * degrees of freedom or a variance that is not positive are left out.
   *
   * @param members the family
   * @return the prior, or null with fewer than three usable members
   */
  public static Prior prior(List<Member> members) {
    List<Member> usable = new ArrayList<>();
    for (Member m : members) {
      if (usable(m) && m.relativeVariance() > 0) {
        usable.add(m);
      }
    }
    int g = usable.size();
    if (g < 3) {
      return null;
    }
    double[] e = new double[g];
    double meanE = 0;
    double meanTrigamma = 0;
    for (int i = 0; i < g; i++) {
      double half = usable.get(i).degreesOfFreedom() / 2.0;
      e[i] = Math.log(usable.get(i).relativeVariance()) - Gamma.digamma(half) + Math.log(half);
      meanE += e[i] / g;
      meanTrigamma += Gamma.trigamma(half) / g;
    }
    double spread = 0;
    for (double v : e) {
      spread += (v - meanE) * (v - meanE) / (g - 1);
    }
    double excess = spread - meanTrigamma;
    double d0 =
        excess > 0
            ? Math.min(2 * inverseTrigamma(excess), MAX_PRIOR_DEGREES_OF_FREEDOM)
            : MAX_PRIOR_DEGREES_OF_FREEDOM;
    double variance = Math.exp(meanE + Gamma.digamma(d0 / 2) - Math.log(d0 / 2));
    return new Prior(variance, d0);
  }

  /**
   * Whether a variance {@code v} with {@code d} degrees of freedom exceeds a prior beyond chance:
   * one-sided F test at {@link #HETEROGENEITY_P}; such a member keeps its own variance.
   */
  public static boolean exceeds(double v, double d, Prior prior) {
    return d >= 1 && differs(v, d, prior.variance(), prior.degreesOfFreedom());
  }

  /**
   * The x with {@code trigamma(x) = y}, y > 0, by bisection on a log scale (trigamma decreases).
   */
  static double inverseTrigamma(double y) {
    double lo = Math.log(1e-8);
    double hi = Math.log(1e8);
    for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
      double mid = (lo + hi) / 2;
      if (Gamma.trigamma(Math.exp(mid)) > y) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return Math.exp((lo + hi) / 2);
  }

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
  private static boolean differs(double v, double d, double v0, double d0) {
    double f = v / v0;
    return 1 - new FDistribution(null, d, d0).cumulativeProbability(f) < HETEROGENEITY_P;
  }
}
