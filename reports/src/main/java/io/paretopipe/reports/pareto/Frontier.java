package io.paretopipe.reports.pareto;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The frontier of every group of a set of points. Immutable.
 *
 * @param objectives the objectives the frontier was computed over, in order
 * @param epsilon whether epsilon-dominance (measurement error) was used
 * @param frontierByGroup per group, its frontier points in {@link Point#ORDER}
 */
public record Frontier(
    List<Objective> objectives, boolean epsilon, SortedMap<GroupKey, List<Point>> frontierByGroup) {

  public Frontier {
    objectives = List.copyOf(objectives);
    frontierByGroup = Collections.unmodifiableSortedMap(new TreeMap<>(frontierByGroup));
  }

  /**
   * Computes the frontier of each group.
   *
   * @param pointsByGroup points per group
   * @param objectives at least one objective
   * @param epsilon true for epsilon-dominance from each objective's measurement error
   * @return the frontier
   */
  public static Frontier compute(
      Map<GroupKey, List<Point>> pointsByGroup, List<Objective> objectives, boolean epsilon) {
    if (objectives.isEmpty()) {
      throw new IllegalArgumentException("objectives: empty (expected: at least one)");
    }
    SortedMap<GroupKey, List<Point>> result = new TreeMap<>();
    pointsByGroup.forEach(
        (group, points) -> {
          int n = points.size();
          double[][] values = new double[n][objectives.size()];
          double[][] errors = new double[n][objectives.size()];
          for (int i = 0; i < n; i++) {
            for (int k = 0; k < objectives.size(); k++) {
              values[i][k] = objectives.get(k).minimizable(points.get(i));
              errors[i][k] = Math.max(0, objectives.get(k).error().applyAsDouble(points.get(i)));
            }
          }
          boolean[] on =
              epsilon ? ParetoFrontier.withEpsilon(values, errors) : ParetoFrontier.compute(values);
          List<Point> frontier = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            if (on[i]) {
              frontier.add(points.get(i));
            }
          }
          frontier.sort(Point.ORDER);
          result.put(group, List.copyOf(frontier));
        });
    return new Frontier(objectives, epsilon, result);
  }

  /**
   * @return true when {@code point} (the same instance) is on its group's frontier
   */
  public boolean contains(Point point) {
    return frontierByGroup.getOrDefault(point.group(), List.of()).stream()
        .anyMatch(p -> p == point);
  }
}
