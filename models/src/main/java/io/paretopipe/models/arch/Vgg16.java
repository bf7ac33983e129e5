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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * torchvision's VGG16 (configuration D, no batch norm): every layer of {@code features} is a unit
 * ({@code features.0:Conv2d} .. {@code features.30:MaxPool2d}); suffix adaptive average pool 7x7,
 * flatten and the three-layer classifier.
 */
public final class Vgg16 implements Architecture {

  private static final int M = -1;
  private static final int[] CONFIG = {
    64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M
  };

  @Override
  public String name() {
    return "vgg16";
  }

  @Override
  public int[] defaultInput() {
    return new int[] {3, 224, 224};
  }

  @Override
  public ModelDefinition define(ModelOptions options) {
    List<Unit> units = new ArrayList<>();
    for (int c : CONFIG) {
      if (c == M) {
        units.add(new Unit("features." + units.size() + ":MaxPool2d", maxPool(2, 2, 0)));
      } else {
        units.add(new Unit("features." + units.size() + ":Conv2d", conv(c, 3, 1, 1, 1, true)));
        units.add(new Unit("features." + units.size() + ":ReLU", relu()));
      }
    }
    Block suffix =
        new SequentialBlock()
            .add(adaptiveAvgPool(7, 7))
            .add(flatten())
            .add(linear(4096))
            .add(relu())
            .add(dropout(0.5f))
            .add(linear(4096))
            .add(relu())
            .add(dropout(0.5f))
            .add(linear(options.classes()));
    return new ModelDefinition(
        name(), options, Optional.empty(), units, new Unit("suffix", suffix));
  }
}
