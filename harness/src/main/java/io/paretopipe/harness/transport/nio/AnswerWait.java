package io.paretopipe.harness.transport.nio;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * When the receiving thread of a {@link NioStageChannel} polls its socket instead of blocking in
 * the selector: only in a short window around the moment the answer to the last request is
 * expected. Created only for a channel whose owner has made sure that the receiving thread's CPUs
 * hold no other busy thread while an answer is awaited (the policy is {@code
 * driver.SpinWaitPolicy}); this class only bounds the spin.
 *
 * <p>Prediction: the time from the end of a {@code send} to the first byte of its answer, measured
 * for every answer that arrives while exactly one request is unanswered; the prediction is the
 * minimum of the last {@value #WINDOW} such samples, none before {@link SpinBounds#minSamples}
 * (then the wait parks as without spinning). For a prediction {@code p}:
 *
 * <ul>
 *   <li>margin {@code m = clamp(p / 8, minMargin, maxMargin)} (20 and 200 us by default);
 *   <li>the window opens at {@code sendEnd + max(0, p - m)} and lasts {@code min(maxSpin, m + p /
 *       4)} (at most 1 ms by default, and at most 3/8 of {@code p} once {@code p >= 160 us});
 *   <li>before the window the thread blocks in the selector (whole milliseconds) and parks for the
 *       sub-millisecond rest, so an answer earlier than the window is read at the latest when the
 *       window opens; after the window it blocks in the selector as without spinning;
 *   <li>once an answer's first byte is in, the rest of its frame is polled for at most {@link
 *       SpinBounds#maxFrameSpinNanos} (1 ms by default) from that byte, then waited for in the
 *       selector.
 * </ul>
 *
 * Per answer the thread therefore spins at most {@code maxSpin + maxFrameSpin} (2 ms by default),
 * whatever the answer's wait. Polls use Agrona's {@link BackoffIdleStrategy}: {@value #SPINS} busy
 * spins, then {@link Thread#yield} between polls (a runnable thread of the same CPU, e.g. the JIT
 * or the GC, runs first), never a park inside the window.
 *
 * <p>Threads: {@link #sent} is called by the sending thread, everything else by the receiving
 * thread only; {@link #spinPolls} may be read from anywhere.
 */
final class AnswerWait {
  /** Samples the prediction is taken from. */
  static final int WINDOW = 8;

  /** Busy spins before the idle strategy yields between polls. */
  static final int SPINS = 100;

  /** System property that overrides {@link SpinBounds#maxSpinNanos}, in microseconds. */
  static final String MAX_SPIN_PROPERTY = "paretopipe.spinWait.maxSpinMicros";

  /** What {@link #plan} returns for "poll again now". */
  static final long SPIN = -1;

  /** What {@link #plan} returns for "block in the selector until readable or the deadline". */
  static final long BLOCK = 0;

  /**
   * The bounds of the spin, in nanoseconds.
   *
   * @param minSamples samples needed before the first window (0: spin from the first request on,
   *     predicting 0)
   * @param minMarginNanos least time the window opens before the predicted answer
   * @param maxMarginNanos most time the window opens before the predicted answer
   * @param maxSpinNanos longest window before an answer's first byte
   * @param maxFrameSpinNanos longest polling for the rest of a frame, from its first byte
   */
  record SpinBounds(
      int minSamples,
      long minMarginNanos,
      long maxMarginNanos,
      long maxSpinNanos,
      long maxFrameSpinNanos) {
    /** 3 samples, 20-200 us margin, 1 ms before the header, 1 ms for the rest of the frame. */
    static final SpinBounds DEFAULT = new SpinBounds(3, 20_000, 200_000, 1_000_000, 1_000_000);

    SpinBounds {
      if (minSamples < 0
          || minSamples > WINDOW
          || minMarginNanos < 0
          || maxMarginNanos < minMarginNanos
          || maxSpinNanos < 0
          || maxFrameSpinNanos < 0) {
        throw new IllegalArgumentException(
            "spin bounds "
                + minSamples
                + ", "
                + minMarginNanos
                + ", "
                + maxMarginNanos
                + ", "
                + maxSpinNanos
                + ", "
                + maxFrameSpinNanos
                + " (expected: 0 <= minSamples <= "
                + WINDOW
                + ", 0 <= minMargin <= maxMargin, spins >= 0)");
      }
    }

    /**
     * {@link #DEFAULT}, with the window's cap taken from the system property {@value
     * #MAX_SPIN_PROPERTY} (microseconds, for measurements of wider windows) if set.
     *
     * @throws IllegalArgumentException if the property is not a number >= 0
     */
    static SpinBounds configured() {
      String micros = System.getProperty(MAX_SPIN_PROPERTY);
      if (micros == null || micros.isBlank()) {
        return DEFAULT;
      }
      try {
        return DEFAULT.withMaxSpinNanos(Math.multiplyExact(Long.parseLong(micros.trim()), 1_000L));
      } catch (NumberFormatException | ArithmeticException e) {
        throw new IllegalArgumentException(
            "-D" + MAX_SPIN_PROPERTY + "=" + micros + " (expected: microseconds, >= 0)", e);
      }
    }

    /** The same bounds with another cap on the window before the header. */
    SpinBounds withMaxSpinNanos(long nanos) {
      return new SpinBounds(minSamples, minMarginNanos, maxMarginNanos, nanos, maxFrameSpinNanos);
    }

    /** How long before the predicted answer the window opens: {@code clamp(p / 8, min, max)}. */
    long marginNanos(long predictedNanos) {
      return Math.min(maxMarginNanos, Math.max(minMarginNanos, predictedNanos / 8));
    }

    /** The window's length: {@code min(maxSpin, margin + p / 4)}. */
    long spinNanos(long predictedNanos) {
      return Math.min(maxSpinNanos, marginNanos(predictedNanos) + predictedNanos / 4);
    }

    /** Where the window opens, relative to the end of the send: {@code max(0, p - margin)}. */
    long openAfterSendNanos(long predictedNanos) {
      return Math.max(0, predictedNanos - marginNanos(predictedNanos));
    }
  }

  private final SpinBounds bounds;
  private final IdleStrategy idle = new BackoffIdleStrategy(SPINS, Long.MAX_VALUE, 1, 1);

  private final long[] samples = new long[WINDOW];
  private int sampleCount;
  private int nextSample;

  private volatile long lastSendEndNanos;
  private volatile long sent;

  private long answersStarted;
  private long plannedFor = -1;
  private boolean planned;
  private long windowOpenNanos;
  private long windowCloseNanos;
  private boolean inAnswer;
  private long frameSpinEndNanos;
  private volatile long spinPolls;
  private boolean spinning;
  private volatile long answers;
  private volatile long answersCaught;

  AnswerWait(SpinBounds bounds) {
    this.bounds = java.util.Objects.requireNonNull(bounds, "bounds");
  }

  /** A request's last byte was written at {@code nowNanos} (System.nanoTime()); sending thread. */
  void sent(long nowNanos) {
    lastSendEndNanos = nowNanos;
    sent = sent + 1;
  }

  /**
   * Polls made in a spin window so far (a test sees that the thread spun; a run could report it).
   */
  long spinPolls() {
    return spinPolls;
  }

  /** Answers whose first bytes came in so far. */
  long answers() {
    return answers;
  }

  /** Answers whose first bytes were found by a poll of a window (not by the selector). */
  long answersCaught() {
    return answersCaught;
  }

  /** The prediction in nanoseconds: the minimum of the kept samples; -1 while too few. */
  long predictedNanos() {
    if (sampleCount < bounds.minSamples()) {
      return -1;
    }
    if (sampleCount == 0) {
      return 0;
    }
    long min = Long.MAX_VALUE;
    for (int i = 0; i < sampleCount; i++) {
      min = Math.min(min, samples[i]);
    }
    return min;
  }

  /**
   * Keeps one send-end-to-answer time (nanoseconds, >= 0), replacing the oldest of {@value
   * #WINDOW}.
   */
  void record(long sampleNanos) {
    samples[nextSample] = sampleNanos;
    nextSample = (nextSample + 1) % WINDOW;
    sampleCount = Math.min(WINDOW, sampleCount + 1);
  }

  /**
   * Bytes came in at {@code nowNanos}; {@code frameStart} if they are the first of a frame. The
   * first bytes of a frame while a request is unanswered start its answer: with exactly one
   * unanswered, their delay after the send is a sample.
   */
  void arrived(boolean frameStart, long nowNanos) {
    if (!frameStart) {
      return;
    }
    long s = sent;
    inAnswer = s > answersStarted;
    if (!inAnswer) {
      return;
    }
    if (s - answersStarted == 1) {
      long delay = nowNanos - lastSendEndNanos;
      if (delay >= 0) {
        record(delay);
      }
    }
    answersStarted++;
    answers = answers + 1;
    if (spinning) {
      answersCaught = answersCaught + 1;
    }
    frameSpinEndNanos = nowNanos + bounds.maxFrameSpinNanos();
  }

  /**
   * What the receiving thread does when a read found nothing at {@code nowNanos}: {@link #SPIN}
   * (poll again after one step of the idle strategy, which this call takes), {@link #BLOCK}, or a
   * positive time in nanoseconds to wait before asking again (the window opens then).
   *
   * @param frameStart whether the read was for the first bytes of a frame
   */
  long plan(boolean frameStart, long nowNanos) {
    long p = frameStart ? planHeader(nowNanos) : planRest(nowNanos);
    spinning = frameStart && p == SPIN;
    if (p == SPIN) {
      spinPolls = spinPolls + 1;
      idle.idle();
    } else {
      idle.reset();
    }
    return p;
  }

  private long planHeader(long nowNanos) {
    long s = sent;
    if (s <= answersStarted) {
      return BLOCK;
    }
    if (plannedFor != s) {
      plannedFor = s;
      long predicted = predictedNanos();
      planned = predicted >= 0;
      if (planned) {
        windowOpenNanos = lastSendEndNanos + bounds.openAfterSendNanos(predicted);
        windowCloseNanos = windowOpenNanos + bounds.spinNanos(predicted);
      }
    }
    if (!planned || nowNanos - windowCloseNanos >= 0) {
      return BLOCK;
    }
    if (nowNanos - windowOpenNanos < 0) {
      return windowOpenNanos - nowNanos;
    }
    return SPIN;
  }

  private long planRest(long nowNanos) {
    return inAnswer && nowNanos - frameSpinEndNanos < 0 ? SPIN : BLOCK;
  }
}
