package io.paretopipe.models;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Parsing and printing of {@code CxHxW} shapes. */
public final class Shapes {

  private Shapes() {}

  /** {@code 3x224x224}. */
  public static String chw(int[] dims) {
    return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("x"));
  }

  /** {@code 3x224x224}. */
  public static String chw(long[] dims) {
    return Arrays.stream(dims).mapToObj(Long::toString).collect(Collectors.joining("x"));
  }

  /**
   * Parses {@code CxHxW}, e.g. {@code 3x224x224}.
   *
   * @throws IllegalArgumentException naming the text and the expected form
   */
  public static int[] parseChw(String text) {
    String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
    if (parts.length != 3) {
      throw new IllegalArgumentException("input '" + text + "' (expected: CxHxW, e.g. 3x224x224)");
    }
    int[] dims = new int[3];
    for (int i = 0; i < 3; i++) {
      try {
        dims[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "input '" + text + "' (expected: CxHxW, e.g. 3x224x224)");
      }
      if (dims[i] < 1) {
        throw new IllegalArgumentException("input '" + text + "' (expected: every dimension >= 1)");
      }
    }
    return dims;
  }
}
