package io.paretopipe.reports.model;

import io.paretopipe.reports.jmh.JmhResult;
import io.paretopipe.reports.stats.IntervalMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything read from one set of inputs (one run folder, or JMH JSON files): every JMH result (for
 * {@code compare}) and the partition points assembled from them (for the frontier). Immutable.
 *
 * @param inputs the paths the run was read from, as given
 * @param results every JMH result of every file, file by file
 * @param points the partition points, in {@link Point#ORDER}
 * @param warnings things that were ignored or could not be matched (e.g. an hlog with no JMH
 *     result)
 * @param intervals where the points' mean intervals took their variance from
 */
public record Run(
    List<Path> inputs,
    List<JmhResult> results,
    List<Point> points,
    List<String> warnings,
    IntervalMethod intervals) {

  /** A run whose points carry their own intervals ({@link IntervalMethod#OWN}). */
  public Run(
      List<Path> inputs, List<JmhResult> results, List<Point> points, List<String> warnings) {
    this(inputs, results, points, warnings, IntervalMethod.OWN);
  }

  public Run {
    inputs = List.copyOf(inputs);
    results = List.copyOf(results);
    List<Point> sorted = new ArrayList<>(points);
    sorted.sort(Point.ORDER);
    points = Collections.unmodifiableList(sorted);
    warnings = List.copyOf(warnings);
  }

  /**
   * @return the points by group, groups in their natural order, points in {@link Point#ORDER}
   */
  public SortedMap<GroupKey, List<Point>> pointsByGroup() {
    SortedMap<GroupKey, List<Point>> groups = new TreeMap<>();
    for (Point p : points) {
      groups.computeIfAbsent(p.group(), g -> new ArrayList<>()).add(p);
    }
    groups.replaceAll((g, list) -> List.copyOf(list));
    return Collections.unmodifiableSortedMap(groups);
  }

  /**
   * @return a short name for the run: the last input's file name
   */
  public String name() {
    if (inputs.isEmpty()) {
      return "run";
    }
    Path last = inputs.get(inputs.size() - 1).getFileName();
    return last == null ? inputs.get(inputs.size() - 1).toString() : last.toString();
  }
}
