package io.paretopipe.benchmarks.sweep;

import io.paretopipe.benchmarks.sweep.SweepPlan.Group;
import io.paretopipe.benchmarks.sweep.SweepPlan.Point;
import io.paretopipe.benchmarks.sweep.SweepState.Trial;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

/**
 * A JMH {@link OutputFormat} that hands JMH's own output to {@code delegate} (the pass's log file,
 * and the console with {@code --verbose}) and, per trial, records what ran when and how it ended,
 * and prints the trial's progress line. JMH reports a failed trial only as text ({@code <failure>}
 * and the exception): its first line becomes the trial's error. Used by one JMH call on one thread.
 */
final class TrialRecorder implements OutputFormat {

  private final OutputFormat delegate;
  private final Group group;
  private final Progress progress;
  private final List<Trial> trials = new ArrayList<>();
  private BenchmarkParams current;
  private Instant currentStart;
  private long currentStartNanos;
  private boolean failureSeen;
  private String failureMessage;

  TrialRecorder(OutputFormat delegate, Group group, Progress progress) {
    this.delegate = delegate;
    this.group = group;
    this.progress = progress;
  }

  /** Every trial that started, in order; call after the JMH call returned or threw. */
  List<Trial> trials(String errorIfUnfinished) {
    if (current != null) {
      finish(false, null, null, failureMessage != null ? failureMessage : errorIfUnfinished);
    }
    return List.copyOf(trials);
  }

  @Override
  public void startBenchmark(BenchmarkParams params) {
    if (current != null) {
      finish(
          false,
          null,
          null,
          failureMessage != null ? failureMessage : "the trial ended without a result");
    }
    current = params;
    currentStart = Instant.now();
    currentStartNanos = System.nanoTime();
    failureSeen = false;
    failureMessage = null;
    delegate.startBenchmark(params);
  }

  @Override
  public void endBenchmark(BenchmarkResult result) {
    delegate.endBenchmark(result);
    if (current == null) {
      return;
    }
    if (result == null) {
      finish(false, null, null, failureMessage != null ? failureMessage : "no result");
      return;
    }
    Result<?> primary = result.getPrimaryResult();
    Result<?> images = result.getSecondaryResults().get("images");
    finish(
        true,
        primary.getScore(),
        primary.getScoreUnit(),
        images == null ? null : String.format(Locale.ROOT, "%.1f images/s", images.getScore()));
  }

  /**
   * @param detail the error when it failed; the images/s of a throughput trial
   */
  private void finish(boolean ok, Double score, String unit, String detail) {
    String method = method(current.getBenchmark());
    String split = current.getParam("split");
    trials.add(
        new Trial(split, method, currentStart, Instant.now(), ok, score, unit, ok ? null : detail));
    String outcome;
    if (!ok) {
      outcome = "FAILED: " + detail;
    } else if (detail != null) {
      outcome = method + " " + detail;
    } else {
      outcome = String.format(Locale.ROOT, "%s %.1f %s", method, score, unit);
    }
    progress.trialDone(
        new Point(group.model(), group.transport(), group.link(), split),
        outcome,
        (System.nanoTime() - currentStartNanos) / 1e9);
    current = null;
  }

  static String method(String benchmark) {
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }

  @Override
  public void println(String s) {
    if (current != null) {
      if (s.equals("<failure>")) {
        failureSeen = true;
      } else if (failureSeen && failureMessage == null && !s.isBlank()) {
        failureMessage = rootLine(s);
      }
    }
    delegate.println(s);
  }

  /**
   * The most specific line of a stack trace text: JMH prints the wrapping exception first and the
   * cause last ({@code Caused by: ...: split 25 is out of range ...}).
   */
  static String rootLine(String throwableText) {
    String best = throwableText.lines().findFirst().orElse("").trim();
    for (String line : throwableText.lines().toList()) {
      if (line.startsWith("Caused by: ")) {
        best = line.substring("Caused by: ".length()).trim();
      }
    }
    return best;
  }

  @Override
  public void iteration(BenchmarkParams benchParams, IterationParams params, int iteration) {
    delegate.iteration(benchParams, params, iteration);
  }

  @Override
  public void iterationResult(
      BenchmarkParams benchParams, IterationParams params, int iteration, IterationResult data) {
    delegate.iterationResult(benchParams, params, iteration, data);
  }

  @Override
  public void startRun() {
    delegate.startRun();
  }

  @Override
  public void endRun(Collection<RunResult> result) {
    delegate.endRun(result);
  }

  @Override
  public void print(String s) {
    delegate.print(s);
  }

  @Override
  public void flush() {
    delegate.flush();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public void verbosePrintln(String s) {
    delegate.verbosePrintln(s);
  }

  @Override
  public void write(int b) {
    delegate.write(b);
  }

  @Override
  public void write(byte[] b) throws IOException {
    delegate.write(b);
  }
}
