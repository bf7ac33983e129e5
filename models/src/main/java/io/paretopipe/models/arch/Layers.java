package io.paretopipe.models.arch;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import io.paretopipe.models.blocks.AdaptiveAvgPool2d;
import io.paretopipe.models.blocks.Relu;
import io.paretopipe.models.blocks.Relu6;

/** torchvision layer vocabulary expressed with DJL blocks (NCHW, float32). */
final class Layers {

  /** torch.nn.BatchNorm2d's default epsilon. */
  static final float BN_EPS = 1e-5f;

  private Layers() {}

  /** {@code nn.Conv2d(in, out, (kh, kw), stride, (ph, pw), groups=groups, bias=bias)}. */
  static Block conv(int out, int kh, int kw, int stride, int ph, int pw, int groups, boolean bias) {
    return Conv2d.builder()
        .setFilters(out)
        .setKernelShape(new Shape(kh, kw))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(ph, pw))
        .optGroups(groups)
        .optBias(bias)
        .build();
  }

  /** Square-kernel convolution with symmetric padding. */
  static Block conv(int out, int k, int stride, int pad, int groups, boolean bias) {
    return conv(out, k, k, stride, pad, pad, groups, bias);
  }

  /** {@code nn.BatchNorm2d(c, eps=eps)} on the channel axis. */
  static Block batchNorm(float eps) {
    return BatchNorm.builder().optAxis(1).optEpsilon(eps).build();
  }

  /** {@code nn.ReLU} (see {@link Relu}). */
  static Block relu() {
    return new Relu();
  }

  /** {@code nn.ReLU6}, as a single clamp (see {@link Relu6}). */
  static Block relu6() {
    return new Relu6();
  }

  /** {@code nn.MaxPool2d(k, stride, padding)} with floor rounding (torch's default). */
  static Block maxPool(int k, int stride, int pad) {
    return Pool.maxPool2dBlock(
        new Shape(k, k), new Shape(stride, stride), new Shape(pad, pad), false);
  }

  /**
   * {@code F.avg_pool2d(x, k, stride, padding)}: floor rounding, padding counted (torch's
   * defaults).
   */
  static Block avgPool(int k, int stride, int pad) {
    return Pool.avgPool2dBlock(
        new Shape(k, k), new Shape(stride, stride), new Shape(pad, pad), false, true);
  }

  static Block adaptiveAvgPool(int h, int w) {
    return new AdaptiveAvgPool2d(h, w);
  }

  /** {@code torch.flatten(x, 1)}. */
  static Block flatten() {
    return Blocks.batchFlattenBlock();
  }

  /**
   * {@code nn.Dropout(p)}: the identity at inference, kept so the unit list matches torchvision.
   */
  static Block dropout(float p) {
    return Dropout.builder().optRate(p).build();
  }

  static Block linear(int out) {
    return Linear.builder().setUnits(out).build();
  }

  /** Conv (no bias) + BatchNorm + ReLU: torchvision's ConvBNReLU and Inception's BasicConv2d. */
  static SequentialBlock convBnRelu(
      int out, int kh, int kw, int stride, int ph, int pw, int groups, float eps) {
    return new SequentialBlock()
        .add(conv(out, kh, kw, stride, ph, pw, groups, false))
        .add(batchNorm(eps))
        .add(relu());
  }
}
