package io.paretopipe.models;

import ai.djl.nn.Block;
import java.util.Objects;

/**
 * One piece of a model in execution order: the prefix, a split unit, or the suffix.
 *
 * @param name the reference ParetoPipe's name for it (e.g. {@code block3}, {@code
 *     features.4:MaxPool2d})
 * @param block the DJL block computing it; unbuilt until a {@link StageModel} initializes it
 */
public record Unit(String name, Block block) {
  public Unit {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(block, "block");
  }
}
