package io.paretopipe.models.arch;

import static io.paretopipe.models.arch.Layers.BN_EPS;
import static io.paretopipe.models.arch.Layers.adaptiveAvgPool;
import static io.paretopipe.models.arch.Layers.batchNorm;
import static io.paretopipe.models.arch.Layers.conv;
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
import io.paretopipe.models.blocks.Branches;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * torchvision's ResNet18 (BasicBlock, [2, 2, 2, 2]) and ResNet50 (Bottleneck v1.5 with the stride
 * on the 3x3 convolution, [3, 4, 6, 3]).
 *
 * <p>Units as in the reference: ResNet18 keeps the stem as prefix and has one unit per residual
 * block ({@code block1..block8}); ResNet50 makes the stem unit 1 followed by {@code
 * bottleneck1..bottleneck16}. The suffix is average pool, flatten, fc.
 */
public final class ResNet implements Architecture {

  private final String name;
  private final boolean bottleneck;
  private final int[] blocksPerStage;

  private ResNet(String name, boolean bottleneck, int... blocksPerStage) {
    this.name = name;
    this.bottleneck = bottleneck;
    this.blocksPerStage = blocksPerStage;
  }

  public static ResNet resnet18() {
    return new ResNet("resnet18", false, 2, 2, 2, 2);
  }

  public static ResNet resnet50() {
    return new ResNet("resnet50", true, 3, 4, 6, 3);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int[] defaultInput() {
    return new int[] {3, 224, 224};
  }

  @Override
  public ModelDefinition define(ModelOptions options) {
    Block stem =
        new SequentialBlock()
            .add(conv(64, 7, 2, 3, 1, false))
            .add(batchNorm(BN_EPS))
            .add(relu())
            .add(maxPool(3, 2, 1));
    List<Unit> units = new ArrayList<>();
    if (bottleneck) {
      units.add(new Unit("stem", stem));
    }
    int in = 64;
    int index = 1;
    for (int stage = 0; stage < blocksPerStage.length; stage++) {
      int width = 64 << stage;
      for (int b = 0; b < blocksPerStage[stage]; b++) {
        int stride = stage > 0 && b == 0 ? 2 : 1;
        if (bottleneck) {
          units.add(new Unit("bottleneck" + index++, bottleneckBlock(in, width, stride)));
          in = width * 4;
        } else {
          units.add(new Unit("block" + index++, basicBlock(in, width, stride)));
          in = width;
        }
      }
    }
    Block suffix =
        new SequentialBlock()
            .add(adaptiveAvgPool(1, 1))
            .add(flatten())
            .add(linear(options.classes()));
    return new ModelDefinition(
        name,
        options,
        bottleneck ? Optional.empty() : Optional.of(new Unit("stem", stem)),
        units,
        new Unit("suffix", suffix));
  }

  private static Block basicBlock(int in, int out, int stride) {
    Block main =
        new SequentialBlock()
            .add(conv(out, 3, stride, 1, 1, false))
            .add(batchNorm(BN_EPS))
            .add(relu())
            .add(conv(out, 3, 1, 1, 1, false))
            .add(batchNorm(BN_EPS));
    return residual(main, in, out, stride);
  }

  private static Block bottleneckBlock(int in, int width, int stride) {
    int out = width * 4;
    Block main =
        new SequentialBlock()
            .add(conv(width, 1, 1, 0, 1, false))
            .add(batchNorm(BN_EPS))
            .add(relu())
            .add(conv(width, 3, stride, 1, 1, false))
            .add(batchNorm(BN_EPS))
            .add(relu())
            .add(conv(out, 1, 1, 0, 1, false))
            .add(batchNorm(BN_EPS));
    return residual(main, in, out, stride);
  }

  private static Block residual(Block main, int in, int out, int stride) {
    Block shortcut =
        stride != 1 || in != out
            ? new SequentialBlock().add(conv(out, 1, stride, 0, 1, false)).add(batchNorm(BN_EPS))
            : Branches.identity();
    return new SequentialBlock().add(Branches.add(main, shortcut)).add(relu());
  }
}
