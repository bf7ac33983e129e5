package io.paretopipe.reports.render;

import io.paretopipe.format.Phase;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.PointSamples;
import io.paretopipe.reports.pareto.PointConfidence;
import io.paretopipe.reports.predict.PredictedVsMeasured;
import io.paretopipe.reports.stats.PercentileEstimate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The stable column contract of {@code points.csv}, {@code frontier.csv} and the points in {@code
 * frontier.json} (documented in docs/REPORTS.md). Columns are only ever added at the end.
 * Stateless.
 */
public final class PointColumns {
  /** The value type of a column, which decides how JSON writes it. */
  public enum Kind {
    TEXT,
    INTEGER,
    NUMBER,
    BOOLEAN
  }

  /**
   * One column.
   *
   * @param name the header / JSON field name
   * @param kind its type
   * @param value the value of a point and whether it is on the frontier: a String, Long, Double or
   *     Boolean, or null for unknown
   */
  public record Column(String name, Kind kind, Function<Row, Object> value) {}

  /**
   * A point, its frontier membership and its prediction.
   *
   * @param point the point
   * @param onFrontier whether it is on its group's frontier
   * @param prediction its prediction from unit profiles, null when there is none
   * @param confidence its bootstrap frontier probability and class
   * @param converged whether its figures are tight enough ({@link
   *     io.paretopipe.reports.pareto.Convergence})
   * @param costPrediction its predicted CPU time and energy, null when there is none
   */
  public record Row(
      Point point,
      boolean onFrontier,
      PredictedVsMeasured.PointPrediction prediction,
      PointConfidence confidence,
      boolean converged,
      io.paretopipe.reports.predict.CostPrediction.PointCost costPrediction) {
    /** A row without a CPU and energy prediction. */
    public Row(
        Point point,
        boolean onFrontier,
        PredictedVsMeasured.PointPrediction prediction,
        PointConfidence confidence,
        boolean converged) {
      this(point, onFrontier, prediction, confidence, converged, null);
    }

    /** A row without a prediction, confidence or convergence. */
    public Row(Point point, boolean onFrontier) {
      this(point, onFrontier, null, PointConfidence.UNKNOWN, false);
    }
  }

  /** Every column, in order. */
  public static final List<Column> COLUMNS = columns();

  private PointColumns() {}

  private static List<Column> columns() {
    List<Column> c = new ArrayList<>();
    c.add(new Column("model", Kind.TEXT, r -> r.point().group().model()));
    c.add(new Column("transport", Kind.TEXT, r -> r.point().group().transport()));
    c.add(new Column("link", Kind.TEXT, r -> r.point().group().link()));
    c.add(new Column("batch", Kind.INTEGER, r -> (long) r.point().group().batch()));
    c.add(new Column("variant", Kind.TEXT, r -> r.point().group().variant()));
    c.add(new Column("split", Kind.TEXT, r -> r.point().split()));
    c.add(new Column("depth", Kind.TEXT, r -> r.point().depth()));
    c.add(number("latency_mean_ms", Point::latencyMeanMs));
    c.add(number("latency_mean_ci_low_ms", Point::latencyMeanLowMs));
    c.add(number("latency_mean_ci_high_ms", Point::latencyMeanHighMs));
    c.add(number("latency_p50_ms", p -> p.latencyPercentileMs(50)));
    c.add(number("latency_p90_ms", p -> p.latencyPercentileMs(90)));
    c.add(number("latency_p99_ms", p -> p.latencyPercentileMs(99)));
    c.add(number("latency_p99_9_ms", p -> p.latencyPercentileMs(99.9)));
    c.add(number("latency_max_ms", Point::latencyMaxMs));
    c.add(number("throughput_img_s", Point::throughputImgS));
    c.add(number("throughput_ci_low_img_s", Point::throughputLowImgS));
    c.add(number("throughput_ci_high_img_s", Point::throughputHighImgS));
    c.add(new Column("bytes", Kind.INTEGER, r -> r.point().bytes() < 0 ? null : r.point().bytes()));
    for (Phase phase : Phase.parts()) {
      c.add(number(phase.tag() + "_ms", p -> p.phaseMs(phase)));
    }
    c.add(new Column("on_frontier", Kind.BOOLEAN, Row::onFrontier));
    c.add(predicted("predicted_latency_ms", (pp, p) -> pp.latencyMs()));
    c.add(predicted("predicted_latency_error_pct", (pp, p) -> pp.latencyErrorPct(p)));
    c.add(predicted("predicted_throughput_img_s", (pp, p) -> pp.throughputImgS()));
    c.add(predicted("predicted_throughput_error_pct", (pp, p) -> pp.throughputErrorPct(p)));
    c.add(predicted("predicted_overhead_ms", (pp, p) -> pp.overheadMs()));
    c.add(count("latency_requests", p -> p.samples().latency().requests()));
    c.add(count("latency_iterations", p -> (long) p.samples().latency().iterations()));
    c.add(count("latency_forks", p -> (long) p.samples().latency().forks()));
    c.add(
        new Column(
            "latency_samples_source",
            Kind.TEXT,
            r ->
                r.point().samples().latency().measured()
                    ? r.point().samples().latency().source()
                    : null));
    c.add(number("latency_mean_ci95_low_ms", p -> p.samples().latencyMean().low()));
    c.add(number("latency_mean_ci95_high_ms", p -> p.samples().latencyMean().high()));
    c.add(number("latency_mean_half_width_pct", p -> p.samples().latencyMean().halfWidthPercent()));
    for (double q : PointSamples.REPORTED_PERCENTILES) {
      String name = "latency_" + PercentileEstimate.label(q).replace('.', '_');
      c.add(number(name + "_ci95_low_ms", p -> percentile(p, q).lowMs()));
      c.add(number(name + "_ci95_high_ms", p -> percentile(p, q).highMs()));
    }
    c.add(
        new Column(
            "latency_percentiles_note",
            Kind.TEXT,
            r ->
                r.point().samples().percentiles().stream()
                    .filter(e -> !e.supported())
                    .map(e -> PercentileEstimate.label(e.percentile()) + ": " + e.reason())
                    .collect(Collectors.joining("; "))));
    c.add(count("throughput_batches", p -> p.samples().throughput().requests()));
    c.add(count("throughput_iterations", p -> (long) p.samples().throughput().iterations()));
    c.add(count("throughput_forks", p -> (long) p.samples().throughput().forks()));
    c.add(number("throughput_ci95_low_img_s", p -> p.samples().throughputMean().low()));
    c.add(number("throughput_ci95_high_img_s", p -> p.samples().throughputMean().high()));
    c.add(
        number("throughput_half_width_pct", p -> p.samples().throughputMean().halfWidthPercent()));
    c.add(new Column("converged", Kind.BOOLEAN, Row::converged));
    c.add(
        new Column(
            "frontier_probability",
            Kind.NUMBER,
            r ->
                Double.isFinite(r.confidence().probability())
                    ? r.confidence().probability()
                    : null));
    c.add(
        new Column(
            "frontier_class",
            Kind.TEXT,
            r ->
                r.confidence().frontierClass() == null
                    ? null
                    : r.confidence().frontierClass().label()));
    c.add(
        new Column(
            "indistinguishable_splits",
            Kind.TEXT,
            r -> String.join(";", r.confidence().indistinguishable())));
    c.add(new Column("frontier_note", Kind.TEXT, r -> r.confidence().note()));
    CostColumns.addTo(c);
    return List.copyOf(c);
  }

  private static Column predicted(
      String name,
      java.util.function.BiFunction<PredictedVsMeasured.PointPrediction, Point, Double> f) {
    return new Column(
        name,
        Kind.NUMBER,
        r -> {
          if (r.prediction() == null) {
            return null;
          }
          double v = f.apply(r.prediction(), r.point());
          return Double.isFinite(v) ? v : null;
        });
  }

  private static PercentileEstimate percentile(Point p, double q) {
    PercentileEstimate e = p.samples().percentile(q);
    return e == null ? PercentileEstimate.unsupported(q, 0, "not measured") : e;
  }

  /** An integer column whose negative values (and unmeasured metrics' zeros) are unknown. */
  private static Column count(String name, Function<Point, Long> f) {
    return new Column(
        name,
        Kind.INTEGER,
        r -> {
          long v = f.apply(r.point());
          boolean latency = name.startsWith("latency");
          boolean measured =
              latency
                  ? r.point().samples().latency().measured()
                  : r.point().samples().throughput().measured();
          return measured && v >= 0 ? v : null;
        });
  }

  static Column number(String name, Function<Point, Double> f) {
    return new Column(
        name,
        Kind.NUMBER,
        r -> {
          double v = f.apply(r.point());
          return Double.isFinite(v) ? v : null;
        });
  }

  /**
   * @return the CSV / Markdown text of a value: numbers via {@link Numbers#format}, null as {@code
   *     ""}
   */
  public static String text(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Double d) {
      return Numbers.format(d);
    }
    return value.toString();
  }
}
