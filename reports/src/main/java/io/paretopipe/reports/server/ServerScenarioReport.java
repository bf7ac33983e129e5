package io.paretopipe.reports.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Server scenario's report of one {@link ServerScenarioFile}: per split the peak rate meeting
 * the SLO with its bracket and flags, the bottleneck prediction and how well it agrees, the SLO
 * frontier (peak rate up, latency at that rate down) beside the closed-loop one of requests sent
 * one at a time, and every probe as the latency-vs-offered-load curve (the knee). {@link
 * #markdown()} for people, {@link #kneeCsv()} for plotting ({@code
 * model,transport,link,split,offered_per_s,completed_per_s,p50_ms,p90_ms,p99_ms,slo_percentile_ms,scheduled,dropped,passes,valid},
 * empty cells for NaN). Stateless apart from the file it reads.
 */
public final class ServerScenarioReport {

  private final ServerScenarioFile file;

  public ServerScenarioReport(ServerScenarioFile file) {
    this.file = java.util.Objects.requireNonNull(file, "file");
  }

  /** Writes {@code server-scenario.md} and {@code server-knee.csv} into {@code dir}. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("server-scenario.md"), markdown(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("server-knee.csv"), kneeCsv(), StandardCharsets.UTF_8);
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
          ServerPeakPrediction.of(p, file.percentile(), file.boundMs());
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
              num(p.peakPerS()),
              num(p.failingPerS()),
              p.valid() ? "yes" : "no",
              num(sloLatencies[i]),
              num(closedLatencies[i]),
              num(p.closedLoopPerS()),
              Double.isNaN(pred.bottleneckMs())
                  ? "-"
                  : pred.bottleneck() + " " + num(pred.bottleneckMs()) + " ms",
              num(pred.peakPerS()),
              agreement(pred.peakPerS(), p.peakPerS(), p.failingPerS())));
    }
    md.append("\n## Frontiers\n\n");
    md.append(
        "SLO frontier (peak rate meeting the SLO up, the SLO percentile at that rate down): "
            + splits(points, frontier(sloRates, sloLatencies))
            + ".\n\n");
    md.append(
        "Closed-loop frontier of requests sent one at a time (rate up, latency down; rate is"
            + " 1/latency there, so it is the fastest split alone): "
            + splits(points, frontier(closedRates, closedLatencies))
            + ". JMH's closed-loop report (latency vs throughput at `depth` in flight) is the"
            + " sweep's other scenario.\n\n");
    md.append("## Latency against offered load (the knee)\n\n");
    for (ServerScenarioFile.Point p : points) {
      md.append("### ").append(p.label()).append("\n\n");
      md.append("| offered /s | completed /s | p50 ms | p90 ms | p99 ms | dropped | passes |\n");
      md.append("|---|---|---|---|---|---|---|\n");
      p.probes().stream()
          .sorted(java.util.Comparator.comparingDouble(ServerScenarioFile.Probe::offeredPerS))
          .forEach(
              q ->
                  md.append(
                      String.format(
                          Locale.ROOT,
                          "| %s | %s | %s | %s | %s | %d of %d | %s |%n",
                          num(q.offeredPerS()),
                          num(q.completedPerS()),
                          num(q.p50Ms()),
                          num(q.p90Ms()),
                          num(q.p99Ms()),
                          q.dropped(),
                          q.scheduled(),
                          q.valid() ? "VALID" : q.passes() ? "passes" : "fails")));
      md.append('\n');
    }
    return md.toString();
  }

  /**
   * {@code inside the bracket}, or the predicted peak over the bracket's nearer end, e.g. {@code
   * 1.31x the lowest failing}.
   */
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
                + "slo_percentile_ms,scheduled,dropped,passes,valid\n");
    for (ServerScenarioFile.Point p : file.points()) {
      for (ServerScenarioFile.Probe q : p.probes()) {
        csv.append(
            String.join(
                ",",
                p.model(),
                p.transport(),
                p.link(),
                p.split(),
                cell(q.offeredPerS()),
                cell(q.completedPerS()),
                cell(q.p50Ms()),
                cell(q.p90Ms()),
                cell(q.p99Ms()),
                cell(q.sloPercentileMs()),
                Long.toString(q.scheduled()),
                Long.toString(q.dropped()),
                Boolean.toString(q.passes()),
                Boolean.toString(q.valid())));
        csv.append('\n');
      }
    }
    return csv.toString();
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
