package io.paretopipe.reports.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The least-squares calibration of the per-hop overhead. */
class OverheadTest {
  @Test
  void recoversAKnownLineExactly() {
    List<Overhead.Sample> samples = new ArrayList<>();
    long[] bytes = {4_816_896, 12_845_056, 401_408, 250_880, 2_007_040};
    for (long b : bytes) {
      samples.add(new Overhead.Sample("2 dev " + b, 1, b, 3.0 + 0.5 * b / 1e6));
    }
    samples.add(new Overhead.Sample("3 dev", 2, 1_000_000, 2 * 3.0 + 0.5 * 1.0));
    Overhead o = Overhead.fit(samples, "synthetic");
    assertEquals(3.0, o.fixedMs(), 1e-9);
    assertEquals(0.5, o.msPerMegabyte(), 1e-9);
    assertEquals(6, o.points());
    assertEquals(0.0, o.rmseMs(), 1e-9);
    assertTrue(o.calibrated());
    assertEquals(3.0 + 0.5 * 2, o.hopMs(2_000_000), 1e-12);
  }

  @Test
  void noisyLineIsFittedByLeastSquares() {
    Random random = new Random(3);
    List<Overhead.Sample> samples = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      long b = 100_000L + random.nextInt(5_000_000);
      samples.add(
          new Overhead.Sample("p" + i, 1, b, 4.0 + 0.8 * b / 1e6 + random.nextGaussian() * 0.2));
    }
    Overhead o = Overhead.fit(samples, "noisy");
    assertEquals(4.0, o.fixedMs(), 0.1);
    assertEquals(0.8, o.msPerMegabyte(), 0.03);
    assertEquals(0.2, o.rmseMs(), 0.05);
  }

  @Test
  void fitsTheFixedPartOnlyWhenTheSlopeCannotBeKnownOrIsNegative() {
    Overhead sameBytes =
        Overhead.fit(
            List.of(new Overhead.Sample("a", 1, 1000, 2), new Overhead.Sample("b", 1, 1000, 4)),
            "same bytes");
    assertEquals(3.0, sameBytes.fixedMs(), 1e-12, "the mean residual");
    assertEquals(0.0, sameBytes.msPerMegabyte());
    Overhead one = Overhead.fit(List.of(new Overhead.Sample("a", 2, 5000, 7)), "one");
    assertEquals(3.5, one.fixedMs(), 1e-12, "7 ms over 2 hops");
    Overhead negative =
        Overhead.fit(
            List.of(
                new Overhead.Sample("a", 1, 1_000_000, 10),
                new Overhead.Sample("b", 1, 3_000_000, 6)),
            "negative slope");
    assertEquals(0.0, negative.msPerMegabyte(), "no path gets cheaper with more bytes");
    assertEquals(8.0, negative.fixedMs(), 1e-12);
    assertEquals(2.0, negative.rmseMs(), 1e-12);
  }

  @Test
  void emptyIsNoneAndBadSamplesAreRejected() {
    assertSame(Overhead.NONE, Overhead.fit(List.of(), "nothing"));
    assertFalse(Overhead.NONE.calibrated());
    assertEquals(0.0, Overhead.NONE.hopMs(10_000_000));
    assertThrows(
        IllegalArgumentException.class,
        () -> Overhead.fit(List.of(new Overhead.Sample("x", 0, 1, 1)), "x"));
    assertThrows(
        IllegalArgumentException.class,
        () -> Overhead.fit(List.of(new Overhead.Sample("x", 1, 1, Double.NaN)), "x"));
    assertThrows(IllegalArgumentException.class, () -> new Overhead(1, -1, 1, 0, "x"));
  }
}
