package io.paretopipe.reports.render;

import java.util.ArrayList;
import java.util.List;

/**
 * Places text labels next to their points on a chart so that no two labels overlap, no label covers
 * a marker and every label stays inside the plot. Coordinates are pixels, y downward. Stateless.
 *
 * <p>Greedy, in the order given (put the labels that matter most first): each label tries 8
 * positions around its anchor (right, left, above, below, then the four diagonals) at a gap of 3
 * px, then the same 8 at gaps growing by 6 px up to {@link #MAX_GAP} px, and takes the first box
 * that hits nothing placed before it, no obstacle and no other point's marker, and lies within the
 * bounds. A label that sits further than {@link #LEADER_GAP} px from its anchor gets a leader line.
 * A label for which no position fits takes the position overlapping least, flagged {@code
 * overlaps}: the caller can see it (20 splits on a 900 x 560 px plot never need it).
 */
public final class LabelPlacer {
  /** Largest gap tried between a marker and its label, px. */
  public static final double MAX_GAP = 150;

  /** Gap beyond which a leader line joins label and marker, px. */
  public static final double LEADER_GAP = 12;

  private LabelPlacer() {}

  /**
   * An axis-aligned box.
   *
   * @param x left edge, px
   * @param y top edge, px
   * @param width px, >= 0
   * @param height px, >= 0
   */
  public record Box(double x, double y, double width, double height) {
    /** A box of the given size centred on (cx, cy). */
    public static Box centred(double cx, double cy, double width, double height) {
      return new Box(cx - width / 2, cy - height / 2, width, height);
    }

    /** Whether the interiors of the two boxes share any area. */
    public boolean intersects(Box o) {
      return x < o.x + o.width && o.x < x + width && y < o.y + o.height && o.y < y + height;
    }

    /** Whether this box lies within {@code o}, edges included. */
    public boolean within(Box o) {
      return x >= o.x && y >= o.y && x + width <= o.x + o.width && y + height <= o.y + o.height;
    }

    double overlapArea(Box o) {
      double w = Math.min(x + width, o.x + o.width) - Math.max(x, o.x);
      double h = Math.min(y + height, o.y + o.height) - Math.max(y, o.y);
      return w > 0 && h > 0 ? w * h : 0;
    }

    /** Centre x. */
    public double centreX() {
      return x + width / 2;
    }

    /** Centre y. */
    public double centreY() {
      return y + height / 2;
    }
  }

  /**
   * A label to place.
   *
   * @param text the text
   * @param anchorX the point's x, px
   * @param anchorY the point's y, px
   * @param width the text's width, px
   * @param height the text's height, px
   */
  public record Label(String text, double anchorX, double anchorY, double width, double height) {}

  /**
   * Where a label went.
   *
   * @param label the label
   * @param box its box
   * @param leader whether it is far enough from its anchor to need a leader line
   * @param overlaps whether no position was free and it overlaps something
   */
  public record Placement(Label label, Box box, boolean leader, boolean overlaps) {}

  /**
   * @param labels the labels, most important first
   * @param markerRadius half the size of a marker, px; every anchor's marker is an obstacle
   * @param obstacles other boxes to keep clear of
   * @param bounds the box every label must stay within (the plot area)
   * @return one placement per label, in the same order
   */
  public static List<Placement> place(
      List<Label> labels, double markerRadius, List<Box> obstacles, Box bounds) {
    List<Box> taken = new ArrayList<>(obstacles);
    for (Label l : labels) {
      taken.add(Box.centred(l.anchorX(), l.anchorY(), 2 * markerRadius, 2 * markerRadius));
    }
    List<Placement> result = new ArrayList<>();
    for (Label l : labels) {
      Box best = null;
      double bestOverlap = Double.POSITIVE_INFINITY;
      double bestGap = 0;
      search:
      for (double gap = 3; gap <= MAX_GAP; gap += 6) {
        for (Box candidate : candidates(l, markerRadius + gap)) {
          double overlap = 0;
          for (Box t : taken) {
            overlap += candidate.overlapArea(t);
          }
          if (!candidate.within(bounds)) {
            overlap += 1e6;
          }
          if (overlap < bestOverlap) {
            bestOverlap = overlap;
            best = candidate;
            bestGap = gap;
            if (overlap == 0) {
              break search;
            }
          }
        }
      }
      taken.add(best);
      result.add(new Placement(l, best, bestGap > LEADER_GAP, bestOverlap > 0));
    }
    return result;
  }

  /** The 8 boxes around the anchor at distance {@code d} from its centre. */
  private static List<Box> candidates(Label l, double d) {
    double w = l.width();
    double h = l.height();
    double ax = l.anchorX();
    double ay = l.anchorY();
    return List.of(
        new Box(ax + d, ay - h / 2, w, h),
        new Box(ax - d - w, ay - h / 2, w, h),
        new Box(ax - w / 2, ay - d - h, w, h),
        new Box(ax - w / 2, ay + d, w, h),
        new Box(ax + d * 0.7, ay - d * 0.7 - h, w, h),
        new Box(ax - d * 0.7 - w, ay - d * 0.7 - h, w, h),
        new Box(ax + d * 0.7, ay + d * 0.7, w, h),
        new Box(ax - d * 0.7 - w, ay + d * 0.7, w, h));
  }
}
