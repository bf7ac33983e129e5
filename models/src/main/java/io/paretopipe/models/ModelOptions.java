package io.paretopipe.models;

import java.util.Arrays;

/**
 * What a catalog model is built for: the number of classes, the per-image input shape and the
 * weight seed. Immutable; build with {@link #builder()}.
 */
public final class ModelOptions {

  /** The reference ParetoPipe replaces every classifier with a 10-class one. */
  public static final int DEFAULT_CLASSES = 10;

  /** Default weight seed. */
  public static final long DEFAULT_SEED = 42L;

  private final int classes;
  private final int[] input;
  private final long seed;

  private ModelOptions(int classes, int[] input, long seed) {
    this.classes = classes;
    this.input = input;
    this.seed = seed;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Number of output classes, >= 1. */
  public int classes() {
    return classes;
  }

  /** Per-image input {C, H, W}, or {@code null} for the architecture's default. */
  public int[] input() {
    return input == null ? null : input.clone();
  }

  /** Seed of the deterministic weights. */
  public long seed() {
    return seed;
  }

  /** These options with the input filled in from the architecture's default where unset. */
  public ModelOptions withDefaultInput(int[] defaultInput) {
    return input != null ? this : new ModelOptions(classes, defaultInput.clone(), seed);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelOptions other
        && classes == other.classes
        && seed == other.seed
        && Arrays.equals(input, other.input);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * classes + Long.hashCode(seed)) + Arrays.hashCode(input);
  }

  @Override
  public String toString() {
    return "classes="
        + classes
        + " input="
        + (input == null ? "default" : Shapes.chw(input))
        + " seed="
        + seed;
  }

  /** Builder: everything is optional. */
  public static final class Builder {
    private int classes = DEFAULT_CLASSES;
    private int[] input;
    private long seed = DEFAULT_SEED;

    private Builder() {}

    /**
     * @param classes number of classes, >= 1
     */
    public Builder optClasses(int classes) {
      if (classes < 1) {
        throw new IllegalArgumentException("classes: " + classes + " (expected: >= 1)");
      }
      this.classes = classes;
      return this;
    }

    /**
     * @param input per-image {C, H, W}, each >= 1; null means the architecture's default
     */
    public Builder optInput(int[] input) {
      if (input != null) {
        if (input.length != 3) {
          throw new IllegalArgumentException(
              "input: " + Arrays.toString(input) + " (expected: three dimensions C x H x W)");
        }
        for (int d : input) {
          if (d < 1) {
            throw new IllegalArgumentException(
                "input: " + Shapes.chw(input) + " (expected: every dimension >= 1)");
          }
        }
      }
      this.input = input == null ? null : input.clone();
      return this;
    }

    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    public ModelOptions build() {
      return new ModelOptions(classes, input, seed);
    }
  }
}
