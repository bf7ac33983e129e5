package io.paretopipe.harness.driver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Re-probes a {@link PeakSearch}'s bracket on a second seeded schedule, so that the interval a
 * search states does not rest on one Poisson sample path. The search's bracket {@code [passing,
 * failing)} is only claimed where the second schedule agrees: the lower end must pass again and the
 * upper end must fail again.
 *
 * <p>Where it disagrees the interval widens, never narrows. A rate that passed on one seed and
 * failed on the other lies inside the interval: the lower end moves down to the next rate that
 * passed in the search and is re-probed; the upper end moves up to the next rate that failed in the
 * search and is re-probed. Each end gets at most {@code maxChecksPerEnd} re-probes; an end that
 * finds no agreeing rate becomes NaN (no claim). Worked example: a search of split 10 ends with
 * {@code [44.3, 49.9)} after passing 22.2 and 44.3 and failing 49.9, 55.4 and 66.5. If 44.3 fails
 * on the second seed and 22.2 passes, and 49.9 fails again, the interval is {@code [22.2, 49.9)},
 * not confirmed.
 */
public final class BracketRecheck {

  /** Runs the schedule with {@code seed} at {@code ratePerSecond} and judges it. */
  @FunctionalInterface
  public interface SeededProbe {
    ServerVerdict at(double ratePerSecond, long seed) throws IOException;
  }

  /**
   * One re-probe.
   *
   * @param expectedToPass whether it re-probes a rate that passed in the search
   */
  public record Check(
      double ratePerSecond, long seed, boolean expectedToPass, ServerVerdict verdict) {
    /** Whether the second schedule gives the search's answer at this rate. */
    public boolean agrees() {
      return verdict.passes() == expectedToPass;
    }
  }

  /**
   * @param passingRate the highest rate that passed on both schedules, NaN if none was found
   * @param failingRate the lowest rate that failed on both schedules, NaN if none was found
   * @param atPeak the search's verdict at {@code passingRate}, null if NaN
   * @param confirmed whether both of the search's ends were re-probed and agreed (the interval is
   *     the search's own)
   * @param checks the re-probes, in order
   */
  public record Result(
      double passingRate,
      double failingRate,
      ServerVerdict atPeak,
      boolean confirmed,
      List<Check> checks) {
    public Result {
      checks = List.copyOf(checks);
    }

    /** Whether a rate that passed and one that failed on both schedules bracket the peak. */
    public boolean bracketed() {
      return !Double.isNaN(passingRate) && !Double.isNaN(failingRate);
    }
  }

  private BracketRecheck() {}

  /**
   * @param peak a finished search
   * @param seed the second schedule's seed (not the search's)
   * @param maxChecksPerEnd re-probes per end of the bracket at most, >= 1
   */
  public static Result recheck(
      PeakSearch.Peak peak, SeededProbe probe, long seed, int maxChecksPerEnd) throws IOException {
    if (maxChecksPerEnd < 1) {
      throw new IllegalArgumentException(
          "maxChecksPerEnd: " + maxChecksPerEnd + " (expected: >= 1)");
    }
    TreeSet<Double> passed = new TreeSet<>();
    TreeSet<Double> failed = new TreeSet<>();
    for (PeakSearch.Step s : peak.steps()) {
      (s.verdict().passes() ? passed : failed).add(s.ratePerSecond());
    }
    List<Check> checks = new ArrayList<>();
    double low = firstAgreeing(passed.descendingSet(), true, probe, seed, maxChecksPerEnd, checks);
    double high = firstAgreeing(failed, false, probe, seed, maxChecksPerEnd, checks);
    ServerVerdict atPeak = null;
    for (PeakSearch.Step s : peak.steps()) {
      if (s.ratePerSecond() == low && s.verdict().passes()) {
        atPeak = s.verdict();
      }
    }
    boolean confirmed =
        peak.bracketed()
            && Double.compare(low, peak.passingRate()) == 0
            && Double.compare(high, peak.failingRate()) == 0;
    return new Result(low, high, atPeak, confirmed, checks);
  }

  /** The first of {@code rates} (at most {@code limit} probed) whose re-probe agrees, else NaN. */
  private static double firstAgreeing(
      Iterable<Double> rates,
      boolean expectedToPass,
      SeededProbe probe,
      long seed,
      int limit,
      List<Check> checks)
      throws IOException {
    int n = 0;
    for (Double rate : rates) {
      if (n++ == limit) {
        break;
      }
      Check c = new Check(rate, seed, expectedToPass, probe.at(rate, seed));
      checks.add(c);
      if (c.agrees()) {
        return rate;
      }
    }
    return Double.NaN;
  }
}
