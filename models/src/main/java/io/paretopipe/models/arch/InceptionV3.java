package io.paretopipe.models.arch;

import static io.paretopipe.models.arch.Layers.adaptiveAvgPool;
import static io.paretopipe.models.arch.Layers.avgPool;
import static io.paretopipe.models.arch.Layers.convBnRelu;
import static io.paretopipe.models.arch.Layers.dropout;
import static io.paretopipe.models.arch.Layers.flatten;
import static io.paretopipe.models.arch.Layers.linear;
import static io.paretopipe.models.arch.Layers.maxPool;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import io.paretopipe.models.Architecture;
import io.paretopipe.models.ModelDefinition;
import io.paretopipe.models.ModelOptions;
import io.paretopipe.models.Unit;
import io.paretopipe.models.blocks.Branches;
import java.util.List;
import java.util.Optional;

/**
 * torchvision's Inception v3 without the auxiliary head and with {@code transform_input=False}:
 * twenty units from {@code Conv2d_1a_3x3} to {@code avgpool} and {@code dropout}, as the reference
 * cuts it; suffix flatten and fc. Every convolution is torchvision's BasicConv2d (no bias,
 * BatchNorm with eps 0.001, ReLU), including the asymmetric 1x7/7x1 and 1x3/3x1 kernels.
 */
public final class InceptionV3 implements Architecture {

  private static final float EPS = 0.001f;

  @Override
  public String name() {
    return "inceptionv3";
  }

  @Override
  public int[] defaultInput() {
    return new int[] {3, 299, 299};
  }

  @Override
  public ModelDefinition define(ModelOptions options) {
    List<Unit> units =
        List.of(
            new Unit("Conv2d_1a_3x3", bc(32, 3, 3, 2, 0, 0)),
            new Unit("Conv2d_2a_3x3", bc(32, 3, 3, 1, 0, 0)),
            new Unit("Conv2d_2b_3x3", bc(64, 3, 3, 1, 1, 1)),
            new Unit("maxpool1", maxPool(3, 2, 0)),
            new Unit("Conv2d_3b_1x1", bc(80, 1, 1, 1, 0, 0)),
            new Unit("Conv2d_4a_3x3", bc(192, 3, 3, 1, 0, 0)),
            new Unit("maxpool2", maxPool(3, 2, 0)),
            new Unit("Mixed_5b", inceptionA(32)),
            new Unit("Mixed_5c", inceptionA(64)),
            new Unit("Mixed_5d", inceptionA(64)),
            new Unit("Mixed_6a", inceptionB()),
            new Unit("Mixed_6b", inceptionC(128)),
            new Unit("Mixed_6c", inceptionC(160)),
            new Unit("Mixed_6d", inceptionC(160)),
            new Unit("Mixed_6e", inceptionC(192)),
            new Unit("Mixed_7a", inceptionD()),
            new Unit("Mixed_7b", inceptionE()),
            new Unit("Mixed_7c", inceptionE()),
            new Unit("avgpool", adaptiveAvgPool(1, 1)),
            new Unit("dropout", dropout(0.5f)));
    Block suffix = new SequentialBlock().add(flatten()).add(linear(options.classes()));
    return new ModelDefinition(
        name(), options, Optional.empty(), units, new Unit("suffix", suffix));
  }

  /** BasicConv2d with a (kh x kw) kernel, stride and (ph, pw) padding. */
  private static SequentialBlock bc(int out, int kh, int kw, int stride, int ph, int pw) {
    return convBnRelu(out, kh, kw, stride, ph, pw, 1, EPS);
  }

  private static SequentialBlock seq(Block... blocks) {
    return new SequentialBlock().addAll(blocks);
  }

  private static Block inceptionA(int poolFeatures) {
    return Branches.concat(
        bc(64, 1, 1, 1, 0, 0),
        seq(bc(48, 1, 1, 1, 0, 0), bc(64, 5, 5, 1, 2, 2)),
        seq(bc(64, 1, 1, 1, 0, 0), bc(96, 3, 3, 1, 1, 1), bc(96, 3, 3, 1, 1, 1)),
        seq(avgPool(3, 1, 1), bc(poolFeatures, 1, 1, 1, 0, 0)));
  }

  private static Block inceptionB() {
    return Branches.concat(
        bc(384, 3, 3, 2, 0, 0),
        seq(bc(64, 1, 1, 1, 0, 0), bc(96, 3, 3, 1, 1, 1), bc(96, 3, 3, 2, 0, 0)),
        maxPool(3, 2, 0));
  }

  private static Block inceptionC(int c7) {
    return Branches.concat(
        bc(192, 1, 1, 1, 0, 0),
        seq(bc(c7, 1, 1, 1, 0, 0), bc(c7, 1, 7, 1, 0, 3), bc(192, 7, 1, 1, 3, 0)),
        seq(
            bc(c7, 1, 1, 1, 0, 0),
            bc(c7, 7, 1, 1, 3, 0),
            bc(c7, 1, 7, 1, 0, 3),
            bc(c7, 7, 1, 1, 3, 0),
            bc(192, 1, 7, 1, 0, 3)),
        seq(avgPool(3, 1, 1), bc(192, 1, 1, 1, 0, 0)));
  }

  private static Block inceptionD() {
    return Branches.concat(
        seq(bc(192, 1, 1, 1, 0, 0), bc(320, 3, 3, 2, 0, 0)),
        seq(
            bc(192, 1, 1, 1, 0, 0),
            bc(192, 1, 7, 1, 0, 3),
            bc(192, 7, 1, 1, 3, 0),
            bc(192, 3, 3, 2, 0, 0)),
        maxPool(3, 2, 0));
  }

  private static Block inceptionE() {
    return Branches.concat(
        bc(320, 1, 1, 1, 0, 0),
        seq(
            bc(384, 1, 1, 1, 0, 0),
            Branches.concat(bc(384, 1, 3, 1, 0, 1), bc(384, 3, 1, 1, 1, 0))),
        seq(
            bc(448, 1, 1, 1, 0, 0),
            bc(384, 3, 3, 1, 1, 1),
            Branches.concat(bc(384, 1, 3, 1, 0, 1), bc(384, 3, 1, 1, 1, 0))),
        seq(avgPool(3, 1, 1), bc(192, 1, 1, 1, 0, 0)));
  }
}
