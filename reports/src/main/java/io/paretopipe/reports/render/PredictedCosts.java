package io.paretopipe.reports.render;

import io.paretopipe.reports.predict.CostPrediction;
import io.paretopipe.reports.predict.Prediction;
import io.paretopipe.reports.predict.PredictionReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code predict --calibrate RUN} when RUN's points recorded their CPU time (and energy): every
 * predicted split's CPU ms and joules per image ({@link CostPrediction.Fit}, fitted on RUN's points
 * in sample), written as {@code costs.csv} (columns {@code link, split, predicted_latency_ms,
 * predicted_throughput_img_s, predicted_cpu_ms_per_image, predicted_energy_j_per_image,
 * energy_label}) and {@code costs.md}. Stateless.
 */
public final class PredictedCosts implements Renderer<PredictionReport> {

  /** The CSV file. */
  public static final String CSV = "costs.csv";

  /** The Markdown file. */
  public static final String MARKDOWN = "costs.md";

  private final CostPrediction.Fit fit;
  private final String energyLabel;
  private final String source;

  /**
   * @param fit the fitted coefficients
   * @param energyLabel the label of RUN's energy figures ({@code estimated}, ...), carried over to
   *     the predictions; {@code unavailable} when RUN has none
   * @param source what was fitted, for the text (e.g. the run and its transport)
   */
  public PredictedCosts(CostPrediction.Fit fit, String energyLabel, String source) {
    this.fit = fit;
    this.energyLabel = energyLabel;
    this.source = source;
  }

  @Override
  public void render(PredictionReport report, Path dir) throws IOException {
    Files.writeString(dir.resolve(CSV), csv(report), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(MARKDOWN), markdown(report), StandardCharsets.UTF_8);
  }

  private String csv(PredictionReport report) {
    StringBuilder b =
        new StringBuilder(
            "link,split,predicted_latency_ms,predicted_throughput_img_s,"
                + "predicted_cpu_ms_per_image,predicted_energy_j_per_image,energy_label\n");
    for (PredictionReport.LinkPrediction l : report.links()) {
      for (Prediction p : l.predictions()) {
        double cpu = fit.cpuMsPerImage(p, report.batch());
        double energy = fit.energyJPerImage(p.throughputImgS(), cpu);
        b.append(csvText(l.link().label()))
            .append(',')
            .append(p.split())
            .append(',')
            .append(PointColumns.text(finite(p.latencyMs())))
            .append(',')
            .append(PointColumns.text(finite(p.throughputImgS())))
            .append(',')
            .append(PointColumns.text(finite(cpu)))
            .append(',')
            .append(PointColumns.text(finite(energy)))
            .append(',')
            .append(Double.isFinite(energy) ? energyLabel : "unavailable")
            .append('\n');
      }
    }
    return b.toString();
  }

  /**
   * @return the Markdown: the fit, then per link a table of every predicted split
   */
  public String markdown(PredictionReport report) {
    StringBuilder md = new StringBuilder("\n## CPU time and energy per image (predicted)\n\n");
    md.append("Fitted in sample on ")
        .append(source)
        .append(": CPU ms/image = profiled compute per image + ")
        .append(Numbers.fixed(fit.a(), 3))
        .append(" + ")
        .append(Numbers.fixed(fit.b() * 1e6, 4))
        .append(" x MB sent per image (")
        .append(fit.cpuPoints())
        .append(" points); energy J/image = ")
        .append(Numbers.fixed(fit.alpha(), 3))
        .append(" W / throughput + ")
        .append(Numbers.fixed(fit.beta() * 1000, 3))
        .append(" J per CPU second x CPU s/image (")
        .append(fit.energyPoints())
        .append(" points, ")
        .append(energyLabel)
        .append("; docs/ENERGY.md).\n");
    for (PredictionReport.LinkPrediction l : report.links()) {
      md.append("\n### ")
          .append(l.link().label())
          .append(
              "\n\n| split | latency ms | img/s | CPU ms/img | J/img |\n|---:|---:|---:|---:|---:|\n");
      for (Prediction p : l.predictions()) {
        double cpu = fit.cpuMsPerImage(p, report.batch());
        double energy = fit.energyJPerImage(p.throughputImgS(), cpu);
        md.append("| ")
            .append(p.split())
            .append(" | ")
            .append(Numbers.fixed(p.latencyMs(), 3))
            .append(" | ")
            .append(Numbers.fixed(p.throughputImgS(), 2))
            .append(" | ")
            .append(Numbers.fixed(cpu, 2))
            .append(" | ")
            .append(Double.isFinite(energy) ? Numbers.fixed(energy, 4) : "unavailable")
            .append(" |\n");
      }
    }
    return md.toString();
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static String csvText(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
