package io.paretopipe.benchmarks.sweep;

import io.paretopipe.benchmarks.sweep.SweepPlan.Point;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The sweep's console lines: one per trial,
 *
 * <pre>
 * [pass 2: 13 of 80] mobilenetv2 split=3 nio link=none: latency 137.2 ms (1.4 s); elapsed 03:12, estimated remaining 06:48
 * </pre>
 *
 * where the estimate is what is left of this pass (its trials so far give the pace) and, with a
 * budget, at least what is left of the budget (adaptive passes go on until it is spent or every
 * point stopped). Not thread-safe: JMH calls it from the sweep's thread.
 */
final class Progress {

  private final PrintStream console;
  private final LongSupplier nanoTime;
  private final DoubleSupplier elapsedSeconds;
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
    this.console = console;
    this.nanoTime = nanoTime;
    this.elapsedSeconds = elapsedSeconds;
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
