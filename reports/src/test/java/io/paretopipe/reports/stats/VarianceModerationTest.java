package io.paretopipe.reports.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.stats.VarianceModeration.Member;
import io.paretopipe.reports.stats.VarianceModeration.Moderated;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

class VarianceModerationTest {

  @Test
  void eachMemberIsPooledWithTheOthersAndGetsTheirDegreesOfFreedom() {
    List<Moderated> m =
        VarianceModeration.moderate(
            List.of(
                new Member(0.01, 2),
                new Member(0.04, 2),
                new Member(0.01, 2),
                new Member(Double.NaN, 0)));
    // member 0: others pool to (2 x 0.04 + 2 x 0.01) / 4 = 0.025; (4 x 0.025 + 2 x 0.01) / 6
    assertEquals(0.02, m.get(0).relativeVariance(), 1e-12);
    assertEquals(6, m.get(0).degreesOfFreedom());
    assertTrue(m.get(0).pooled());
    // member 1: 4 times the others' 0.01, P(F(2,4) > 4) = 1/9: chance, so pooled
    assertEquals(0.02, m.get(1).relativeVariance(), 1e-12);
    assertTrue(m.get(1).pooled());
    assertEquals(Double.NaN, m.get(3).relativeVariance());
    assertEquals(0, m.get(3).degreesOfFreedom());
    assertFalse(m.get(3).pooled());
  }

  @Test
  void aMemberNoisierThanItsFamilyBeyondChanceKeepsItsOwnVariance() {
    List<Member> family = new ArrayList<>();
    family.add(new Member(1.0, 5));
    for (int i = 0; i < 4; i++) {
      family.add(new Member(0.01, 5));
    }
    List<Moderated> m = VarianceModeration.moderate(family);
    assertEquals(new Moderated(1.0, 5, false), m.get(0));
    assertTrue(m.get(1).pooled(), "the quiet ones are pooled among themselves: " + m.get(1));
  }

  @Test
  void aLoneMemberKeepsItsOwnVariance() {
    assertEquals(
        new Moderated(0.03, 1, false),
        VarianceModeration.moderate(List.of(new Member(0.03, 1))).get(0));
  }

  /**
   * 200 families of 20 splits measured in 3 passes (log-normal unit means, 5% sd, each split its
   * own mean): the moderated 95% interval covers the true mean in 93-97% of the 4,000 cases, and is
   * under 0.6 times as wide on average as the split's own 2-degree-of-freedom interval (theory:
   * t(40) / (t(2) E[s/sigma]) = 2.02 / (4.30 x 0.886) = 0.53). The F test keeps a split's own
   * variance in about 1% of cases by chance.
   */
  @Test
  void moderatedIntervalsOfThreePassesCoverTheTrueMeanAndAreNarrower() {
    Random random = new Random(16);
    int covered = 0;
    int cases = 0;
    int kept = 0;
    double ownWidth = 0;
    double moderatedWidth = 0;
    int k = 3;
    double sd = 0.05;
    for (int trial = 0; trial < 200; trial++) {
      List<MeanInterval> own = new ArrayList<>();
      List<Member> members = new ArrayList<>();
      double[] truth = new double[20];
      for (int s = 0; s < 20; s++) {
        double mu = 50 + 5 * s;
        truth[s] = mu * Math.exp(sd * sd / 2);
        double[] means = new double[k];
        double sum = 0;
        for (int u = 0; u < k; u++) {
          means[u] = mu * Math.exp(sd * random.nextGaussian());
          sum += means[u];
        }
        double[] weights = {1, 1, 1};
        MeanInterval i = MeanInterval.of(sum / k, weights, means);
        own.add(i);
        double se = i.standardError() / i.estimate();
        members.add(new Member(se * se * k, k - 1));
      }
      List<Moderated> moderated = VarianceModeration.moderate(members);
      for (int s = 0; s < 20; s++) {
        MeanInterval m =
            own.get(s)
                .moderated(
                    moderated.get(s).relativeVariance(), k, moderated.get(s).degreesOfFreedom());
        if (m.isModerated()) {
          assertEquals(40, m.degreesOfFreedom(), "2 own + 19 x 2 pooled");
        } else {
          kept++;
        }
        covered += m.low() <= truth[s] && truth[s] <= m.high() ? 1 : 0;
        cases++;
        ownWidth += own.get(s).high() - own.get(s).low();
        moderatedWidth += m.high() - m.low();
      }
    }
    assertTrue(
        kept <= cases / 50, kept + " of " + cases + " kept their own variance (F test at 1%)");
    double coverage = covered / (double) cases;
    assertTrue(coverage >= 0.93 && coverage <= 0.97, "coverage " + coverage);
    assertTrue(
        moderatedWidth < 0.6 * ownWidth,
        "moderated width " + moderatedWidth / cases + " vs own " + ownWidth / cases);
  }

  /** Observed variances of {@code count} members with {@code d} df each, true variances given. */
  private static List<Member> observed(double[] trueVariances, int d, long seed) {
    ChiSquaredDistribution chi = new ChiSquaredDistribution(new Well19937c(seed), d);
    List<Member> members = new ArrayList<>();
    for (double v : trueVariances) {
      members.add(new Member(v * chi.sample() / d, d));
    }
    return members;
  }

  @Test
  void aFamilyWithOneTrueVarianceGivesThatVarianceAsAPriorOfManyDegreesOfFreedom() {
    double[] truth = new double[2000];
    java.util.Arrays.fill(truth, 0.0025);
    VarianceModeration.Prior prior = VarianceModeration.prior(observed(truth, 10, 5));
    assertEquals(0.0025, prior.variance(), 0.0025 * 0.03, prior.toString());
    assertTrue(prior.degreesOfFreedom() >= 200, prior.toString());
  }

  @Test
  void aFamilyWhoseTrueVariancesDifferGivesTheirSpreadAsDegreesOfFreedom() {
    int d0 = 8;
    double s0 = 0.0025;
    ChiSquaredDistribution chi = new ChiSquaredDistribution(new Well19937c(7), d0);
    double[] truth = new double[4000];
    for (int i = 0; i < truth.length; i++) {
      truth[i] = d0 * s0 / chi.sample();
    }
    VarianceModeration.Prior prior = VarianceModeration.prior(observed(truth, 10, 8));
    assertEquals(d0, prior.degreesOfFreedom(), 2.5, prior.toString());
    assertEquals(s0, prior.variance(), s0 * 0.1, prior.toString());
  }

  @Test
  void aPriorNeedsThreeUsableMembersAndAMuchNoisierMemberExceedsIt() {
    assertNull(
        VarianceModeration.prior(
            List.of(new Member(0.01, 3), new Member(0.02, 3), new Member(Double.NaN, 0))));
    VarianceModeration.Prior prior = new VarianceModeration.Prior(0.0004, 1000);
    assertTrue(VarianceModeration.exceeds(0.0016, 10, prior));
    assertFalse(VarianceModeration.exceeds(0.0005, 10, prior));
    assertFalse(VarianceModeration.exceeds(1, 0, prior));
  }
}
