package io.paretopipe.harness.cli;

import io.paretopipe.harness.driver.ArrivalSchedule;
import io.paretopipe.harness.driver.LatencySlo;
import io.paretopipe.harness.driver.LoadTarget;
import io.paretopipe.harness.driver.OpenLoopDriver;
import io.paretopipe.harness.driver.OpenLoopResult;
import io.paretopipe.harness.driver.PeakSearch;
import io.paretopipe.harness.driver.PhaseRecorder;
import io.paretopipe.harness.driver.Pipeline;
import io.paretopipe.harness.driver.ServerVerdict;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * {@code run}'s open-loop options (the MLPerf Server scenario, docs/OPEN-LOOP.md): with {@code
 * --arrival} or {@code --find-peak} the run releases requests on a seeded schedule instead of
 * keeping {@code --depth} in flight. Parsed here, at the edge, into an {@link ArrivalSchedule} and
 * a {@link LatencySlo}.
 */
final class OpenLoopOptions {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|min)");

  @Option(
      names = "--arrival",
      paramLabel = "poisson|constant",
      description = "Open loop: release requests at seeded Poisson or constant arrival times.")
  String arrival;

  @Option(
      names = "--rate",
      defaultValue = "12/s",
      description =
          "Open loop: target arrival rate, e.g. 12/s or 720/min; with --find-peak the first rate"
              + " tried (default: ${DEFAULT-VALUE}).")
  String rate;

  @Option(
      names = "--duration",
      defaultValue = "60s",
      description = "Open loop: schedule length per run, e.g. 60s (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(
      names = "--arrival-seed",
      defaultValue = "42",
      description = "Open loop: Poisson schedule seed (default: ${DEFAULT-VALUE}).")
  long arrivalSeed;

  @Option(
      names = "--max-outstanding",
      defaultValue = "16",
      description =
          "Open loop: requests released and unanswered beyond which a release is dropped; at most"
              + " the stage's --max-in-flight, which answers BUSY beyond it (default:"
              + " ${DEFAULT-VALUE}).")
  int maxOutstanding;

  @Option(
      names = "--find-peak",
      description = "Binary-search the highest rate that meets --slo (implies --arrival poisson).")
  boolean findPeak;

  @Option(
      names = "--slo",
      description = "Latency objective from the intended send time, e.g. p99=500ms.")
  String slo;

  @Option(
      names = "--min-duration",
      defaultValue = "60s",
      description = "Validity flag: the least schedule length (default: ${DEFAULT-VALUE}).")
  String minDuration;

  @Option(
      names = "--min-queries",
      defaultValue = "662",
      description =
          "The least number of scheduled requests: a run goes on past --duration until it has"
              + " them (default: ${DEFAULT-VALUE}, LoadGen's floor for a p99 claim).")
  long minQueries;

  @Option(
      names = "--peak-precision",
      defaultValue = "0.05",
      description =
          "--find-peak stops when the passing and failing rates are this close, relative"
              + " (default: ${DEFAULT-VALUE}).")
  double peakPrecision;

  @Option(
      names = "--no-fail-fast",
      description =
          "--find-peak: run every probe to its end, even one that can no longer meet --slo (by"
              + " default such a probe stops as soon as its failure is certain, with the verdict"
              + " the full probe would have had; docs/OPEN-LOOP.md, \"Fail fast\").")
  boolean noFailFast;

  @Option(
      names = "--raw-log",
      paramLabel = "FILE",
      description =
          "Open loop: write every request's intended, release and completion times (CSV).")
  Path rawLog;

  /** Whether any open-loop mode was asked for. */
  boolean enabled() {
    return arrival != null || findPeak;
  }

  /** Checks every open-loop value, before any stage is started. */
  void validate() {
    schedule();
    parseDuration("--duration", duration);
    parseDuration("--min-duration", minDuration);
    if (maxOutstanding < 1) {
      throw new IllegalArgumentException(
          "--max-outstanding " + maxOutstanding + " (expected: >= 1)");
    }
    if (findPeak && slo == null) {
      throw new IllegalArgumentException("--find-peak needs --slo, e.g. --slo p99=500ms");
    }
    if (slo != null) {
      LatencySlo.parse(slo);
    }
    if (!(peakPrecision > 0)) {
      throw new IllegalArgumentException(
          "--peak-precision " + peakPrecision + " (expected: > 0, e.g. 0.05)");
    }
  }

  ArrivalSchedule schedule() {
    return ArrivalSchedule.of(
        ArrivalSchedule.Process.parse(arrival == null ? "poisson" : arrival),
        ArrivalSchedule.parseRate(rate),
        arrivalSeed);
  }

  /**
   * @throws IllegalArgumentException naming the option, the text and the accepted form
   */
  static Duration parseDuration(String option, String text) {
    Matcher m = DURATION.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          option + " '" + text + "' is not a duration: write e.g. 60s, 500ms or 2min");
    }
    double v = Double.parseDouble(m.group(1));
    double nanos =
        v
            * switch (m.group(2)) {
              case "ms" -> 1e6;
              case "s" -> 1e9;
              default -> 60e9;
            };
    if (nanos < 1e6) {
      throw new IllegalArgumentException(option + " '" + text + "' (expected: >= 1ms)");
    }
    return Duration.ofNanos((long) nanos);
  }

  /** Runs the open-loop mode on {@code pipeline}, printing to {@code out}. */
  void run(Pipeline pipeline, int warmup, boolean json, PrintWriter out, PrintWriter err)
      throws Exception {
    ArrivalSchedule schedule = schedule();
    Duration length = parseDuration("--duration", duration);
    Duration min = parseDuration("--min-duration", minDuration);
    LatencySlo objective = slo == null ? null : LatencySlo.parse(slo);
    PhaseRecorder recorder = new PhaseRecorder();
    LoadTarget target = LoadTarget.of(pipeline);
    for (int i = 0; i < warmup; i++) {
      try (OpenLoopDriver once = new OpenLoopDriver(target, schedule, 1, recorder)) {
        once.releaseNext();
        once.drain();
      }
    }
    com.fasterxml.jackson.databind.ObjectMapper mapper =
        new com.fasterxml.jackson.databind.ObjectMapper();
    if (findPeak) {
      double capacity = pipeline.spec().link().requestsPerSecond(pipeline.bytesPerRequest());
      PeakSearch.Peak peak =
          PeakSearch.find(
              r -> {
                OpenLoopResult result =
                    runOnce(
                        target,
                        schedule.withRate(r),
                        recorder,
                        length,
                        noFailFast ? null : objective);
                ServerVerdict v =
                    ServerVerdict.of(result, objective, min, minQueries).withCapacity(capacity);
                if (!json) {
                  err.println(v.toText());
                  err.flush();
                }
                return v;
              },
              schedule.ratePerSecond(),
              schedule.ratePerSecond() / 64,
              peakPrecision,
              16);
      if (json) {
        com.fasterxml.jackson.databind.node.ObjectNode root = mapper.createObjectNode();
        root.put("slo", objective.toString());
        putRate(root, "peak_rate_per_s", peak.passingRate());
        putRate(root, "lowest_failing_rate_per_s", peak.failingRate());
        if (peak.atPeak() != null) {
          root.set("at_peak", peak.atPeak().toJson());
        }
        com.fasterxml.jackson.databind.node.ArrayNode steps = root.putArray("probes");
        peak.steps().forEach(s -> steps.add(s.verdict().toJson()));
        out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
      } else {
        out.printf(
            Locale.ROOT,
            "peak rate meeting %s: %s/s (lowest failing %s/s); at the peak: %s%n",
            objective,
            fmt(peak.passingRate()),
            fmt(peak.failingRate()),
            peak.atPeak() == null ? "no rate passed" : peak.atPeak().toText());
      }
      return;
    }
    OpenLoopResult result = runOnce(target, schedule, recorder, length, null);
    if (rawLog != null) {
      result.writeRawLog(rawLog);
    }
    ServerVerdict verdict =
        objective == null ? null : ServerVerdict.of(result, objective, min, minQueries);
    if (json) {
      com.fasterxml.jackson.databind.node.ObjectNode root = result.toJson();
      if (verdict != null) {
        root.set("slo", verdict.toJson());
      }
      out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    } else {
      out.println(result.toText());
      if (verdict != null) {
        out.println(verdict.toText());
      }
    }
  }

  /**
   * @param failFast stop the run once it can no longer meet this SLO ({@code FailFast}), null to
   *     run it to the end
   */
  private OpenLoopResult runOnce(
      LoadTarget target,
      ArrivalSchedule schedule,
      PhaseRecorder recorder,
      Duration length,
      LatencySlo failFast)
      throws java.io.IOException {
    recorder.reset();
    try (OpenLoopDriver driver = new OpenLoopDriver(target, schedule, maxOutstanding, recorder)) {
      return driver.run(length, minQueries, failFast);
    }
  }

  private static void putRate(
      com.fasterxml.jackson.databind.node.ObjectNode n, String key, double v) {
    if (Double.isNaN(v)) {
      n.putNull(key);
    } else {
      n.put(key, v);
    }
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "none" : String.format(Locale.ROOT, "%.2f", v);
  }
}
