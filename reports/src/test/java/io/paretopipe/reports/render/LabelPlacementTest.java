package io.paretopipe.reports.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.pareto.Frontier;
import io.paretopipe.reports.pareto.LatencyStatistic;
import io.paretopipe.reports.pareto.Objective;
import io.paretopipe.reports.run.RunLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The split labels of the latency-throughput PNGs, as {@link LabelPlacer} placed them for the
 * committed fixtures: no two overlap, none covers a marker, all lie inside the plot, and each stays
 * next to its own point (within {@link LabelPlacer#MAX_GAP} px, with a leader line past {@link
 * LabelPlacer#LEADER_GAP}). Boxes, not pixels.
 */
class LabelPlacementTest {
  private static final double MARKER = 5;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "realistic-run",
        "realistic-run-profiled",
        "real-run-mobilenetv2",
        "multi-pass-run",
        "edge-cases"
      })
  void labelsOfTheCommittedFixturesNeverOverlap(String fixture) throws Exception {
    Run run = new RunLoader().load(List.of(Path.of("src/test/resources/fixtures", fixture)));
    ParetoReport report =
        new ParetoReport(
            run,
            Frontier.compute(
                run.pointsByGroup(),
                List.of(Objective.latency(LatencyStatistic.MEAN), Objective.throughput()),
                false),
            LatencyStatistic.MEAN);
    int charts = 0;
    for (Map.Entry<GroupKey, List<Point>> e : run.pointsByGroup().entrySet()) {
      FrontierPlot plot = FrontierPlot.of(report, e.getKey(), e.getValue());
      if (plot.markers().isEmpty()) {
        continue;
      }
      ParetoCharts.LabelledChart chart = ParetoCharts.latencyThroughput(plot);
      charts++;
      assertEquals(plot.markers().size(), chart.labels().size(), "one label per point");
      assertNoOverlap(chart.labels(), chart.plotArea(), e.getKey().label());
    }
    assertTrue(charts > 0, "the fixture has a latency-throughput chart");
  }

  @Test
  void crowdedPointsStillGetSeparateLabelsWithLeaders() {
    List<LabelPlacer.Label> labels = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      labels.add(new LabelPlacer.Label(Integer.toString(i), 300 + (i % 5) * 3, 200 + i, 14, 11));
    }
    LabelPlacer.Box area = new LabelPlacer.Box(50, 40, 800, 500);
    List<LabelPlacer.Placement> placed = LabelPlacer.place(labels, MARKER, List.of(), area);
    assertNoOverlap(placed, area, "30 points in a 15 x 30 px patch");
    assertTrue(placed.stream().anyMatch(LabelPlacer.Placement::leader), "some needed a leader");
  }

  @Test
  void aLabelThatCannotFitIsFlaggedNotHidden() {
    LabelPlacer.Box area = new LabelPlacer.Box(0, 0, 40, 20);
    List<LabelPlacer.Placement> placed =
        LabelPlacer.place(
            List.of(
                new LabelPlacer.Label("first", 20, 10, 30, 12),
                new LabelPlacer.Label("second", 21, 10, 30, 12)),
            MARKER,
            List.of(),
            area);
    assertEquals(2, placed.size());
    assertTrue(placed.get(1).overlaps(), placed.toString());
  }

  private static void assertNoOverlap(
      List<LabelPlacer.Placement> placed, LabelPlacer.Box area, String what) {
    for (int i = 0; i < placed.size(); i++) {
      LabelPlacer.Placement a = placed.get(i);
      assertFalse(a.overlaps(), what + ": " + a);
      assertTrue(a.box().within(area), what + ": label " + a.label().text() + " outside the plot");
      double gap =
          Math.hypot(
              a.box().centreX() - a.label().anchorX(), a.box().centreY() - a.label().anchorY());
      assertTrue(
          gap <= LabelPlacer.MAX_GAP + a.box().width() + MARKER,
          what + ": label " + a.label().text() + " is " + gap + " px from its point");
      for (int j = 0; j < placed.size(); j++) {
        LabelPlacer.Placement b = placed.get(j);
        LabelPlacer.Box marker =
            LabelPlacer.Box.centred(
                b.label().anchorX(), b.label().anchorY(), 2 * MARKER, 2 * MARKER);
        assertFalse(
            a.box().intersects(marker),
            what + ": label " + a.label().text() + " covers the marker of " + b.label().text());
        if (j > i) {
          assertFalse(
              a.box().intersects(b.box()),
              what + ": labels " + a.label().text() + " and " + b.label().text() + " overlap");
        }
      }
    }
  }
}
