package io.paretopipe.harness.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The open-loop pieces that are pure values: schedules, SLOs, early stopping, the peak search. */
class OpenLoopScheduleTest {

  @Test
  void sameSeedGivesTheSameIntendedTimesAndAnotherSeedDoesNot() {
    ArrivalSchedule a = ArrivalSchedule.of(ArrivalSchedule.Process.POISSON, 12, 7);
    long[] first = a.offsetsWithin(Duration.ofSeconds(60));
    assertArrayEquals(first, a.offsetsWithin(Duration.ofSeconds(60)));
    assertArrayEquals(
        first,
        ArrivalSchedule.of(ArrivalSchedule.Process.POISSON, 12, 7)
            .offsetsWithin(Duration.ofSeconds(60)));
    assertFalse(
        Arrays.equals(
            first,
            ArrivalSchedule.of(ArrivalSchedule.Process.POISSON, 12, 8)
                .offsetsWithin(Duration.ofSeconds(60))));
  }

  @Test
  void poissonMeanGapMatchesOneOverRateWithinFourStandardErrors() {
    double rate = 50;
    int n = 10_000;
    ArrivalSchedule.Arrivals arrivals =
        ArrivalSchedule.of(ArrivalSchedule.Process.POISSON, rate, 42).arrivals();
    long last = 0;
    for (int i = 0; i < n; i++) {
      last = arrivals.nextNanos();
    }
    double meanGapSeconds = last / 1e9 / n;
    double expected = 1 / rate;
    double standardError = expected / Math.sqrt(n);
    assertTrue(
        Math.abs(meanGapSeconds - expected) <= 4 * standardError,
        "mean gap " + meanGapSeconds + " s, expected " + expected + " +- " + 4 * standardError);
  }

  @Test
  void constantArrivalsAreExactAndDoNotDrift() {
    long[] offsets =
        ArrivalSchedule.of(ArrivalSchedule.Process.CONSTANT, 12, 0)
            .offsetsWithin(Duration.ofSeconds(60));
    assertEquals(720, offsets.length);
    assertEquals(0, offsets[0]);
    assertEquals(83_333_333, offsets[1]);
    assertEquals(59_916_666_667L, offsets[719]);
  }

  @Test
  void badRatesArrivalsAndSlosAreRefusedWithWhatIsValid() {
    assertEquals(
        "rate: 0.0/s (expected: a finite number of requests per second > 0)",
        assertThrows(
                IllegalArgumentException.class,
                () -> ArrivalSchedule.of(ArrivalSchedule.Process.POISSON, 0, 1))
            .getMessage());
    assertEquals(
        "rate '-3/s' (expected: a finite number of requests per second > 0)",
        assertThrows(IllegalArgumentException.class, () -> ArrivalSchedule.parseRate("-3/s"))
            .getMessage());
    assertEquals(
        "rate 'fast' is not a rate: write requests per second as 12, 12/s or 720/min",
        assertThrows(IllegalArgumentException.class, () -> ArrivalSchedule.parseRate("fast"))
            .getMessage());
    assertEquals(12.0, ArrivalSchedule.parseRate("12/s"));
    assertEquals(12.0, ArrivalSchedule.parseRate("720/min"));
    assertEquals(
        "arrival 'bursty' is unknown: valid arrivals are poisson, constant",
        assertThrows(IllegalArgumentException.class, () -> ArrivalSchedule.Process.parse("bursty"))
            .getMessage());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> LatencySlo.parse("p99<500ms"))
            .getMessage()
            .startsWith("SLO 'p99<500ms' is malformed: write pPERCENTILE=BOUND with a unit"));
    assertThrows(IllegalArgumentException.class, () -> LatencySlo.parse("p100=5ms"));
    assertEquals(new LatencySlo(99, 500_000_000L), LatencySlo.parse("p99=500ms"));
    assertEquals(new LatencySlo(99.9, 1_500_000_000L), LatencySlo.parse("p99.9:1.5s"));
    assertEquals("p99=500ms", LatencySlo.parse("p99:500ms").toString());
  }

  @Test
  void earlyStoppingNeedsLoadGensQueryCounts() {
    assertEquals(459, EarlyStopping.minQueries(0, 0.99));
    assertEquals(662, EarlyStopping.minQueries(1, 0.99));
    assertEquals(64, EarlyStopping.minQueries(1, 0.90));
    assertTrue(EarlyStopping.minQueries(10, 0.99) > EarlyStopping.minQueries(9, 0.99) + 90);
    // refuted: P(Binomial(10, 0.1) >= 4) = 0.0128 > 0.01, P(>= 5) = 0.0016; at p99, >= 2 of 10
    assertFalse(EarlyStopping.refuted(10, 4, 0.90));
    assertTrue(EarlyStopping.refuted(10, 5, 0.90));
    assertFalse(EarlyStopping.refuted(10, 1, 0.99));
    assertTrue(EarlyStopping.refuted(10, 2, 0.99));
    assertFalse(EarlyStopping.refuted(10, 0, 0.90));
  }

  @Test
  void peakSearchBracketsTheHighestPassingRateAndRepeatsExactly() throws IOException {
    double truePeak = 37.3;
    LatencySlo slo = LatencySlo.parse("p99=500ms");
    PeakSearch.Probe probe = rate -> verdict(rate, rate <= truePeak, slo);
    PeakSearch.Peak peak = PeakSearch.find(probe, 4, 0.5, 0.05, 20);
    assertTrue(peak.bracketed());
    assertTrue(peak.passingRate() <= truePeak && truePeak < peak.failingRate(), peak.toString());
    assertTrue((peak.failingRate() - peak.passingRate()) / peak.passingRate() <= 0.05);
    assertTrue(peak.atPeak().valid());
    PeakSearch.Peak again = PeakSearch.find(probe, 4, 0.5, 0.05, 20);
    assertEquals(
        peak.steps().stream().map(PeakSearch.Step::ratePerSecond).toList(),
        again.steps().stream().map(PeakSearch.Step::ratePerSecond).toList());
    PeakSearch.Peak none = PeakSearch.find(r -> verdict(r, false, slo), 4, 0.5, 0.05, 20);
    assertTrue(Double.isNaN(none.passingRate()));
    assertEquals(0.5, none.failingRate());
  }

  /** A 1,000-request result whose requests all took 1 ms (passing) or all 1 s. */
  private static ServerVerdict verdict(double rate, boolean fast, LatencySlo slo) {
    List<OpenLoopResult.RawQuery> raw = new ArrayList<>();
    long gap = (long) (1e9 / rate);
    long latency = fast ? 1_000_000 : 1_000_000_000;
    for (int i = 0; i < 1000; i++) {
      raw.add(new OpenLoopResult.RawQuery(i, i * gap, i * gap, i * gap + latency));
    }
    OpenLoopResult r =
        new OpenLoopResult(
            ArrivalSchedule.of(ArrivalSchedule.Process.POISSON, rate, 1),
            64,
            999 * gap,
            1000 * gap,
            1000,
            0,
            0,
            PhaseRecorder.newLatencyHistogram(),
            PhaseRecorder.newLatencyHistogram(),
            raw,
            null);
    return ServerVerdict.of(r, slo, Duration.ofSeconds(1), 100);
  }
}
