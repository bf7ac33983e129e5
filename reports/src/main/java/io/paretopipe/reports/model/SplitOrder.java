package io.paretopipe.reports.model;

import java.util.Comparator;

/**
 * Orders split labels numerically, element by element: {@code 2 < 10}, {@code 3 < 3:9 < 4}; labels
 * that are not numbers sort after numbers, as text. (Sorting split labels as text puts {@code 10}
 * before {@code 2}.)
 */
public final class SplitOrder implements Comparator<String> {
  /** The shared instance. */
  public static final SplitOrder INSTANCE = new SplitOrder();

  private SplitOrder() {}

  @Override
  public int compare(String a, String b) {
    String[] pa = a.split(":", -1);
    String[] pb = b.split(":", -1);
    for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
      Long na = parse(pa[i]);
      Long nb = parse(pb[i]);
      int c;
      if (na != null && nb != null) {
        c = Long.compare(na, nb);
      } else if (na != null) {
        c = -1;
      } else if (nb != null) {
        c = 1;
      } else {
        c = pa[i].compareTo(pb[i]);
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(pa.length, pb.length);
  }

  private static Long parse(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
