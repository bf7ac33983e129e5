package io.paretopipe.reports.render;

import io.paretopipe.reports.model.CostFigure;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.PointCosts;
import io.paretopipe.reports.predict.CostPrediction;
import io.paretopipe.reports.render.PointColumns.Column;
import io.paretopipe.reports.render.PointColumns.Kind;
import java.util.List;
import java.util.function.Function;

/**
 * The CPU time and energy columns appended to {@link PointColumns} (docs/REPORTS.md,
 * docs/ENERGY.md): per image, with their 95% intervals and the passes and images behind them, the
 * energy's label ({@code unavailable} where no tier gave a figure, the number then empty, never 0),
 * their predictions from the unit profiles, and last the link's estimated energy (apart from the
 * energy, not included in it) with its label and why it is unavailable. Stateless.
 */
final class CostColumns {

  private CostColumns() {}

  static void addTo(List<Column> c) {
    figure(c, "cpu_ms_per_image", p -> p.costs().cpuTotal());
    c.add(
        PointColumns.number("cpu_head_ms_per_image", p -> p.costs().cpu(PointCosts.HEAD).value()));
    c.add(PointColumns.number("cpu_tail_ms_per_image", p -> p.costs().cpuTailValue()));
    units(c, "cpu", p -> p.costs().cpuTotal());
    figure(c, "energy_j_per_image", p -> p.costs().energyJPerImage());
    c.add(new Column("energy_label", Kind.TEXT, r -> r.point().costs().energyLabelShown()));
    c.add(PointColumns.number("energy_head_j_per_image", p -> p.costs().energyHead().value()));
    c.add(PointColumns.number("energy_tail_j_per_image", p -> p.costs().energyTailValue()));
    units(c, "energy", p -> p.costs().energyJPerImage());
    c.add(
        new Column(
            "energy_note",
            Kind.TEXT,
            r ->
                r.point().costs() == PointCosts.NONE
                    ? "not recorded by this run"
                    : r.point().costs().energyNote()));
    predicted(c, "predicted_cpu_ms_per_image", CostPrediction.PointCost::cpuMsPerImage);
    predicted(c, "predicted_cpu_error_pct", null);
    predicted(c, "predicted_energy_j_per_image", CostPrediction.PointCost::energyJPerImage);
    predicted(c, "predicted_energy_error_pct", null);
    c.add(
        PointColumns.number(
            "energy_link_j_per_image", p -> p.costs().energyLinkJPerImage().value()));
    c.add(
        new Column("energy_link_label", Kind.TEXT, r -> r.point().costs().energyLinkLabelShown()));
    c.add(
        new Column(
            "energy_link_note",
            Kind.TEXT,
            r ->
                r.point().costs().energyLinkLabel().isEmpty()
                    ? "not recorded by this run"
                    : r.point().costs().energyLinkNote()));
  }

  private static void figure(List<Column> c, String name, Function<Point, CostFigure> f) {
    c.add(PointColumns.number(name, p -> f.apply(p).value()));
    c.add(PointColumns.number(name + "_ci95_low", p -> f.apply(p).interval().low()));
    c.add(PointColumns.number(name + "_ci95_high", p -> f.apply(p).interval().high()));
  }

  private static void units(List<Column> c, String prefix, Function<Point, CostFigure> f) {
    c.add(
        new Column(
            prefix + "_passes",
            Kind.INTEGER,
            r -> {
              CostFigure figure = f.apply(r.point());
              return figure.known() ? (long) figure.samples().units().size() : null;
            }));
    c.add(
        new Column(
            prefix + "_images",
            Kind.INTEGER,
            r -> {
              CostFigure figure = f.apply(r.point());
              return figure.known() ? figure.samples().requests() : null;
            }));
  }

  /** A prediction column; with a null {@code f} the error of the one before it. */
  private static void predicted(
      List<Column> c,
      String name,
      java.util.function.ToDoubleFunction<CostPrediction.PointCost> f) {
    c.add(
        new Column(
            name,
            Kind.NUMBER,
            r -> {
              CostPrediction.PointCost pc = r.costPrediction();
              if (pc == null) {
                return null;
              }
              double v;
              if (f != null) {
                v = f.applyAsDouble(pc);
              } else if (name.startsWith("predicted_cpu")) {
                v = pc.cpuErrorPct(r.point());
              } else {
                v = pc.energyErrorPct(r.point());
              }
              return Double.isFinite(v) ? v : null;
            }));
  }
}
