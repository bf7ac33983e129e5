package io.paretopipe.reports.stats;

import java.util.Arrays;
import java.util.Locale;

/**
 * A ratio of two benchmarks measured side by side in several rounds (one ratio per round, each
 * round's two scores from the same machine window), summarised so that a verdict says how sure it
 * is. The rounds are the replication units: a round's ratio already holds its iterations' noise,
 * and what decides a claim on a drifting machine is how the ratio moves between windows. The
 * interval is the 95% t interval of the mean of the log ratios ({@link MeanInterval}, equal
 * weights), exponentiated (a geometric mean, since a ratio of 2 and one of 0.5 average to 1); with
 * one round it is unknown. Immutable.
 *
 * @param ratios each round's ratio, in round order, all positive and finite
 * @param median the median of the ratios
 * @param geometricMean {@code exp(mean(log ratio))}
 * @param low lower end of the 95% interval of the geometric mean, NaN with one round
 * @param high upper end, NaN with one round
 */
public record RoundRatios(
    double[] ratios, double median, double geometricMean, double low, double high) {

  /** Confidence level of {@link #low()} and {@link #high()}. */
  public static final double LEVEL = MeanInterval.LEVEL;

  /** Where the ratio stands against an upper bound. */
  public enum Verdict {
    /** The whole interval is at or below the bound. */
    HOLDS,
    /** The whole interval is above the bound. */
    FAILS,
    /** The interval reaches both sides of the bound, or is unknown (one round). */
    UNDECIDED;

    /** Lower-case name, as printed. */
    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public RoundRatios {
    ratios = ratios.clone();
  }

  /**
   * @param ratios one ratio per round, at least one, each positive and finite
   * @return their summary
   * @throws IllegalArgumentException if there is no ratio or one is not positive and finite
   */
  public static RoundRatios of(double[] ratios) {
    if (ratios.length == 0) {
      throw new IllegalArgumentException("no rounds: a ratio needs at least one round");
    }
    double[] logs = new double[ratios.length];
    for (int i = 0; i < ratios.length; i++) {
      double r = ratios[i];
      if (!(r > 0) || Double.isInfinite(r)) {
        throw new IllegalArgumentException(
            "round " + (i + 1) + ": ratio " + r + " (expected: positive and finite)");
      }
      logs[i] = Math.log(r);
    }
    int n = ratios.length;
    double mean = Arrays.stream(logs).sum() / n;
    double[] equalWeights = new double[n];
    Arrays.fill(equalWeights, 1);
    MeanInterval logInterval = MeanInterval.of(mean, equalWeights, logs);
    double low = Math.exp(logInterval.low());
    double high = Math.exp(logInterval.high());
    double[] sorted = ratios.clone();
    Arrays.sort(sorted);
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return new RoundRatios(ratios, median, Math.exp(mean), low, high);
  }

  /** The number of rounds. */
  public int rounds() {
    return ratios.length;
  }

  /** Each round's ratio, in round order (a copy). */
  @Override
  public double[] ratios() {
    return ratios.clone();
  }

  /**
   * @param bound the largest ratio the claim allows, positive
   * @return {@link Verdict#HOLDS} if the interval's upper end is at most {@code bound}, {@link
   *     Verdict#FAILS} if its lower end is above it, {@link Verdict#UNDECIDED} otherwise (and
   *     always with one round)
   */
  public Verdict against(double bound) {
    if (rounds() < 2) {
      return Verdict.UNDECIDED;
    }
    if (high <= bound) {
      return Verdict.HOLDS;
    }
    return low > bound ? Verdict.FAILS : Verdict.UNDECIDED;
  }

  /** How many rounds' ratios are at most {@code bound}. */
  public int roundsAtMost(double bound) {
    return (int) Arrays.stream(ratios).filter(r -> r <= bound).count();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RoundRatios other
        && Arrays.equals(ratios, other.ratios)
        && Double.compare(median, other.median) == 0
        && Double.compare(geometricMean, other.geometricMean) == 0
        && Double.compare(low, other.low) == 0
        && Double.compare(high, other.high) == 0;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ratios) * 31 + Double.hashCode(geometricMean);
  }

  @Override
  public String toString() {
    return "RoundRatios" + Arrays.toString(ratios);
  }
}
