package io.paretopipe.benchmarks.sweep;

import io.paretopipe.benchmarks.sweep.SweepPlan.Point;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The sweep's console lines about trials,
 *
 * <pre>
 * [pass 2: 13 of 80] mobilenetv2 split=3 nio link=none: latency 137.2 ms (1.4 s); elapsed 03:12, estimated remaining 06:48
 * </pre>
 *
 * printed for a pass's first and last trial, every failed one, and otherwise at most one per {@link
 * #QUIET_GAP_SECONDS} (every trial with a gap of 0, as {@code --verbose} asks): the default run's
 * 290 trials then take about 50 lines instead of 290, and every trial is still in the run folder's
 * {@code run-metadata.json} and JMH logs. The estimate is what is left of this pass (its trials so
 * far give the pace) and, with a budget, at least what is left of the budget (adaptive passes go on
 * until it is spent or every point stopped). Not thread-safe: JMH calls it from the sweep's thread.
 */
final class Progress {

  /** The quiet console's longest silence between trial lines, in seconds. */
  static final double QUIET_GAP_SECONDS = 15;

  private final PrintStream console;
  private final LongSupplier nanoTime;
  private final DoubleSupplier elapsedSeconds;
  private final double gapSeconds;
  private long lastPrintedNanos;
  private int pass;
  private int trials;
  private int done;
  private long passStartNanos;
  private DoubleSupplier budgetRemaining = () -> Double.NaN;

  /**
   * @param elapsedSeconds the sweep's time so far (the budget's spent seconds, which include the
   *     unit profiles and earlier sessions of a resumed sweep)
   */
  Progress(PrintStream console, LongSupplier nanoTime, DoubleSupplier elapsedSeconds) {
    this(console, nanoTime, elapsedSeconds, 0);
  }

  /**
   * @param gapSeconds a trial line is printed at least this long after the previous one, unless it
   *     is a pass's first or last or a failure; 0 prints every trial
   */
  Progress(
      PrintStream console,
      LongSupplier nanoTime,
      DoubleSupplier elapsedSeconds,
      double gapSeconds) {
    this.console = console;
    this.nanoTime = nanoTime;
    this.elapsedSeconds = elapsedSeconds;
    this.gapSeconds = gapSeconds;
  }

  /**
   * @param budgetRemaining seconds left of the budget, {@code NaN} or infinite without one
   */
  void startPass(int newPass, int passTrials, DoubleSupplier budgetRemaining) {
    this.pass = newPass;
    this.trials = passTrials;
    this.done = 0;
    this.passStartNanos = nanoTime.getAsLong();
    this.budgetRemaining = budgetRemaining;
  }

  /** One trial ended: {@code outcome} is e.g. {@code latency 137.2 ms} or {@code FAILED: ...}. */
  void trialDone(Point p, String outcome, double trialSeconds) {
    done++;
    long now = nanoTime.getAsLong();
    double passSoFar = (now - passStartNanos) / 1e9;
    double passLeft = done == 0 ? 0 : passSoFar / done * (trials - done);
    double budget = budgetRemaining.getAsDouble();
    double left = Double.isFinite(budget) ? Math.max(passLeft, budget) : passLeft;
    boolean due =
        done == 1
            || done >= trials
            || outcome.startsWith("FAILED")
            || (now - lastPrintedNanos) / 1e9 >= gapSeconds;
    if (!due) {
      return;
    }
    lastPrintedNanos = now;
    console.printf(
        Locale.ROOT,
        "[pass %d: %d of %d] %s: %s (%.1f s); elapsed %s, estimated remaining %s%n",
        pass,
        done,
        trials,
        p,
        outcome,
        trialSeconds,
        clock(elapsedSeconds.getAsDouble()),
        clock(left));
  }

  void println(String line) {
    console.println(line);
  }

  /** {@code mm:ss} ({@code h:mm:ss} from an hour on). */
  static String clock(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    Duration d = Duration.ofSeconds(s);
    return d.toHours() > 0
        ? String.format(
            Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart())
        : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
  }
}
