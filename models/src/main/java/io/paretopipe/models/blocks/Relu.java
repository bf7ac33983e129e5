package io.paretopipe.models.blocks;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * PyTorch's {@code nn.ReLU}: {@code max(x, 0)} element-wise. Computes what DJL's {@code
 * Activation.reluBlock()} computes, but as a block of its own type, so a stage's forward can
 * recognise it and apply it in place to a tensor it owns ({@link InPlaceActivations}); its own
 * {@code forward} is out of place. No parameters; the output shape is the input's.
 */
public final class Relu extends AbstractBlock {

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    return new NDList(ai.djl.nn.Activation.relu(inputs.singletonOrThrow()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }

  @Override
  public String toString() {
    return "ReLU";
  }
}
