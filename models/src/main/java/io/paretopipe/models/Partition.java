package io.paretopipe.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A model cut at one or more points: {@code split=k} (two stages) or {@code k1:k2:...} (one more
 * stage per cut). Cuts are written with colons because JMH splits {@code -p} values on commas.
 *
 * @param model model name, for messages
 * @param unitCount number of units {@code n}; valid cuts are {@code 0..n}
 * @param cuts strictly increasing cut points
 */
public record Partition(String model, int unitCount, int[] cuts) {

  /**
   * Validates {@code cuts} against a model of {@code unitCount} units.
   *
   * @throws IllegalArgumentException e.g. "split 19 is out of range for resnet18: valid splits are
   *     0..8"
   */
  public Partition {
    cuts = cuts.clone();
    if (cuts.length == 0) {
      throw new IllegalArgumentException(
          "no split given for " + model + ": valid splits are 0.." + unitCount);
    }
    for (int k : cuts) {
      if (k < 0 || k > unitCount) {
        throw new IllegalArgumentException(
            "split " + k + " is out of range for " + model + ": valid splits are 0.." + unitCount);
      }
    }
    for (int i = 1; i < cuts.length; i++) {
      if (cuts[i] <= cuts[i - 1]) {
        throw new IllegalArgumentException(
            "cuts "
                + format(cuts)
                + " for "
                + model
                + " are not increasing: each cut must be greater than the one before, e.g. 3:9");
      }
    }
  }

  /**
   * Parses {@code "3"} or {@code "3:9"} for a model.
   *
   * @throws IllegalArgumentException naming the text and the valid range
   */
  public static Partition parse(String spec, String model, int unitCount) {
    String[] parts = spec.trim().split(":", -1);
    int[] cuts = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        cuts[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "split '"
                + spec
                + "' is not a list of cut points: expected K or"
                + " K1:K2 (colon-separated, increasing) with each K in 0.."
                + unitCount
                + " for "
                + model);
      }
    }
    return new Partition(model, unitCount, cuts);
  }

  /** The colon form, e.g. {@code 3:9}. */
  public static String format(int[] cuts) {
    return Arrays.stream(cuts).mapToObj(Integer::toString).collect(Collectors.joining(":"));
  }

  @Override
  public int[] cuts() {
    return cuts.clone();
  }

  /** Number of stages: one more than the number of cuts. */
  public int stageCount() {
    return cuts.length + 1;
  }

  /** Every stage's range, head first. */
  public List<StageRange> stages() {
    List<StageRange> stages = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int end = i < cuts.length ? cuts[i] : unitCount;
      stages.add(new StageRange(i, start, end, i == 0, i == cuts.length));
      start = end;
    }
    return stages;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Partition p
        && p.model.equals(model)
        && p.unitCount == unitCount
        && Arrays.equals(p.cuts, cuts);
  }

  @Override
  public int hashCode() {
    return 31 * model.hashCode() + Arrays.hashCode(cuts);
  }

  @Override
  public String toString() {
    return model + " split " + format(cuts);
  }
}
