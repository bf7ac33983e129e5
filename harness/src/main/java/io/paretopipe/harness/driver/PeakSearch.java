package io.paretopipe.harness.driver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The highest arrival rate that meets an SLO, as MLPerf's {@code FindPeakPerformance} searches it:
 * from a start rate, double while the rate passes (or halve while it fails) until one passing and
 * one failing rate bracket the peak, then bisect until the bracket is narrower than {@code
 * relativePrecision} of its lower end or {@code maxProbes} runs were made. Each probe replays the
 * same seeded schedule at another rate. The answer is the bracket: the peak lies in {@code
 * [passingRate, failingRate)}, which is the interval a second search must agree with.
 */
public final class PeakSearch {

  /** Runs the schedule at {@code ratePerSecond} and judges it. */
  @FunctionalInterface
  public interface Probe {
    ServerVerdict at(double ratePerSecond) throws IOException;
  }

  /** One probe: the rate and its verdict. */
  public record Step(double ratePerSecond, ServerVerdict verdict) {}

  /**
   * @param passingRate the highest rate that passed, NaN if none did down to the minimum rate
   * @param failingRate the lowest rate that failed, NaN if none did up to the probe limit
   * @param atPeak the verdict at {@code passingRate} (its validity flags), null if none passed
   */
  public record Peak(
      double passingRate, double failingRate, ServerVerdict atPeak, List<Step> steps) {
    public Peak {
      steps = List.copyOf(steps);
    }

    /** Whether a passing and a failing rate bracket the peak. */
    public boolean bracketed() {
      return !Double.isNaN(passingRate) && !Double.isNaN(failingRate);
    }
  }

  private PeakSearch() {}

  /**
   * @param startRate the first rate tried, > 0
   * @param minRate no rate below this is tried, > 0
   * @param relativePrecision stop when {@code (failing - passing) / passing} is at most this, > 0
   * @param maxProbes at most this many runs, >= 1
   */
  public static Peak find(
      Probe probe, double startRate, double minRate, double relativePrecision, int maxProbes)
      throws IOException {
    ArrivalSchedule.checkRate(startRate);
    ArrivalSchedule.checkRate(minRate);
    if (!(relativePrecision > 0)) {
      throw new IllegalArgumentException(
          "relativePrecision: " + relativePrecision + " (expected: > 0, e.g. 0.05)");
    }
    if (maxProbes < 1) {
      throw new IllegalArgumentException("maxProbes: " + maxProbes + " (expected: >= 1)");
    }
    List<Step> steps = new ArrayList<>();
    double pass = Double.NaN;
    double fail = Double.NaN;
    ServerVerdict atPeak = null;
    double rate = Math.max(startRate, minRate);
    while (steps.size() < maxProbes) {
      if (!Double.isNaN(pass) && !Double.isNaN(fail)) {
        if ((fail - pass) / pass <= relativePrecision) {
          break;
        }
        rate = (pass + fail) / 2;
      } else if (!Double.isNaN(pass)) {
        rate = pass * 2;
      } else if (!Double.isNaN(fail)) {
        rate = fail / 2;
        if (rate < minRate) {
          break;
        }
      }
      ServerVerdict v = probe.at(rate);
      steps.add(new Step(rate, v));
      if (v.passes()) {
        pass = rate;
        atPeak = v;
      } else {
        fail = rate;
      }
    }
    return new Peak(pass, fail, atPeak, steps);
  }
}
