package io.paretopipe.reports.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The Server scenario's report of one {@link ServerScenarioFile}: per split the peak rate meeting
 * the SLO with its bracket and flags, the bottleneck prediction and how well it agrees, the
 * search's bracket against the interval after the second-seed recheck, the drift of the
 * one-at-a-time rate over the search, the warm-up and allocator flags, the SLO frontier (peak rate
 * up, latency at that rate down) beside the closed-loop one of requests sent one at a time, and
 * every probe as the latency-vs-offered-load curve (the knee), each with its seed (search or
 * recheck) and whether drops decided it. {@link #markdown()} for people, {@link #kneeCsv()} for
 * plotting ({@code
 * model,transport,link,split,offered_per_s,completed_per_s,p50_ms,p90_ms,p99_ms,slo_percentile_ms,scheduled,dropped,passes,valid,seed,probe,decided_by_drops,run}),
 * {@link #peaksCsv()} per split. Empty CSV cells for NaN and for keys the run did not record;
 * Markdown says {@code not recorded} for the latter. Stateless apart from the file it reads.
 */
public final class ServerScenarioReport {

  /**
   * One-at-a-time drift over the search, in percent either way, beyond which the report flags it
   * (the warm-up's own settling tolerance).
   */
  public static final double DRIFT_LIMIT_PERCENT = 10;

  /** What the report says for a key the run did not write. */
  public static final String NOT_RECORDED = "not recorded";

  private final ServerScenarioFile file;
  private final ClosedLoopFrontier closedLoop;
  private final ServiceTimeSpread spread;

  public ServerScenarioReport(ServerScenarioFile file) {
    this(file, null);
  }

  /**
   * @param closedLoop JMH's closed-loop depth frontier to show beside the SLO frontier ({@code
   *     server --closed-loop}); null: only the one-at-a-time frontier of the same splits
   */
  public ServerScenarioReport(ServerScenarioFile file, ClosedLoopFrontier closedLoop) {
    this(file, closedLoop, ServiceTimeSpread.NONE);
  }

  /**
   * @param spread the service-time spread the predicted peaks use (M/G/1 where it has the busiest
   *     stage, else M/D/1; {@code server --closed-loop} reads it from that run's hlogs)
   */
  public ServerScenarioReport(
      ServerScenarioFile file, ClosedLoopFrontier closedLoop, ServiceTimeSpread spread) {
    this.file = java.util.Objects.requireNonNull(file, "file");
    this.closedLoop = closedLoop;
    this.spread = java.util.Objects.requireNonNull(spread, "spread");
  }

  /**
   * Writes {@code server-scenario.md}, {@code server-knee.csv} and {@code server-peaks.csv} into
   * {@code dir}.
   */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("server-scenario.md"), markdown(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("server-knee.csv"), kneeCsv(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("server-peaks.csv"), peaksCsv(), StandardCharsets.UTF_8);
  }

  /** Indices of {@code points} not dominated on (rate higher, latency lower); NaN never counts. */
  static List<Integer> frontier(double[] rates, double[] latencies) {
    List<Integer> front = new ArrayList<>();
    for (int i = 0; i < rates.length; i++) {
      if (Double.isNaN(rates[i]) || Double.isNaN(latencies[i])) {
        continue;
      }
      boolean dominated = false;
      for (int j = 0; j < rates.length && !dominated; j++) {
        dominated =
            j != i
                && !Double.isNaN(rates[j])
                && !Double.isNaN(latencies[j])
                && rates[j] >= rates[i]
                && latencies[j] <= latencies[i]
                && (rates[j] > rates[i] || latencies[j] < latencies[i]);
      }
      if (!dominated) {
        front.add(i);
      }
    }
    return front;
  }

  public String markdown() {
    List<ServerScenarioFile.Point> points = file.points();
    StringBuilder md = new StringBuilder();
    md.append("# Server scenario: peak rate meeting ").append(file.slo()).append("\n\n");
    md.append(
        "Poisson arrivals, latency from the intended release time, drops counted as infinitely"
            + " late; a rate passes when the SLO and LoadGen's early-stopping bound hold, and is"
            + " VALID when its minimum duration and query count hold too. The peak lies in"
            + " [peak, lowest failing).\n\n");
    md.append(
        "| split | transport | link | peak /s | lowest failing /s | VALID | "
            + file.slo()
            + " at peak ms | alone ms | one-at-a-time /s | bottleneck | predicted peak /s"
            + " | agreement |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    double[] sloRates = new double[points.size()];
    double[] sloLatencies = new double[points.size()];
    double[] closedRates = new double[points.size()];
    double[] closedLatencies = new double[points.size()];
    for (int i = 0; i < points.size(); i++) {
      ServerScenarioFile.Point p = points.get(i);
      ServerPeakPrediction.Prediction pred =
          ServerPeakPrediction.of(p, file.percentile(), file.boundMs(), spread);
      sloRates[i] = p.peakPerS();
      sloLatencies[i] = p.atPeak() == null ? Double.NaN : p.atPeak().sloPercentileMs();
      closedRates[i] = p.closedLoopPerS();
      closedLatencies[i] = p.closedLoopMs().getOrDefault("e2e", 1e3 / p.closedLoopPerS());
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
              p.split(),
              p.transport(),
              p.link(),
              num(p.peakPerS()) + untuned(p),
              num(p.failingPerS()),
              p.valid() ? "yes" : "no",
              num(sloLatencies[i]),
              num(closedLatencies[i]),
              num(p.closedLoopPerS()) + unsettled(p),
              Double.isNaN(pred.bottleneckMs())
                  ? "-"
                  : pred.bottleneck() + " " + num(pred.bottleneckMs()) + " ms" + model(pred),
              num(pred.peakPerS()) + unsettled(p),
              agreement(pred.peakPerS(), p.peakPerS(), p.failingPerS())));
    }
    recheckSection(md, points);
    md.append("\n## Frontiers\n\n");
    md.append(
        "SLO frontier (peak rate meeting the SLO up, the SLO percentile at that rate down): "
            + splits(points, frontier(sloRates, sloLatencies))
            + ".\n\n");
    md.append(
        "Closed-loop frontier of requests sent one at a time (rate up, latency down; rate is"
            + " 1/latency there, so it is the fastest split alone): "
            + splits(points, frontier(closedRates, closedLatencies))
            + (closedLoop == null
                ? ". JMH's closed-loop report (latency vs throughput at `depth` in flight) is the"
                    + " sweep's other scenario (`--closed-loop JMHRUN` puts it beside this one).\n\n"
                : ".\n"));
    if (closedLoop != null) {
      md.append(closedLoop.markdown(file.slo(), points, frontier(sloRates, sloLatencies)))
          .append('\n');
    }
    md.append("## Latency against offered load (the knee)\n\n");
    for (ServerScenarioFile.Point p : points) {
      md.append("### ").append(p.label()).append(" (").append(p.run()).append(")\n\n");
      md.append(
          "| offered /s | completed /s | p50 ms | p90 ms | p99 ms | dropped | passes | probe |"
              + " decided by drops |\n");
      md.append("|---|---|---|---|---|---|---|---|---|\n");
      p.probes().stream()
          .sorted(java.util.Comparator.comparingDouble(ServerScenarioFile.Probe::offeredPerS))
          .forEach(
              q ->
                  md.append(
                      String.format(
                          Locale.ROOT,
                          "| %s | %s | %s | %s | %s | %d of %d | %s | %s | %s |%n",
                          num(q.offeredPerS()),
                          num(q.completedPerS()),
                          num(q.p50Ms()),
                          num(q.p90Ms()),
                          num(q.p99Ms()),
                          q.dropped(),
                          q.scheduled(),
                          passCell(q),
                          probeCell(p, q),
                          q.decidedByDrops() == null
                              ? NOT_RECORDED
                              : q.decidedByDrops() ? "**yes**: failed on its drops alone" : "no")));
      md.append('\n');
    }
    return md.toString();
  }

  /**
   * {@code inside the bracket}, or the predicted peak over the bracket's nearer end, e.g. {@code
   * 1.31x the lowest failing}.
   */
  /**
   * {@code , M/G/1 cs² 0.123} with a measured spread; empty for M/D/1 ({@code server-peaks.csv}'s
   * {@code peak_model} names both).
   */
  private static String model(ServerPeakPrediction.Prediction pred) {
    return Double.isFinite(pred.serviceCv2())
        ? String.format(Locale.ROOT, ", %s cs\u00b2 %.3f", pred.model(), pred.serviceCv2())
        : "";
  }

  static String agreement(double predicted, double passing, double failing) {
    if (Double.isNaN(predicted)) {
      return "no prediction";
    }
    if (!Double.isNaN(passing) && predicted < passing) {
      return String.format(Locale.ROOT, "%.2fx the peak", predicted / passing);
    }
    if (!Double.isNaN(failing) && predicted >= failing) {
      return String.format(Locale.ROOT, "%.2fx the lowest failing", predicted / failing);
    }
    return Double.isNaN(passing) || Double.isNaN(failing) ? "not bracketed" : "inside the bracket";
  }

  public String kneeCsv() {
    StringBuilder csv =
        new StringBuilder(
            "model,transport,link,split,offered_per_s,completed_per_s,p50_ms,p90_ms,p99_ms,"
                + "slo_percentile_ms,scheduled,dropped,passes,valid,seed,probe,decided_by_drops,"
                + "run,stopped_early\n");
    for (ServerScenarioFile.Point p : file.points()) {
      for (ServerScenarioFile.Probe q : p.probes()) {
        csvRow(
            csv,
            p,
            cell(q.offeredPerS()),
            cell(q.completedPerS()),
            cell(q.p50Ms()),
            cell(q.p90Ms()),
            cell(q.p99Ms()),
            cell(q.sloPercentileMs()),
            Long.toString(q.scheduled()),
            Long.toString(q.dropped()),
            Boolean.toString(q.passes()),
            Boolean.toString(q.valid()),
            q.seed() == null ? "" : Long.toString(q.seed()),
            Objects.toString(p.probeKind(q), ""),
            Objects.toString(q.decidedByDrops(), ""),
            p.run(),
            Boolean.toString(q.stoppedEarly()));
      }
    }
    return csv.toString();
  }

  /**
   * Per split: {@code
   * model,transport,link,split,peak_per_s,lowest_failing_per_s,valid,search_seed,search_peak_per_s,search_lowest_failing_per_s,recheck_seed,bracket_confirmed,closed_loop_rate_per_s,closed_loop_rate_after_per_s,drift_percent,drift_over_limit,warmed_up,warmup_blocks,allocator_tuned,run,speed_drift,stated_peak_per_s,stated_lowest_failing_per_s,predicted_peak_per_s,peak_bottleneck,peak_service_ms,peak_service_cv2,peak_model}:
   * the interval claimed after the recheck, the search's own, the one-at-a-time rates before and
   * after the search and the flags, then the predicted peak ({@link ServerPeakPrediction}: its
   * bottleneck, service time, measured {@code cs^2} and queue model). Empty cells for NaN (a rate:
   * none passed or failed, or not recorded) and for keys the run did not record ({@code
   * recheck_seed} empty: no recheck recorded).
   */
  public String peaksCsv() {
    StringBuilder csv =
        new StringBuilder(
            "model,transport,link,split,peak_per_s,lowest_failing_per_s,valid,search_seed,"
                + "search_peak_per_s,search_lowest_failing_per_s,recheck_seed,bracket_confirmed,"
                + "closed_loop_rate_per_s,closed_loop_rate_after_per_s,drift_percent,"
                + "drift_over_limit,warmed_up,warmup_blocks,allocator_tuned,run,speed_drift,"
                + "stated_peak_per_s,stated_lowest_failing_per_s,predicted_peak_per_s,"
                + "peak_bottleneck,peak_service_ms,peak_service_cv2,peak_model\n");
    for (ServerScenarioFile.Point p : file.points()) {
      ServerScenarioFile.Recheck r = p.recheck();
      double drift = p.driftPercent();
      ServerPeakPrediction.Prediction pred =
          ServerPeakPrediction.of(p, file.percentile(), file.boundMs(), spread);
      csvRow(
          csv,
          p,
          cell(p.peakPerS()),
          cell(p.failingPerS()),
          Boolean.toString(p.valid()),
          r == null ? "" : Objects.toString(r.searchSeed(), ""),
          r == null ? "" : cell(r.searchPeakPerS()),
          r == null ? "" : cell(r.searchFailingPerS()),
          r == null ? "" : Long.toString(r.seed()),
          r == null ? "" : Boolean.toString(r.confirmed()),
          cell(p.closedLoopPerS()),
          cell(p.closedLoopAfterPerS()),
          cell(drift),
          Double.isNaN(drift) ? "" : Boolean.toString(driftOverLimit(drift)),
          Objects.toString(p.warmedUp(), ""),
          p.warmupRatesPerS() == null ? "" : Integer.toString(p.warmupRatesPerS().size()),
          Objects.toString(p.allocatorTuned(), ""),
          p.run(),
          p.stated() == null ? "" : cell(p.stated().drift()),
          p.stated() == null ? "" : cell(p.stated().peakPerS()),
          p.stated() == null ? "" : cell(p.stated().failingPerS()),
          cell(pred.peakPerS()),
          Double.isNaN(pred.bottleneckMs()) ? "" : pred.bottleneck(),
          cell(pred.bottleneckMs()),
          cell(pred.serviceCv2()),
          Double.isNaN(pred.bottleneckMs()) ? "" : pred.model());
    }
    return csv.toString();
  }

  /** One CSV line: the point's {@code model,transport,link,split}, then {@code cells}. */
  private static void csvRow(StringBuilder csv, ServerScenarioFile.Point p, String... cells) {
    csv.append(String.join(",", p.model(), p.transport(), p.link(), p.split()));
    for (String c : cells) {
      csv.append(',').append(c);
    }
    csv.append('\n');
  }

  /**
   * Per split: the search's bracket and its seed, the interval after the recheck with its verdict,
   * the one-at-a-time rate before and after the search with the drift, and the warm-up and
   * allocator flags; {@code not recorded} for what an older run did not write.
   */
  private static void recheckSection(StringBuilder md, List<ServerScenarioFile.Point> points) {
    md.append("\n## Peak search, recheck and drift\n\n");
    md.append(
        "The search's bracket on its seed, then both ends re-probed on a second seed: where one"
            + " disagrees the interval widens, so the claimed interval holds rates that passed on"
            + " both seeds below and failed on both above. Drift: the one-at-a-time rate after the"
            + " search against the one before (the pipeline's speed moved during the search when"
            + " over "
            + String.format(Locale.ROOT, "%.0f%%", DRIFT_LIMIT_PERCENT)
            + " either way). Stated: the claimed interval widened by that drift,"
            + " `[peak / d, lowest failing x d)` with `d = max(before, after) / min(before, after)`,"
            + " the interval the sweep states for the split rather than for the minutes its probes"
            + " ran. `"
            + NOT_RECORDED
            + "`: the run was written before the sweep recorded it. A link with a rate carries at"
            + " most `rate / (bytes x 8)` requests per second; a claimed peak above that is"
            + " marked, and since 2026-12-07 the sweep fails such probes.\n\n");
    md.append(
        "| split | transport | link | searched /s | claimed /s | recheck | one at a time before"
            + " -> after /s | drift | warmed up | head allocator tuned | run | stated /s |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (ServerScenarioFile.Point p : points) {
      ServerScenarioFile.Recheck r = p.recheck();
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s | %s -> %s | %s | %s | %s | %s | %s |%n",
              p.split(),
              p.transport(),
              p.link(),
              p.ruledOut() != null
                  ? "none: ruled out (" + p.ruledOut() + "), no probe run"
                  : r == null
                      ? NOT_RECORDED
                      : interval(r.searchPeakPerS(), r.searchFailingPerS())
                          + (r.searchSeed() == null ? "" : " on seed " + r.searchSeed()),
              interval(p.peakPerS(), p.failingPerS())
                  + (p.aboveLinkCapacity()
                      ? String.format(
                          Locale.ROOT,
                          " **above the link's capacity of %.2f/s**: the probes ended before the"
                              + " growing backlog reached the bound, not a sustained rate",
                          p.linkCapacityPerS())
                      : ""),
              recheckLabel(r),
              num(p.closedLoopPerS()),
              Double.isNaN(p.closedLoopAfterPerS()) ? NOT_RECORDED : num(p.closedLoopAfterPerS()),
              driftLabel(p.driftPercent()),
              warmedUpLabel(p),
              p.allocatorTuned() == null
                  ? NOT_RECORDED
                  : p.allocatorTuned() ? "yes" : "**no**: not comparable with tuned runs",
              p.run(),
              statedLabel(p.stated())));
    }
  }

  /** E.g. {@code [72.42, 109.70) (d = 1.188)}, or {@code not recorded}. */
  static String statedLabel(ServerScenarioFile.Stated s) {
    if (s == null) {
      return NOT_RECORDED;
    }
    if (Double.isNaN(s.drift())) {
      return "unknown (the one-at-a-time rates were not usable)";
    }
    return interval(s.peakPerS(), s.failingPerS())
        + String.format(Locale.ROOT, " (d = %.3f)", s.drift());
  }

  /** {@code [a, b)} with {@code -} for an end that does not exist. */
  static String interval(double passing, double failing) {
    return "[" + num(passing) + ", " + num(failing) + ")";
  }

  /** The recheck's verdict for people. */
  static String recheckLabel(ServerScenarioFile.Recheck r) {
    if (r == null) {
      return NOT_RECORDED;
    }
    return r.confirmed()
        ? "confirmed on seed " + r.seed()
        : "**recheck on seed " + r.seed() + " disagreed: interval widened**";
  }

  /** E.g. {@code +46.7% (over 10%)}, {@code -3.1%}, or {@code not recorded}. */
  static String driftLabel(double percent) {
    if (Double.isNaN(percent)) {
      return NOT_RECORDED;
    }
    String d = String.format(Locale.ROOT, "%+.1f%%", percent);
    return driftOverLimit(percent)
        ? String.format(Locale.ROOT, "**%s (over %.0f%%)**", d, DRIFT_LIMIT_PERCENT)
        : d;
  }

  static boolean driftOverLimit(double percent) {
    return Math.abs(percent) > DRIFT_LIMIT_PERCENT;
  }

  private static String warmedUpLabel(ServerScenarioFile.Point p) {
    String blocks =
        p.warmupRatesPerS() == null
            ? ""
            : " ("
                + p.warmupRatesPerS().size()
                + " blocks: "
                + String.join(", ", p.warmupRatesPerS().stream().map(v -> num(v)).toList())
                + "/s)";
    if (p.warmedUp() == null) {
      return NOT_RECORDED + blocks;
    }
    return (p.warmedUp() ? "yes" : "**no**: blocks never agreed, one-at-a-time figures unsettled")
        + blocks;
  }

  /** A figure the run's own flags do not support is marked beside it, never shown as known. */
  private static String unsettled(ServerScenarioFile.Point p) {
    return Boolean.FALSE.equals(p.warmedUp()) ? " (unsettled)" : "";
  }

  private static String untuned(ServerScenarioFile.Point p) {
    return Boolean.FALSE.equals(p.allocatorTuned()) ? " (untuned head)" : "";
  }

  /**
   * {@code VALID}, {@code passes} or {@code fails}; a probe that stopped early says so, with its
   * latencies marked partial.
   */
  private static String passCell(ServerScenarioFile.Probe q) {
    String verdict = q.valid() ? "VALID" : q.passes() ? "passes" : "fails";
    if (!q.stoppedEarly()) {
      return verdict;
    }
    return verdict
        + ", stopped early"
        + (Double.isNaN(q.stoppedAtS())
            ? ""
            : String.format(Locale.ROOT, " at %.0f s", q.stoppedAtS()))
        + " (latencies partial)";
  }

  /** {@code search, seed 42}, {@code recheck, seed 43} or {@code not recorded}. */
  private static String probeCell(ServerScenarioFile.Point p, ServerScenarioFile.Probe q) {
    String kind = p.probeKind(q);
    if (kind == null) {
      return NOT_RECORDED;
    }
    return ("recheck".equals(kind) ? "**recheck**" : kind) + ", seed " + q.seed();
  }

  private static String splits(List<ServerScenarioFile.Point> points, List<Integer> indices) {
    if (indices.isEmpty()) {
      return "none";
    }
    List<String> names = new ArrayList<>();
    for (int i : indices) {
      names.add("split " + points.get(i).split() + " (" + points.get(i).link() + ")");
    }
    return String.join(", ", names);
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String cell(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
  }
}
