package io.paretopipe.reports.history;

import io.paretopipe.reports.stats.VarianceModeration;
import java.util.ArrayList;
import java.util.List;

/**
 * A change point of one series, classified by the direction of better and by how long it lasted.
 * Immutable.
 *
 * @param point the change point (indices into the series' values)
 * @param kind what it is
 * @param open for a regression: the newest level is still worse than the level before it by at
 *     least the minimum magnitude (nothing has undone it); false otherwise
 */
public record Change(ChangePointDetector.ChangePoint point, Kind kind, boolean open) {

  /** What a change point means for a series. */
  public enum Kind {
    /** Worse, and the new level lasted at least the persistence (default 2 runs). */
    REGRESSION,
    /** Better, and lasted at least the persistence. */
    IMPROVEMENT,
    /**
     * The newest values changed, but for fewer runs than the persistence: awaiting confirmation.
     */
    PENDING,
    /** A level that lasted fewer runs than the persistence and is over: a blip. */
    BLIP,
    /** A change in a figure whose unit has no direction. */
    CHANGE
  }

  /**
   * Detects and classifies the change points of one series.
   *
   * @param values the series, oldest first, finite
   * @param better the figure's direction
   * @param detector the detector
   * @param persistence how many runs a new level must last to count, at least 1
   * @return its changes in index order
   */
  public static List<Change> analyze(
      double[] values, FigureValue.Better better, ChangePointDetector detector, int persistence) {
    return analyze(values, null, better, detector, persistence);
  }

  /**
   * The same with each value's own relative standard error as a floor on the noise ({@link
   * ChangePointDetector#detect(double[], double[])}).
   *
   * @param relativeStandardErrors per value, NaN when unknown; null when none is known
   */
  public static List<Change> analyze(
      double[] values,
      double[] relativeStandardErrors,
      FigureValue.Better better,
      ChangePointDetector detector,
      int persistence) {
    return analyze(values, relativeStandardErrors, null, better, detector, persistence);
  }

  /**
   * The same with the family's prior for the run-to-run noise ({@link
   * ChangePointDetector#detect(double[], double[], VarianceModeration.Prior)}).
   *
   * @param prior the family's prior, null for none
   */
  public static List<Change> analyze(
      double[] values,
      double[] relativeStandardErrors,
      VarianceModeration.Prior prior,
      FigureValue.Better better,
      ChangePointDetector detector,
      int persistence) {
    if (persistence < 1) {
      throw new IllegalArgumentException("persistence: " + persistence + " (expected: >= 1)");
    }
    List<ChangePointDetector.ChangePoint> points =
        detector.detect(values, relativeStandardErrors, prior);
    List<Change> changes = new ArrayList<>();
    if (points.isEmpty()) {
      return changes;
    }
    double newest = points.get(points.size() - 1).after();
    double minMagnitude = detector.settings().minMagnitude();
    for (ChangePointDetector.ChangePoint p : points) {
      boolean lasted = p.to() - p.index() >= persistence;
      double worse = worseFraction(p.before(), p.after(), better);
      Kind kind;
      if (better == FigureValue.Better.UNKNOWN) {
        kind = Kind.CHANGE;
      } else if (!lasted) {
        kind = p.to() == values.length ? Kind.PENDING : Kind.BLIP;
      } else {
        kind = worse > 0 ? Kind.REGRESSION : Kind.IMPROVEMENT;
      }
      boolean open =
          kind == Kind.REGRESSION && worseFraction(p.before(), newest, better) >= minMagnitude;
      changes.add(new Change(p, kind, open));
    }
    return changes;
  }

  /**
   * @return how much worse {@code after} is than {@code before} as a fraction (0.1 = 10% worse),
   *     negative when better; NaN for an unknown direction
   */
  static double worseFraction(double before, double after, FigureValue.Better better) {
    double change = after / before - 1;
    return switch (better) {
      case LOWER -> change;
      case HIGHER -> -change;
      case UNKNOWN -> Double.NaN;
    };
  }
}
