package io.paretopipe.reports.render;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.pareto.FrontierClass;
import io.paretopipe.reports.pareto.Objective;
import io.paretopipe.reports.predict.PredictedVsMeasured;
import io.paretopipe.reports.stats.MeanInterval;
import io.paretopipe.reports.stats.PercentileEstimate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code frontier.json}: format name and version, the objectives, and per group its key, its
 * frontier splits, all its points with the columns of {@link PointColumns} (unknown values {@code
 * null}) and the agreement of predicted and measured ({@code "prediction"}, {@code null} without
 * unit profiles), its frontier classes, its sets of splits that cannot be told apart and its sample
 * counts; the overall agreement and the statistics settings last. Two-space indentation, {@code \n}
 * line ends, numbers as in the CSV.
 */
public final class JsonRenderer implements Renderer<ParetoReport> {
  /** The file written. */
  public static final String FILE = "frontier.json";

  /** Value of the {@code format} field. */
  public static final String FORMAT = "paretopipe-frontier";

  /** Value of the {@code version} field; raised only for incompatible changes. */
  public static final int VERSION = 1;

  /** Writes {@code "prediction": null} or the agreement of predicted and measured. */
  private static void agreement(JsonGenerator g, PredictedVsMeasured.Agreement a)
      throws IOException {
    if (a == null) {
      g.writeNullField("prediction");
      return;
    }
    g.writeObjectFieldStart("prediction");
    g.writeNumberField("latency_points", a.latencyPoints());
    number(g, "median_abs_latency_error_pct", a.medianAbsLatencyErrorPct());
    g.writeNumberField("throughput_points", a.throughputPoints());
    number(g, "median_abs_throughput_error_pct", a.medianAbsThroughputErrorPct());
    g.writeEndObject();
  }

  private static void count(JsonGenerator g, String name, long value) throws IOException {
    if (value < 0) {
      g.writeNullField(name);
    } else {
      g.writeNumberField(name, value);
    }
  }

  private static void number(JsonGenerator g, String name, double value) throws IOException {
    g.writeFieldName(name);
    if (Double.isFinite(value)) {
      g.writeNumber(Numbers.format(value));
    } else {
      g.writeNull();
    }
  }

  /**
   * @param file the file to write (replaced)
   * @return a UTF-8 generator into {@code file} that writes as every JSON output of the reports:
   *     two-space indentation, {@code \n} line ends; the caller closes it
   */
  static JsonGenerator open(Path file) throws IOException {
    JsonGenerator g = new JsonFactory().createGenerator(file.toFile(), JsonEncoding.UTF8);
    g.setPrettyPrinter(
        new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));
    return g;
  }

  @Override
  public void render(ParetoReport report, Path dir) throws IOException {
    try (JsonGenerator g = open(dir.resolve(FILE))) {
      g.writeStartObject();
      g.writeStringField("format", FORMAT);
      g.writeNumberField("version", VERSION);
      g.writeStringField("latency_statistic", report.latency().label());
      g.writeBooleanField("epsilon", report.frontier().epsilon());
      g.writeArrayFieldStart("objectives");
      for (Objective o : report.frontier().objectives()) {
        g.writeStartObject();
        g.writeStringField("name", o.name());
        g.writeStringField("better", o.minimize() ? "lower" : "higher");
        g.writeEndObject();
      }
      g.writeEndArray();
      Map<GroupKey, GroupSummary> summaries = GroupSummary.of(report);
      g.writeArrayFieldStart("groups");
      for (Map.Entry<GroupKey, List<Point>> e : report.run().pointsByGroup().entrySet()) {
        GroupKey key = e.getKey();
        g.writeStartObject();
        g.writeStringField("model", key.model());
        g.writeStringField("transport", key.transport());
        g.writeStringField("link", key.link());
        g.writeNumberField("batch", key.batch());
        g.writeStringField("variant", key.variant());
        g.writeStringField("title", GroupTitles.title(key));
        g.writeArrayFieldStart("frontier_splits");
        for (Point p : report.frontier().frontierByGroup().getOrDefault(key, List.of())) {
          g.writeString(p.split());
        }
        g.writeEndArray();
        g.writeArrayFieldStart("points");
        for (Point p : e.getValue()) {
          PointColumns.Row row = report.row(p);
          g.writeStartObject();
          for (PointColumns.Column c : PointColumns.COLUMNS) {
            Object v = c.value().apply(row);
            g.writeFieldName(c.name());
            if (v == null) {
              g.writeNull();
            } else if (v instanceof Double d) {
              g.writeNumber(Numbers.format(d));
            } else if (v instanceof Long l) {
              g.writeNumber(l);
            } else if (v instanceof Boolean b) {
              g.writeBoolean(b);
            } else {
              g.writeString(v.toString());
            }
          }
          g.writeEndObject();
        }
        g.writeEndArray();
        agreement(g, report.prediction().byGroup().get(key));
        GroupSummary summary = summaries.get(key);
        g.writeObjectFieldStart("frontier_classes");
        for (FrontierClass c : FrontierClass.values()) {
          g.writeArrayFieldStart(c.label());
          for (String split : summary.splitsByClass().get(c)) {
            g.writeString(split);
          }
          g.writeEndArray();
        }
        g.writeEndObject();
        g.writeArrayFieldStart("indistinguishable_sets");
        for (List<String> set : summary.indistinguishableSets()) {
          g.writeStartArray();
          for (String split : set) {
            g.writeString(split);
          }
          g.writeEndArray();
        }
        g.writeEndArray();
        g.writeObjectFieldStart("samples");
        g.writeNumberField("points", summary.points());
        count(g, "latency_requests", summary.latencyRequests());
        g.writeNumberField("latency_iterations_min", summary.latencyIterationsMin());
        g.writeNumberField("latency_iterations_max", summary.latencyIterationsMax());
        count(g, "throughput_batches", summary.throughputBatches());
        g.writeNumberField("throughput_iterations_min", summary.throughputIterationsMin());
        g.writeNumberField("throughput_iterations_max", summary.throughputIterationsMax());
        g.writeNumberField("converged_points", summary.converged());
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      agreement(g, report.prediction().overall().orElse(null));
      g.writeStringField("frontier_method", report.frontier().method().label());
      number(g, "confidence_level", MeanInterval.LEVEL);
      g.writeStringField("intervals", report.run().intervals().label());
      g.writeNumberField("resamples", report.frontier().resamples());
      g.writeNumberField("seed", report.frontier().seed());
      number(g, "target_half_width_pct", report.convergence().targetHalfWidthPercent());
      g.writeArrayFieldStart("required_percentiles");
      for (double q : report.convergence().requiredPercentiles()) {
        g.writeString(PercentileEstimate.label(q));
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeRaw('\n');
    }
  }
}
