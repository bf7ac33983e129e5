package io.paretopipe.models.blocks;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * PyTorch's {@code nn.ReLU6}: {@code min(max(x, 0), 6)} element-wise, as one clamp. DJL's {@code
 * Activation.relu6Block()} computes the same values in two passes (relu, then minimum with 6) and
 * allocates a full-size temporary in between; on mobilenetv2 at batch 8 that is 35 extra passes
 * over activations of up to 38 MB. A stage's forward applies it in place to a tensor it owns
 * ({@link InPlaceActivations}); its own {@code forward} is out of place. No parameters; the output
 * shape is the input's.
 */
public final class Relu6 extends AbstractBlock {

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    return new NDList(inputs.singletonOrThrow().clip(0f, 6f));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }

  @Override
  public String toString() {
    return "ReLU6";
  }
}
