package io.paretopipe.reports.render;

import com.fasterxml.jackson.core.JsonGenerator;
import io.paretopipe.reports.predict.PeakRates;
import io.paretopipe.reports.predict.PeakRates.Agreement;
import io.paretopipe.reports.predict.Prediction;
import io.paretopipe.reports.predict.PredictionReport;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@code predict --slo} adds to {@code predicted.md}, {@code predicted.json} and {@code
 * predicted.csv}, and with {@code --server} the agreement with measured peak searches: a section in
 * {@code predicted.md}, {@code peak_agreement} in {@code predicted.json} and {@code
 * peak-agreement.csv} (columns {@link #AGREEMENT_COLUMNS}). A figure the run did not record is
 * {@code not recorded} in Markdown, {@code null} in JSON and empty in CSV, never 0. Stateless.
 */
public final class PeakRateTables {

  /** The agreement CSV's file name. */
  public static final String CSV = "peak-agreement.csv";

  /** What Markdown says for a figure the measured run did not record. */
  public static final String NOT_RECORDED = "not recorded";

  /** The columns of {@link #CSV}, one row per measured point. */
  public static final List<String> AGREEMENT_COLUMNS =
      List.of(
          "link",
          "split",
          "run",
          "slo",
          "predicted_peak_rate_per_s",
          "peak_bottleneck",
          "peak_service_ms",
          "predicted_latency_ms",
          "peak_rate_per_s",
          "lowest_failing_rate_per_s",
          "stated_peak_rate_per_s",
          "stated_lowest_failing_rate_per_s",
          "interval",
          "ratio_to_measured_peak",
          "inside_interval",
          "peak_service_cv2",
          "peak_model");

  private PeakRateTables() {}

  static String headerCells(PeakRates rates) {
    return rates == null ? "" : " peak /s at " + rates.slo() + " | peak bottleneck |";
  }

  static String alignCells(PeakRates rates) {
    return rates == null ? "" : "---:|:---|";
  }

  static String rowCells(PeakRates rates, Prediction p) {
    if (rates == null) {
      return "";
    }
    return " "
        + peakText(rates.peakPerS(p))
        + " | "
        + p.busiest()
        + " "
        + Numbers.fixed(p.busiestMs(), 3)
        + " ms"
        + modelText(rates, p)
        + " |";
  }

  /** {@code , M/G/1 cs² 0.123} or {@code , M/D/1}. */
  private static String modelText(PeakRates rates, Prediction p) {
    double cv2 = rates.serviceCv2(p);
    return ", "
        + rates.model(p)
        + (Double.isFinite(cv2) ? " cs\u00b2 " + Numbers.fixed(cv2, 3) : "");
  }

  private static String peakText(double peak) {
    return Double.isFinite(peak) ? Numbers.fixed(peak, 2) : "none (alone over the bound)";
  }

  private static String rate(double v) {
    return Double.isFinite(v) ? Numbers.fixed(v, 2) : NOT_RECORDED;
  }

  private static String interval(double low, double high) {
    return "["
        + (Double.isFinite(low) ? Numbers.fixed(low, 2) : NOT_RECORDED)
        + ", "
        + (Double.isFinite(high) ? Numbers.fixed(high, 2) : "none failed")
        + ")";
  }

  /**
   * @return the Markdown section: how the peak is predicted, then with measured points the
   *     agreement table and its one-line summary
   */
  static String markdown(PredictionReport r) {
    PeakRates rates = r.peakRates();
    StringBuilder md = new StringBuilder("\n## Peak rate within ").append(rates.slo());
    md.append("\n\n")
        .append(
            "Predicted peak Poisson rate (requests per second) of each split: the pipeline as an"
                + " M/G/1 queue in front of its busiest stage or link (service time: the head's or"
                + " the tail's compute, or the link's serialisation of the tensor, with half the"
                + " calibrated per-hop overhead; its squared coefficient of variation cs\u00b2 as"
                + " the calibration run's hlogs measured it for that stage, M/D/1 (cs\u00b2 = 0)"
                + " where none is measured), a request alone taking the predicted latency;"
                + " the highest utilisation whose ")
        .append(percentileText(rates))
        .append(" stays within the bound (docs/PREDICTION.md, `ServerPeakPrediction`). Queue")
        .append(" model: ")
        .append(rates.modelSummary())
        .append(".\n");
    if (rates.agreements().isEmpty()) {
      return md.toString();
    }
    md.append("\n### Against the measured peaks\n\n")
        .append(rates.summary())
        .append(".\n\n")
        .append(
            "Measured: `[peak, lowest failing)` after the second-seed recheck; the stated interval"
                + " widens it by the speed drift (the claimed bracket where the run states none)."
                + " Ratio: predicted / measured peak. Inside: the prediction lies in the stated"
                + " interval.\n\n");
    md.append(
        "| link | split | run | predicted peak /s | bottleneck | measured [peak, lowest failing) /s"
            + " | stated interval /s | ratio | inside |\n");
    md.append("|:---|---:|:---|---:|:---|:---|:---|---:|:---:|\n");
    for (Agreement a : rates.agreements()) {
      Boolean inside = a.inside();
      md.append("| ")
          .append(a.link())
          .append(" | ")
          .append(a.split())
          .append(" | ")
          .append(a.run())
          .append(" | ")
          .append(peakText(a.predictedPerS()))
          .append(" | ")
          .append(a.predicted().busiest())
          .append(" ")
          .append(Numbers.fixed(a.predicted().busiestMs(), 3))
          .append(" ms")
          .append(modelText(rates, a.predicted()))
          .append(" | ")
          .append(interval(a.claimedPeakPerS(), a.claimedFailingPerS()))
          .append(" | ")
          .append(
              a.stated()
                  ? interval(a.statedPeakPerS(), a.statedFailingPerS())
                  : NOT_RECORDED + " (claimed bracket used)")
          .append(" | ")
          .append(Double.isFinite(a.ratio()) ? Numbers.fixed(a.ratio(), 2) : NOT_RECORDED)
          .append(" | ")
          .append(inside == null ? NOT_RECORDED : inside ? "yes" : "**no**")
          .append(" |\n");
    }
    return md.toString();
  }

  private static String percentileText(PeakRates rates) {
    String slo = rates.slo().toString();
    return slo.substring(0, slo.indexOf('=')) + " (Kingman's heavy-traffic waiting time)";
  }

  /**
   * @return {@link #CSV}'s text
   */
  public static String agreementCsv(PeakRates rates) {
    StringBuilder s = new StringBuilder(String.join(",", AGREEMENT_COLUMNS)).append('\n');
    for (Agreement a : rates.agreements()) {
      Boolean inside = a.inside();
      List<String> row =
          List.of(
              a.link(),
              a.split(),
              a.run(),
              rates.slo().toString(),
              cell(a.predictedPerS()),
              a.predicted().busiest(),
              cell(a.predicted().busiestMs()),
              cell(a.predicted().latencyMs()),
              cell(a.claimedPeakPerS()),
              cell(a.claimedFailingPerS()),
              a.stated() ? cell(a.statedPeakPerS()) : "",
              a.stated() ? cell(a.statedFailingPerS()) : "",
              a.stated() ? "stated" : "claimed",
              cell(a.ratio()),
              inside == null ? "" : inside.toString(),
              cell(rates.serviceCv2(a.predicted())),
              rates.model(a.predicted()));
      s.append(row.stream().map(CsvRenderer::escape).collect(Collectors.joining(","))).append('\n');
    }
    return s.toString();
  }

  private static String cell(double v) {
    return Double.isFinite(v) ? Numbers.format(v) : "";
  }

  /** Writes {@code "peak_agreement": {...}} into an open JSON object. */
  static void agreementJson(JsonGenerator g, PeakRates rates) throws IOException {
    g.writeObjectFieldStart("peak_agreement");
    g.writeStringField("summary", rates.summary());
    g.writeNumberField("measured", rates.agreements().size());
    g.writeNumberField("inside", rates.insideCount());
    PredictionRenderers.number(g, "median_ratio", rates.medianRatio());
    g.writeArrayFieldStart("points");
    for (Agreement a : rates.agreements()) {
      g.writeStartObject();
      g.writeStringField("link", a.link());
      g.writeStringField("split", a.split());
      g.writeStringField("run", a.run());
      PredictionRenderers.number(g, "predicted_peak_rate_per_s", a.predictedPerS());
      g.writeStringField("peak_bottleneck", a.predicted().busiest());
      PredictionRenderers.number(g, "peak_service_ms", a.predicted().busiestMs());
      PredictionRenderers.number(g, "peak_rate_per_s", a.claimedPeakPerS());
      PredictionRenderers.number(g, "lowest_failing_rate_per_s", a.claimedFailingPerS());
      PredictionRenderers.number(
          g, "stated_peak_rate_per_s", a.stated() ? a.statedPeakPerS() : Double.NaN);
      PredictionRenderers.number(
          g, "stated_lowest_failing_rate_per_s", a.stated() ? a.statedFailingPerS() : Double.NaN);
      g.writeStringField("interval", a.stated() ? "stated" : "claimed");
      PredictionRenderers.number(g, "ratio_to_measured_peak", a.ratio());
      Boolean inside = a.inside();
      if (inside == null) {
        g.writeNullField("inside_interval");
      } else {
        g.writeBooleanField("inside_interval", inside);
      }
      PredictionRenderers.number(g, "peak_service_cv2", rates.serviceCv2(a.predicted()));
      g.writeStringField("peak_model", rates.model(a.predicted()));
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeStringField("models", rates.modelSummary());
    g.writeEndObject();
  }
}
