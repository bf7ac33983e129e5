package io.paretopipe.reports.history;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The data of one trend chart, in one place for every way of drawing it (the PNG of {@link
 * HistoryCharts}, {@code series.json} for an interactive chart): one series' values with their
 * intervals, the levels between its change points and the change points themselves. The x position
 * of a value is its run's ordinal in the whole history (1 = the oldest run), so charts of different
 * series line up. Immutable.
 *
 * @param key the series
 * @param unit the figure's unit
 * @param values the values, oldest first
 * @param levels the typical value of each stretch between change points
 * @param changes the change points
 */
public record TrendChart(
    SeriesKey key, String unit, List<Value> values, List<Level> levels, List<Marker> changes) {

  /**
   * One value.
   *
   * @param run the run's ordinal in the history (1-based)
   * @param runId its {@code run_id}
   * @param startedAt when the run started
   * @param commit its commit, or null
   * @param value the figure
   * @param ciLow lower end of its interval, NaN when none
   * @param ciHigh upper end, NaN when none
   * @param samples its sample count, -1 when unknown
   * @param units the replication units its interval rests on, -1 when unknown
   */
  public record Value(
      int run,
      long runId,
      Instant startedAt,
      String commit,
      double value,
      double ciLow,
      double ciHigh,
      long samples,
      int units) {}

  /**
   * A stretch of one level.
   *
   * @param fromRun the ordinal of its first run
   * @param toRun the ordinal of its last run
   * @param level its typical value (geometric mean for positive series)
   */
  public record Level(int fromRun, int toRun, double level) {}

  /**
   * A change point, drawn between the last run before it and the first run after it.
   *
   * @param lastBefore the ordinal of the run before the change
   * @param firstAfter the ordinal of the first run of the new level
   * @param kind what it is
   * @param open for a regression, whether it is still open
   * @param changePercent {@code (after / before - 1) x 100}
   */
  public record Marker(
      int lastBefore, int firstAfter, Change.Kind kind, boolean open, double changePercent) {}

  public TrendChart {
    values = List.copyOf(values);
    levels = List.copyOf(levels);
    changes = List.copyOf(changes);
  }

  /**
   * @param series a checked series
   * @param runs every run of the history, oldest first
   * @return its chart data
   */
  public static TrendChart of(HistoryCheck.SeriesResult series, List<StoredRun> runs) {
    Map<Long, Integer> ordinal = new HashMap<>();
    for (int i = 0; i < runs.size(); i++) {
      ordinal.put(runs.get(i).id(), i + 1);
    }
    List<Value> values = new ArrayList<>();
    for (HistoryCheck.Observation o : series.observations()) {
      values.add(
          new Value(
              ordinal.get(o.run().id()),
              o.run().id(),
              o.run().startedAt(),
              o.run().commit(),
              o.value(),
              o.ciLow(),
              o.ciHigh(),
              o.samples(),
              o.units()));
    }
    List<Level> levels = new ArrayList<>();
    List<Marker> markers = new ArrayList<>();
    int from = 0;
    for (Change c : series.changes()) {
      ChangePointDetector.ChangePoint p = c.point();
      levels.add(new Level(values.get(from).run(), values.get(p.index() - 1).run(), p.before()));
      from = p.index();
      markers.add(
          new Marker(
              values.get(p.index() - 1).run(),
              values.get(p.index()).run(),
              c.kind(),
              c.open(),
              p.magnitude() * 100));
    }
    if (!values.isEmpty()) {
      List<Change> changes = series.changes();
      double last =
          changes.isEmpty() ? typical(values) : changes.get(changes.size() - 1).point().after();
      levels.add(new Level(values.get(from).run(), values.get(values.size() - 1).run(), last));
    }
    return new TrendChart(series.key(), series.unit(), values, levels, markers);
  }

  private static double typical(List<Value> values) {
    boolean positive = values.stream().allMatch(v -> v.value() > 0);
    double sum = 0;
    for (Value v : values) {
      sum += positive ? Math.log(v.value()) : v.value();
    }
    double mean = sum / values.size();
    return positive ? Math.exp(mean) : mean;
  }
}
