package io.paretopipe.harness.transport.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The prediction and the window of {@link AnswerWait}, on synthetic clocks (no sockets). */
class AnswerWaitTest {
  private static final AnswerWait.SpinBounds BOUNDS = AnswerWait.SpinBounds.DEFAULT;
  private static final long MS = 1_000_000;

  /** One round trip: sent at {@code sendEnd}, first byte of the answer {@code delay} later. */
  private static void roundTrip(AnswerWait w, long sendEnd, long delay) {
    w.sent(sendEnd);
    w.arrived(true, sendEnd + delay);
  }

  @Test
  void noPredictionBeforeThreeSamplesAndNoSpinThen() {
    AnswerWait w = new AnswerWait(BOUNDS);
    assertEquals(-1, w.predictedNanos());
    roundTrip(w, 0, 5 * MS);
    roundTrip(w, 10 * MS, 5 * MS);
    assertEquals(-1, w.predictedNanos());
    w.sent(20 * MS);
    for (long t = 20 * MS; t < 30 * MS; t += 100_000) {
      assertEquals(AnswerWait.BLOCK, w.plan(true, t), "at " + t);
    }
    assertEquals(0, w.spinPolls());
    w.arrived(true, 25 * MS);
    assertEquals(5 * MS, w.predictedNanos());
  }

  @Test
  void predictionIsTheMinimumOfTheLastEightSamples() {
    AnswerWait w = new AnswerWait(BOUNDS);
    long t = 0;
    roundTrip(w, t, 1 * MS);
    for (int i = 0; i < 7; i++) {
      t += 100 * MS;
      roundTrip(w, t, 4 * MS + i);
    }
    assertEquals(1 * MS, w.predictedNanos());
    t += 100 * MS;
    roundTrip(w, t, 9 * MS);
    assertEquals(4 * MS, w.predictedNanos(), "the ninth sample evicts the oldest (1 ms)");
  }

  @Test
  void answersWithMoreThanOneRequestUnansweredAreNoSample() {
    AnswerWait w = new AnswerWait(BOUNDS);
    for (int i = 0; i < 3; i++) {
      roundTrip(w, i * 100 * MS, 5 * MS);
    }
    w.sent(400 * MS);
    w.sent(401 * MS);
    w.arrived(true, 401 * MS + 10); // two unanswered: not a sample (it would be the minimum)
    w.arrived(true, 408 * MS); // the last one alone: 7 ms after its send
    assertEquals(5 * MS, w.predictedNanos());
    for (int i = 0; i < 3; i++) {
      roundTrip(w, (500 + i * 100) * MS, 9 * MS);
    }
    assertEquals(5 * MS, w.predictedNanos());
    for (int i = 0; i < 4; i++) {
      roundTrip(w, (900 + i * 100) * MS, 9 * MS);
    }
    assertEquals(7 * MS, w.predictedNanos(), "the 5 ms samples left the window, the 7 ms one not");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 10_000, 100_000, 160_000, 500_000, 1_600_000, 3_000_000, 400_000_000})
  void theWindowOpensBeforeThePredictionAndLastsAtMostOneMillisecond(long p) {
    long margin = BOUNDS.marginNanos(p);
    assertTrue(margin >= 20_000 && margin <= 200_000, "margin " + margin);
    long spin = BOUNDS.spinNanos(p);
    assertTrue(spin > 0 && spin <= 1_000_000, "spin " + spin);
    if (p >= 160_000) {
      assertTrue(spin * 8 <= 3 * p, "spin " + spin + " > 3/8 of " + p);
    }
    long open = BOUNDS.openAfterSendNanos(p);
    assertTrue(open >= 0 && open <= p && p - open <= 200_000, "open " + open);
  }

  @Test
  void parksUntilTheWindowSpinsInItAndBlocksAfterIt() {
    AnswerWait w = new AnswerWait(BOUNDS);
    for (int i = 0; i < 3; i++) {
      roundTrip(w, i * 100 * MS, 3 * MS);
    }
    long sendEnd = 1_000 * MS;
    assertEquals(AnswerWait.BLOCK, w.plan(true, sendEnd - 1), "nothing sent: no answer expected");
    w.sent(sendEnd);
    // p = 3 ms: margin 200 us, window [2.8 ms, 2.8 ms + min(1 ms, 200 us + 750 us)) after the send
    long open = sendEnd + 2_800_000;
    long close = open + 950_000;
    assertEquals(open - sendEnd, w.plan(true, sendEnd));
    assertEquals(1, w.plan(true, open - 1));
    assertEquals(0, w.spinPolls());
    assertEquals(AnswerWait.SPIN, w.plan(true, open));
    assertEquals(AnswerWait.SPIN, w.plan(true, close - 1));
    assertEquals(2, w.spinPolls());
    assertEquals(AnswerWait.BLOCK, w.plan(true, close));
    assertEquals(AnswerWait.BLOCK, w.plan(true, close + 100 * MS));
  }

  @Test
  void onlyAnswersFoundByAPollOfTheWindowCountAsCaught() {
    AnswerWait w = new AnswerWait(new AnswerWait.SpinBounds(0, MS, MS, MS, 0));
    w.sent(0);
    assertEquals(AnswerWait.SPIN, w.plan(true, 10));
    w.arrived(true, 20);
    w.sent(100 * MS);
    assertEquals(AnswerWait.BLOCK, w.plan(true, 102 * MS));
    w.arrived(true, 103 * MS);
    assertEquals(2, w.answers());
    assertEquals(1, w.answersCaught());
  }

  @Test
  void thePropertyWidensTheWindowAndABadValueIsNamed() {
    try {
      System.setProperty(AnswerWait.MAX_SPIN_PROPERTY, "20000");
      assertEquals(20 * MS, AnswerWait.SpinBounds.configured().maxSpinNanos());
      assertEquals(
          BOUNDS.maxFrameSpinNanos(), AnswerWait.SpinBounds.configured().maxFrameSpinNanos());
      System.setProperty(AnswerWait.MAX_SPIN_PROPERTY, "lots");
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, AnswerWait.SpinBounds::configured);
      assertEquals(
          "-Dparetopipe.spinWait.maxSpinMicros=lots (expected: microseconds, >= 0)",
          e.getMessage());
    } finally {
      System.clearProperty(AnswerWait.MAX_SPIN_PROPERTY);
    }
    assertEquals(BOUNDS, AnswerWait.SpinBounds.configured());
  }

  @Test
  void theRestOfAnAnswerIsPolledForAtMostOneMillisecondFromItsFirstByte() {
    AnswerWait w = new AnswerWait(BOUNDS);
    w.sent(0);
    w.arrived(true, 5 * MS);
    assertEquals(AnswerWait.SPIN, w.plan(false, 5 * MS));
    assertEquals(AnswerWait.SPIN, w.plan(false, 6 * MS - 1));
    assertEquals(AnswerWait.BLOCK, w.plan(false, 6 * MS));
  }

  @Test
  void aFrameNobodyAskedForIsNeverSpunFor() {
    AnswerWait w = new AnswerWait(BOUNDS);
    w.arrived(true, 0); // e.g. the HANDSHAKE_REPLY: no request sent
    assertEquals(AnswerWait.BLOCK, w.plan(false, 1));
    assertEquals(AnswerWait.BLOCK, w.plan(true, 2));
    assertEquals(0, w.spinPolls());
  }

  @Test
  void badBoundsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new AnswerWait.SpinBounds(9, 0, 0, 0, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new AnswerWait.SpinBounds(3, 200, 100, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new AnswerWait.SpinBounds(3, 0, 0, -1, 0));
  }
}
