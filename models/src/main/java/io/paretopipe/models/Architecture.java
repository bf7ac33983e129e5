package io.paretopipe.models;

/** A catalog entry: knows its default input and builds its unit list for given options. */
public interface Architecture {

  /** Catalog name, e.g. {@code resnet18}. */
  String name();

  /** Default per-image input shape {C, H, W}. */
  int[] defaultInput();

  /**
   * Builds a fresh, weightless definition.
   *
   * @param options classes, input (already defaulted) and seed
   */
  ModelDefinition define(ModelOptions options);
}
