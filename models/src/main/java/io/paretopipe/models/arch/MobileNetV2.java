package io.paretopipe.models.arch;

import static io.paretopipe.models.arch.Layers.BN_EPS;
import static io.paretopipe.models.arch.Layers.adaptiveAvgPool;
import static io.paretopipe.models.arch.Layers.batchNorm;
import static io.paretopipe.models.arch.Layers.conv;
import static io.paretopipe.models.arch.Layers.dropout;
import static io.paretopipe.models.arch.Layers.flatten;
import static io.paretopipe.models.arch.Layers.linear;
import static io.paretopipe.models.arch.Layers.relu6;

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
 * torchvision's MobileNetV2 (width 1.0): units {@code features.0} .. {@code features.18}, no
 * prefix; suffix average pool, flatten, dropout 0.2, linear.
 */
public final class MobileNetV2 implements Architecture {

  /** torchvision's inverted residual setting: expansion t, channels c, repeats n, stride s. */
  private static final int[][] SETTING = {
    {1, 16, 1, 1},
    {6, 24, 2, 2},
    {6, 32, 3, 2},
    {6, 64, 4, 2},
    {6, 96, 3, 1},
    {6, 160, 3, 2},
    {6, 320, 1, 1}
  };

  @Override
  public String name() {
    return "mobilenetv2";
  }

  @Override
  public int[] defaultInput() {
    return new int[] {3, 224, 224};
  }

  @Override
  public ModelDefinition define(ModelOptions options) {
    List<Unit> units = new ArrayList<>();
    units.add(new Unit("features.0", convBnRelu6(32, 3, 2, 1)));
    int in = 32;
    for (int[] row : SETTING) {
      int t = row[0];
      int c = row[1];
      for (int i = 0; i < row[2]; i++) {
        int stride = i == 0 ? row[3] : 1;
        units.add(new Unit("features." + units.size(), invertedResidual(in, c, stride, t)));
        in = c;
      }
    }
    units.add(new Unit("features." + units.size(), convBnRelu6(1280, 1, 1, 1)));
    Block suffix =
        new SequentialBlock()
            .add(adaptiveAvgPool(1, 1))
            .add(flatten())
            .add(dropout(0.2f))
            .add(linear(options.classes()));
    return new ModelDefinition(
        name(), options, Optional.empty(), units, new Unit("suffix", suffix));
  }

  private static SequentialBlock convBnRelu6(int out, int k, int stride, int groups) {
    return new SequentialBlock()
        .add(conv(out, k, stride, (k - 1) / 2, groups, false))
        .add(batchNorm(BN_EPS))
        .add(relu6());
  }

  private static Block invertedResidual(int in, int out, int stride, int expansion) {
    int hidden = Math.round(in * (float) expansion);
    SequentialBlock body = new SequentialBlock();
    if (expansion != 1) {
      body.add(convBnRelu6(hidden, 1, 1, 1));
    }
    body.add(convBnRelu6(hidden, 3, stride, hidden))
        .add(conv(out, 1, 1, 0, 1, false))
        .add(batchNorm(BN_EPS));
    return stride == 1 && in == out ? Branches.add(body, Branches.identity()) : body;
  }
}
