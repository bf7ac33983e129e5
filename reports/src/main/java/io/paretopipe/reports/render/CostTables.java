package io.paretopipe.reports.render;

import io.paretopipe.format.Phase;
import io.paretopipe.reports.model.CostFigure;
import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.PointCosts;
import io.paretopipe.reports.pareto.Objective;
import io.paretopipe.reports.pareto.PointConfidence;
import io.paretopipe.reports.predict.CostPrediction;
import io.paretopipe.reports.stats.MeanInterval;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The per-group tables of CPU time and energy per image (docs/ENERGY.md) and, with three or more
 * objectives, of the frontier on all of them, for {@code summary.md} and {@code index.html} alike.
 * A group whose points recorded no costs and a frontier on fewer than three objectives add nothing,
 * so reports of such runs are as they were. Every figure carries its 95% interval (moderated where
 * the run's are) and the passes and images it rests on; energy carries its tier's label and is
 * {@code unavailable} where no tier gave a figure, never 0. Stateless.
 */
public final class CostTables {

  /**
   * One table.
   *
   * @param title its heading
   * @param note a paragraph under the heading
   * @param header column names
   * @param rows cells, one list per row
   * @param rowClasses {@code on} for frontier rows, else {@code ""}
   * @param textColumns leading text columns
   */
  public record Table(
      String title,
      String note,
      List<String> header,
      List<List<String>> rows,
      List<String> rowClasses,
      int textColumns) {

    /**
     * @return the table as Markdown: a level-3 heading, the note, the table
     */
    public String markdown() {
      StringBuilder md = new StringBuilder("\n### ").append(title).append("\n\n");
      md.append(note).append("\n\n| ").append(String.join(" | ", header)).append(" |\n|");
      for (int c = 0; c < header.size(); c++) {
        md.append(c < textColumns ? "---|" : "---:|");
      }
      md.append('\n');
      for (List<String> row : rows) {
        md.append("| ").append(String.join(" | ", row)).append(" |\n");
      }
      return md.toString();
    }

    /** Adds the table to {@code page} under a level-4 heading. */
    public void addTo(HtmlPage page) {
      page.heading(4, title);
      page.paragraph(note);
      page.table(header, rows, rowClasses, textColumns);
    }
  }

  private CostTables() {}

  /**
   * @return the tables of one group, in page order; empty when it has none
   */
  public static List<Table> of(ParetoReport report, GroupKey group, List<Point> points) {
    List<Table> tables = new ArrayList<>();
    if (points.stream().anyMatch(p -> p.costs() != PointCosts.NONE)) {
      tables.add(costs(report, group, points));
    }
    if (report.frontier().objectives().size() >= 3) {
      tables.add(frontier(report, points));
    }
    return tables;
  }

  /**
   * @return the agreement of the predicted CPU time and energy with the measured ones: one table
   *     over the groups, then one per group; empty when nothing was predicted
   */
  public static List<Table> predicted(ParetoReport report) {
    CostPrediction costs = report.prediction().costs();
    List<Table> tables = new ArrayList<>();
    if (costs.isEmpty()) {
      return tables;
    }
    List<List<String>> rows = new ArrayList<>();
    costs.byGroup().forEach((g, a) -> rows.add(agreement(g.label(), a)));
    costs.overall().ifPresent(a -> rows.add(agreement("all", a)));
    tables.add(
        new Table(
            "CPU time and energy: predicted vs measured",
            "CPU ms per image predicted as the units' profiled compute per image plus a + b x bytes"
                + " sent per image; energy as alpha / throughput + beta x CPU ms per image, on the"
                + " predicted throughput and CPU time. a and b are fitted on the other splits of the"
                + " point's model, transport, batch and variant, alpha and beta on the other splits"
                + " of its group (leave-one-split-out), so no point's own measurement informs its"
                + " prediction (docs/ENERGY.md). Error = (predicted - measured) / measured.",
            List.of(
                "group",
                "CPU points",
                "median abs CPU error %",
                "energy points",
                "median abs energy error %"),
            rows,
            Collections.nCopies(rows.size(), ""),
            1));
    for (Map.Entry<GroupKey, List<Point>> e : report.run().pointsByGroup().entrySet()) {
      if (!costs.byGroup().containsKey(e.getKey())) {
        continue;
      }
      List<List<String>> pointRows = new ArrayList<>();
      for (Point p : e.getValue()) {
        Optional<CostPrediction.PointCost> pc = costs.of(p);
        pointRows.add(
            List.of(
                p.split(),
                p.depth(),
                figure(p.costs().cpuTotal(), 2),
                pc.map(x -> number(x.cpuMsPerImage(), 2)).orElse("n/a"),
                pc.map(x -> number(x.cpuErrorPct(p), 1)).orElse("n/a"),
                p.costs().energyJPerImage().known()
                    ? figure(p.costs().energyJPerImage(), 4)
                    : PointCosts.UNAVAILABLE,
                pc.map(x -> number(x.energyJPerImage(), 4)).orElse("n/a"),
                pc.map(x -> number(x.energyErrorPct(p), 1)).orElse("n/a")));
      }
      tables.add(
          new Table(
              "CPU time and energy predicted, " + e.getKey().label(),
              "Measured with its 95% interval over the passes; energy labelled "
                  + e.getValue().get(0).costs().energyLabelShown()
                  + ".",
              List.of(
                  "split",
                  "depth",
                  "CPU ms/img ± 95%",
                  "predicted",
                  "error %",
                  "energy J/img ± 95%",
                  "predicted",
                  "error %"),
              pointRows,
              Collections.nCopies(pointRows.size(), ""),
              2));
    }
    return tables;
  }

  private static List<String> agreement(String label, CostPrediction.Agreement a) {
    return List.of(
        label,
        Integer.toString(a.cpuPoints()),
        number(a.medianAbsCpuErrorPct(), 1),
        Integer.toString(a.energyPoints()),
        number(a.medianAbsEnergyErrorPct(), 1));
  }

  private static Table costs(ParetoReport report, GroupKey group, List<Point> points) {
    List<String> header =
        List.of(
            "split",
            "depth",
            "CPU ms/img head ± 95%",
            "CPU ms/img tail",
            "CPU ms/img total ± 95%",
            "CPU rests on",
            "energy J/img ± 95%",
            "energy label",
            "energy head J/img",
            "energy link J/img",
            "energy tail J/img",
            "time head compute ms",
            "time network ms",
            "time tail compute ms");
    List<List<String>> rows = new ArrayList<>();
    List<String> classes = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<String> linkNotes = new ArrayList<>();
    for (Point p : points) {
      PointCosts c = p.costs();
      String label = c.energyLabelShown();
      boolean energyKnown = c.energyJPerImage().known();
      rows.add(
          List.of(
              p.split(),
              p.depth(),
              figure(c.cpu(PointCosts.HEAD), 2),
              number(c.cpuTailValue(), 2),
              figure(c.cpuTotal(), 2),
              c.cpuTotal().known()
                  ? Objective.cpu().samplesText(p)
                  : (c == PointCosts.NONE ? "not recorded" : PointCosts.UNAVAILABLE),
              energyKnown ? figure(c.energyJPerImage(), 4) : PointCosts.UNAVAILABLE,
              label,
              energyKnown ? number(c.energyHead().value(), 4) : PointCosts.UNAVAILABLE,
              c.energyLinkJPerImage().known()
                  ? number(c.energyLinkJPerImage().value(), 6)
                  : PointCosts.UNAVAILABLE,
              energyKnown ? number(c.energyTailValue(), 4) : PointCosts.UNAVAILABLE,
              number(p.phaseMs(Phase.HEAD_COMPUTE), 3),
              number(p.phaseMs(Phase.NETWORK), 3),
              number(p.phaseMs(Phase.TAIL_COMPUTE), 3)));
      classes.add(report.frontier().contains(p) ? "on" : "");
      if (!c.energyNote().isEmpty() && !notes.contains(c.energyNote())) {
        notes.add(c.energyNote());
      }
      String linkNote =
          c.energyLinkLabel().isEmpty() ? "not recorded by this run" : c.energyLinkNote();
      if (!linkNote.isEmpty() && !linkNotes.contains(linkNote)) {
        linkNotes.add(linkNote);
      }
    }
    String method =
        points.stream()
            .map(p -> p.costs().method())
            .filter(m -> !m.isEmpty())
            .findFirst()
            .orElse("");
    String note =
        "Per image, over the "
            + (method.isEmpty() ? "measured" : method + " method's")
            + " window of each pass (one replication unit per pass; ± is the 95% interval over"
            + " the passes, moderated with the group's like the latency's; a single pass has none)."
            + " CPU: user + system time of each stage's process (or its threads); tail = every"
            + " remote stage. Energy by stage beside the time by phase (ms per request): the"
            + " link's energy is estimated apart (bytes over the link x the devices' published"
            + " J/byte), not part of the energy column, and unavailable where no figure applies."
            + " Energy tier: "
            + (notes.isEmpty() ? "none recorded" : String.join("; ", notes))
            + (linkNotes.isEmpty() ? "" : ". Link: " + String.join("; ", linkNotes))
            + ".";
    return new Table(
        "CPU time and energy per image, " + GroupTitles.link(group),
        note,
        header,
        rows,
        classes,
        2);
  }

  private static Table frontier(ParetoReport report, List<Point> points) {
    List<Objective> objectives = report.frontier().objectives();
    List<String> header = new ArrayList<>(List.of("split", "depth"));
    for (Objective o : objectives) {
      header.add(o.name() + " ± 95% (" + (o.minimize() ? "lower" : "higher") + " is better)");
      header.add("rests on");
    }
    header.addAll(List.of("P(frontier)", "class", "frontier"));
    List<Point> ordered = new ArrayList<>(points);
    ordered.sort(
        java.util.Comparator.comparing((Point p) -> !report.frontier().contains(p))
            .thenComparing(Point.ORDER));
    List<List<String>> rows = new ArrayList<>();
    List<String> classes = new ArrayList<>();
    for (Point p : ordered) {
      List<String> row = new ArrayList<>(List.of(p.split(), p.depth()));
      for (Objective o : objectives) {
        row.add(objectiveFigure(o, p));
        row.add(o.samplesText(p));
      }
      PointConfidence c = report.frontier().confidenceOf(p);
      boolean on = report.frontier().contains(p);
      row.add(Figures.probability(c));
      row.add(Figures.frontierClass(c));
      row.add(on ? "yes" : "");
      rows.add(row);
      classes.add(on ? "on" : "");
    }
    String names = objectives.stream().map(Objective::name).collect(Collectors.joining(", "));
    return new Table(
        "Frontier on " + objectives.size() + " objectives",
        "Every point with its "
            + names
            + "; frontier points first. A point is on the frontier when no other point is at least as"
            + " good on every one of these objectives and better on one (with the bootstrap's"
            + " classes as above); a point with an unknown objective (energy unavailable) is never"
            + " on it. The charts of each pair of objectives are the 2-D projections of this"
            + " frontier.",
        Collections.unmodifiableList(header),
        rows,
        classes,
        2);
  }

  private static String objectiveFigure(Objective o, Point p) {
    double v = o.value().applyAsDouble(p);
    if (!Double.isFinite(v)) {
      return o.sampling() == Objective.Sampling.ENERGY ? PointCosts.UNAVAILABLE : "n/a";
    }
    int decimals = o.sampling() == Objective.Sampling.ENERGY ? 4 : 3;
    MeanInterval i = o.interval(p);
    return i.known()
        ? Numbers.fixed(v, decimals) + " ± " + Numbers.fixed((i.high() - i.low()) / 2, decimals)
        : Numbers.fixed(v, decimals);
  }

  private static String figure(CostFigure f, int decimals) {
    if (!f.known()) {
      return PointCosts.UNAVAILABLE;
    }
    String text = Numbers.fixed(f.value(), decimals);
    if (f.interval().known()) {
      return text + " ± " + Numbers.fixed((f.interval().high() - f.interval().low()) / 2, decimals);
    }
    return text + (f.samples().units().size() == 1 ? " (1 pass: no interval)" : "");
  }

  private static String number(double v, int decimals) {
    return Double.isFinite(v) ? Numbers.fixed(v, decimals) : "n/a";
  }
}
