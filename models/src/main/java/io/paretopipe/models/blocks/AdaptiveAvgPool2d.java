package io.paretopipe.models.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * PyTorch's {@code AdaptiveAvgPool2d((height, width))}: averages an {@code N x C x H x W} input
 * into {@code N x C x height x width} bins, for any input size. Runs torch's own kernel, so it
 * needs the PyTorch engine (the only engine this project uses).
 */
public final class AdaptiveAvgPool2d extends AbstractBlock {

  private final Shape outputSize;

  /**
   * @param height output rows, >= 1; @param width output columns, >= 1
   */
  public AdaptiveAvgPool2d(int height, int width) {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "output size " + height + "x" + width + " (expected: >= 1x1)");
    }
    this.outputSize = new Shape(height, width);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray input = inputs.singletonOrThrow();
    if (!(input instanceof PtNDArray)) {
      throw new IllegalStateException(
          "AdaptiveAvgPool2d needs the PyTorch engine, got " + input.getClass());
    }
    return new NDList(JniUtils.adaptiveAvgPool((PtNDArray) input, outputSize));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), in.get(1), outputSize.get(0), outputSize.get(1))};
  }

  @Override
  public String toString() {
    return "AdaptiveAvgPool2d" + outputSize;
  }
}
