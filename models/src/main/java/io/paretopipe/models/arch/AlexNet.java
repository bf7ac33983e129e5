package io.paretopipe.models.arch;

import static io.paretopipe.models.arch.Layers.adaptiveAvgPool;
import static io.paretopipe.models.arch.Layers.conv;
import static io.paretopipe.models.arch.Layers.dropout;
import static io.paretopipe.models.arch.Layers.flatten;
import static io.paretopipe.models.arch.Layers.linear;
import static io.paretopipe.models.arch.Layers.maxPool;
import static io.paretopipe.models.arch.Layers.relu;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import io.paretopipe.models.Architecture;
import io.paretopipe.models.ModelDefinition;
import io.paretopipe.models.ModelOptions;
import io.paretopipe.models.Unit;
import java.util.List;
import java.util.Optional;

/**
 * torchvision's AlexNet: every layer of {@code features} is a unit ({@code features.0:Conv2d} ..
 * {@code features.12:MaxPool2d}); suffix adaptive average pool 6x6, flatten and the classifier.
 */
public final class AlexNet implements Architecture {

  @Override
  public String name() {
    return "alexnet";
  }

  @Override
  public int[] defaultInput() {
    return new int[] {3, 224, 224};
  }

  @Override
  public ModelDefinition define(ModelOptions options) {
    List<Unit> units =
        List.of(
            new Unit("features.0:Conv2d", conv(64, 11, 4, 2, 1, true)),
            new Unit("features.1:ReLU", relu()),
            new Unit("features.2:MaxPool2d", maxPool(3, 2, 0)),
            new Unit("features.3:Conv2d", conv(192, 5, 1, 2, 1, true)),
            new Unit("features.4:ReLU", relu()),
            new Unit("features.5:MaxPool2d", maxPool(3, 2, 0)),
            new Unit("features.6:Conv2d", conv(384, 3, 1, 1, 1, true)),
            new Unit("features.7:ReLU", relu()),
            new Unit("features.8:Conv2d", conv(256, 3, 1, 1, 1, true)),
            new Unit("features.9:ReLU", relu()),
            new Unit("features.10:Conv2d", conv(256, 3, 1, 1, 1, true)),
            new Unit("features.11:ReLU", relu()),
            new Unit("features.12:MaxPool2d", maxPool(3, 2, 0)));
    Block suffix =
        new SequentialBlock()
            .add(adaptiveAvgPool(6, 6))
            .add(flatten())
            .add(dropout(0.5f))
            .add(linear(4096))
            .add(relu())
            .add(dropout(0.5f))
            .add(linear(4096))
            .add(relu())
            .add(linear(options.classes()));
    return new ModelDefinition(
        name(), options, Optional.empty(), units, new Unit("suffix", suffix));
  }
}
