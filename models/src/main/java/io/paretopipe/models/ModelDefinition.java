package io.paretopipe.models;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A model as {@code prefix + units + suffix}, not yet holding weights. {@code split = k} runs the
 * prefix and units {@code [0, k)} on the head and units {@code [k, n)} plus the suffix on the tail.
 * A definition is built fresh for each use and owned by whoever builds it.
 *
 * @param name catalog name
 * @param options classes, input shape and seed it was built for
 * @param prefix always on the head; empty where the reference has none
 * @param units the split units, in order; {@code n = units.size()}
 * @param suffix always on the last stage
 */
public record ModelDefinition(
    String name, ModelOptions options, Optional<Unit> prefix, List<Unit> units, Unit suffix) {

  public ModelDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(prefix, "prefix");
    units = List.copyOf(units);
    Objects.requireNonNull(suffix, "suffix");
  }

  /** Number of split units; valid splits are {@code 0..unitCount()}. */
  public int unitCount() {
    return units.size();
  }
}
