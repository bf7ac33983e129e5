package io.paretopipe.reports.pareto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The probabilistic frontier on latency, throughput and energy per image (issue 20). */
class ThreeObjectiveFrontierTest {

  private static final double NA = Double.NaN;

  private static final List<Objective> THREE =
      List.of(
          Objective.parse("latency", LatencyStatistic.MEAN),
          Objective.parse("throughput", LatencyStatistic.MEAN),
          Objective.parse("energy", LatencyStatistic.MEAN));

  /** Split 4 is faster on both latency and throughput than split 16, which costs a third of it. */
  private static List<Point> points() {
    return List.of(
        ThreeObjectivePoints.measured(
            "4",
            new double[] {100, 102, 98},
            new double[] {40, 41, 39},
            new double[] {60, 61, 59},
            new double[] {0.90, 0.92, 0.91}),
        ThreeObjectivePoints.measured(
            "16",
            new double[] {200, 204, 198},
            new double[] {20, 21, 19},
            new double[] {20, 21, 19},
            new double[] {0.30, 0.31, 0.29}),
        ThreeObjectivePoints.measured(
            "19",
            new double[] {300, 306, 297},
            new double[] {10, 11, 9},
            new double[] {30, 31, 29},
            new double[] {NA, NA, NA}));
  }

  @Test
  void anEnergyObjectiveKeepsTheSplitThatTwoObjectivesCallDominated() {
    Map<GroupKey, List<Point>> group = Map.of(ThreeObjectivePoints.GROUP, points());
    Frontier two =
        Frontier.compute(group, THREE.subList(0, 2), Frontier.Method.PROBABILISTIC, false, 1000, 1);
    Frontier three = Frontier.compute(group, THREE, Frontier.Method.PROBABILISTIC, false, 1000, 1);
    Point split4 = points().get(0);
    List<Point> pts = group.get(ThreeObjectivePoints.GROUP);
    assertEquals(FrontierClass.FRONTIER, two.confidenceOf(pts.get(0)).frontierClass());
    assertEquals(FrontierClass.DOMINATED, two.confidenceOf(pts.get(1)).frontierClass());
    assertEquals(FrontierClass.FRONTIER, three.confidenceOf(pts.get(0)).frontierClass());
    assertEquals(FrontierClass.FRONTIER, three.confidenceOf(pts.get(1)).frontierClass());
    assertEquals(1.0, three.confidenceOf(pts.get(1)).probability(), 1e-9);
    assertEquals("4", split4.split());
  }

  @Test
  void aSplitWithUnavailableEnergyIsNeverOnTheFrontierAndSaysWhy() {
    Map<GroupKey, List<Point>> group = Map.of(ThreeObjectivePoints.GROUP, points());
    Frontier three = Frontier.compute(group, THREE, Frontier.Method.PROBABILISTIC, false, 1000, 1);
    Point split19 = group.get(ThreeObjectivePoints.GROUP).get(2);
    PointConfidence c = three.confidenceOf(split19);
    assertNull(c.frontierClass());
    assertTrue(Double.isNaN(c.probability()));
    assertEquals("unknown energy_j_per_image: not part of the frontier", c.note());
    assertFalse(three.contains(split19));
    assertTrue(Double.isNaN(Objective.energy().value().applyAsDouble(split19)));
  }

  @Test
  void objectivesAreParsedByTheIssuesNamesAndABadOneIsNamed() {
    assertEquals("cpu_ms_per_image", Objective.parse("cpu", LatencyStatistic.MEAN).name());
    assertEquals("energy_j_per_image", Objective.parse(" Energy ", LatencyStatistic.MEAN).name());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Objective.parse("joules", LatencyStatistic.MEAN));
    assertEquals(
        "objective \"joules\" is not one of latency, throughput, cpu, energy, bytes, head_compute",
        e.getMessage());
  }
}
