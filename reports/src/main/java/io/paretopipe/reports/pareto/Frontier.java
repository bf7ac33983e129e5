package io.paretopipe.reports.pareto;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The frontier of every group of a set of points, and how sure it is about each point. Immutable.
 *
 * @param objectives the objectives the frontier was computed over, in order
 * @param method how membership ({@link #contains}) is decided
 * @param epsilon whether epsilon-dominance (measurement error) was used ({@link Method#EXACT} only)
 * @param frontierByGroup per group, the points {@link #contains} holds, in {@link Point#ORDER}
 * @param confidence per point (by identity), its bootstrap probability and class; empty when not
 *     computed
 * @param resamples the bootstrap's resamples (0 when not computed)
 * @param seed the bootstrap's seed
 */
public record Frontier(
    List<Objective> objectives,
    Method method,
    boolean epsilon,
    SortedMap<GroupKey, List<Point>> frontierByGroup,
    Map<Point, PointConfidence> confidence,
    int resamples,
    long seed) {

  /** How frontier membership is decided. */
  public enum Method {
    /**
     * A point is on the frontier unless it is {@link FrontierClass#DOMINATED dominated beyond
     * doubt} (or an objective is unknown): the splits that may be on the frontier.
     */
    PROBABILISTIC,
    /** Exact dominance of the estimates (optionally epsilon-dominance). */
    EXACT;

    /**
     * @return the CLI spelling
     */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param text {@code probabilistic} or {@code exact}
     * @return the method
     * @throws IllegalArgumentException naming the valid values
     */
    public static Method parse(String text) {
      for (Method m : values()) {
        if (m.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "frontier method \"" + text + "\" is not one of probabilistic, exact");
    }
  }

  public Frontier {
    objectives = List.copyOf(objectives);
    frontierByGroup = Collections.unmodifiableSortedMap(new TreeMap<>(frontierByGroup));
    confidence = Collections.unmodifiableMap(new IdentityHashMap<>(confidence));
  }

  /**
   * The exact (or epsilon) frontier of each group, without confidence.
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
    return new Frontier(
        objectives,
        Method.EXACT,
        epsilon,
        exact(pointsByGroup, objectives, epsilon),
        Map.of(),
        0,
        0);
  }

  /**
   * The frontier by {@code method}, with every point's bootstrap confidence.
   *
   * @param pointsByGroup points per group
   * @param objectives at least one objective
   * @param method how membership is decided
   * @param epsilon epsilon-dominance ({@link Method#EXACT} only)
   * @param resamples bootstrap resamples, >= 1000
   * @param seed bootstrap seed
   * @return the frontier
   */
  public static Frontier compute(
      Map<GroupKey, List<Point>> pointsByGroup,
      List<Objective> objectives,
      Method method,
      boolean epsilon,
      int resamples,
      long seed) {
    if (epsilon && method != Method.EXACT) {
      throw new IllegalArgumentException("epsilon-dominance applies to the exact frontier only");
    }
    Map<Point, PointConfidence> confidence =
        FrontierConfidence.compute(pointsByGroup, objectives, resamples, seed);
    SortedMap<GroupKey, List<Point>> members;
    if (method == Method.EXACT) {
      members = exact(pointsByGroup, objectives, epsilon);
    } else {
      members = new TreeMap<>();
      pointsByGroup.forEach(
          (group, points) -> {
            List<Point> on = new ArrayList<>();
            for (Point p : points) {
              FrontierClass c = confidence.get(p).frontierClass();
              if (c == FrontierClass.FRONTIER || c == FrontierClass.POSSIBLE) {
                on.add(p);
              }
            }
            on.sort(Point.ORDER);
            members.put(group, List.copyOf(on));
          });
    }
    return new Frontier(objectives, method, epsilon, members, confidence, resamples, seed);
  }

  private static SortedMap<GroupKey, List<Point>> exact(
      Map<GroupKey, List<Point>> pointsByGroup, List<Objective> objectives, boolean epsilon) {
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
    return result;
  }

  /**
   * @return true when {@code point} (the same instance) is on its group's frontier by {@link
   *     #method()}
   */
  public boolean contains(Point point) {
    return frontierByGroup.getOrDefault(point.group(), List.of()).stream()
        .anyMatch(p -> p == point);
  }

  /**
   * @return the confidence of {@code point}, {@link PointConfidence#UNKNOWN} when not computed
   */
  public PointConfidence confidenceOf(Point point) {
    return confidence.getOrDefault(point, PointConfidence.UNKNOWN);
  }

  /**
   * @return true when the bootstrap confidence was computed
   */
  public boolean hasConfidence() {
    return resamples > 0;
  }
}
