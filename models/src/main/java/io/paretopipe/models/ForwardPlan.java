package io.paretopipe.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.paretopipe.models.blocks.Branches;
import io.paretopipe.models.blocks.InPlaceActivations;
import io.paretopipe.models.blocks.Relu;
import io.paretopipe.models.blocks.Relu6;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The inference forward of one initialized unit, compiled once from its block tree so that a
 * forward runs torch's operators directly, the way torchvision's eval-mode forward (and its
 * TorchScript trace) runs them:
 *
 * <ul>
 *   <li>a convolution followed by a batch norm runs as one convolution: at compile time the batch
 *       norm is folded into the convolution's weight (scaled in place per output channel by {@code
 *       gamma / sqrt(runningVar + eps)}) and a bias ({@code beta - runningMean * scale}), as {@code
 *       torch.jit.freeze} does; equal up to float rounding;
 *   <li>a ReLU or ReLU6 whose input is a tensor this forward made (not the stage's input, not a
 *       branch's shared input) runs in place ({@link InPlaceActivations}), as torchvision's {@code
 *       inplace=True} does; otherwise out of place;
 *   <li>a residual sum adds into the main branch's fresh output ({@code out += identity});
 *   <li>convolution, linear, ReLU and the joins call DJL's PyTorch JNI ({@link JniUtils}) directly,
 *       with the shapes read once here: no parameter lookup, shape inference or {@link NDList} per
 *       call; dropout is skipped (the identity at inference). Any other block (pools, flatten,
 *       TorchScript units) runs its own {@code forward}.
 * </ul>
 *
 * <p>Compiling takes over the unit's parameters: after it the blocks' own {@code forward} no longer
 * computes the model (the folded convolutions would be normalised twice); only the plan does.
 * Immutable and thread-safe once built. Every tensor a step makes is attached to its input's
 * manager (the forward's scratch manager); a step never closes or modifies its input.
 */
final class ForwardPlan {

  /** The result of a step: {@code fresh} when nothing else references {@code array}. */
  record Value(PtNDArray array, boolean fresh) {}

  /** One compiled block. */
  interface Step {
    /**
     * @param x borrowed: neither closed nor modified
     * @return a new tensor ({@code fresh}), or {@code x} itself or a view of it (not fresh)
     */
    Value apply(PtNDArray x);
  }

  private ForwardPlan() {}

  /**
   * Compiles {@code block}, folding its batch norms into their convolutions.
   *
   * @param manager owns the folded biases; the stage's base manager
   */
  static Step compile(Block block, NDManager manager, ParameterStore parameterStore) {
    if (block instanceof SequentialBlock) {
      List<Block> children = block.getChildren().values();
      List<Step> steps = new ArrayList<>();
      for (int i = 0; i < children.size(); i++) {
        Block child = children.get(i);
        if (child instanceof Convolution conv
            && i + 1 < children.size()
            && children.get(i + 1) instanceof BatchNorm bn) {
          steps.add(foldedConvolution(conv, bn, manager));
          i++;
        } else if (!(child instanceof Dropout)) {
          steps.add(compile(child, manager, parameterStore));
        }
      }
      return new Sequence(steps);
    }
    if (block instanceof Branches branches) {
      List<Step> steps = new ArrayList<>();
      for (Block branch : branches.branches()) {
        steps.add(compile(branch, manager, parameterStore));
      }
      return new Join(branches.join(), steps);
    }
    if (block instanceof Convolution conv) {
      return new Conv(conv, array(conv, "weight"), optionalArray(conv, "bias"));
    }
    if (block instanceof Linear linear) {
      return new Dense(array(linear, "weight"), array(linear, "bias"));
    }
    if (block instanceof Relu) {
      return new Activation(false);
    }
    if (block instanceof Relu6) {
      return new Activation(true);
    }
    if (block instanceof Dropout) {
      return x -> new Value(x, false);
    }
    return new Fallback(block, parameterStore);
  }

  /**
   * {@code steps} in order as one step (a stage's units: a ReLU unit then runs in place on the
   * previous unit's output).
   */
  static Step sequence(List<Step> steps) {
    return new Sequence(List.copyOf(steps));
  }

  /** Runs {@code steps} in order, closing each intermediate once the next exists. */
  private record Sequence(List<Step> steps) implements Step {
    @Override
    public Value apply(PtNDArray x) {
      Value current = new Value(x, false);
      for (Step step : steps) {
        if (step instanceof Activation activation && current.fresh()) {
          activation.applyInPlace(current.array());
          continue;
        }
        Value next = step.apply(current.array());
        if (current.array() != x && current.array() != next.array()) {
          current.array().close();
        }
        current = next;
      }
      return current;
    }
  }

  /** {@link Branches}: every branch on the same input, joined by sum or channel concatenation. */
  private record Join(Branches.Join join, List<Step> branches) implements Step {
    @Override
    public Value apply(PtNDArray x) {
      List<Value> outputs = new ArrayList<>(branches.size());
      for (Step branch : branches) {
        outputs.add(branch.apply(x));
      }
      PtNDArray joined;
      if (join == Branches.Join.ADD) {
        joined = outputs.get(0).array();
        boolean inPlace = outputs.get(0).fresh();
        for (int i = 1; i < outputs.size(); i++) {
          if (inPlace) {
            JniUtils.addi(joined, outputs.get(i).array());
          } else {
            PtNDArray sum = JniUtils.add(joined, outputs.get(i).array());
            if (joined != x && i > 1) {
              joined.close();
            }
            joined = sum;
          }
        }
      } else {
        PtNDArray[] arrays = new PtNDArray[outputs.size()];
        for (int i = 0; i < arrays.length; i++) {
          arrays[i] = outputs.get(i).array();
        }
        joined = JniUtils.cat(arrays, 1);
      }
      for (Value output : outputs) {
        if (output.array() != x && output.array() != joined) {
          output.array().close();
        }
      }
      return new Value(joined, joined != x);
    }
  }

  /** {@code conv2d(x, weight, bias)} with the block's stride, padding, dilation and groups. */
  private static final class Conv implements Step {
    private final PtNDArray weight;
    private final PtNDArray bias;
    private final Shape stride;
    private final Shape padding;
    private final Shape dilation;
    private final int groups;

    Conv(Convolution conv, PtNDArray weight, PtNDArray bias) {
      this.weight = weight;
      this.bias = bias;
      this.stride = conv.getStride();
      this.padding = conv.getPadding();
      this.dilation = conv.getDilation();
      this.groups = conv.getGroups();
    }

    @Override
    public Value apply(PtNDArray x) {
      return new Value(
          JniUtils.convolution(x, weight, bias, stride, padding, dilation, groups), true);
    }
  }

  /** {@code linear(x, weight, bias)}. */
  private record Dense(PtNDArray weight, PtNDArray bias) implements Step {
    @Override
    public Value apply(PtNDArray x) {
      return new Value(JniUtils.linear(x, weight, bias), true);
    }
  }

  /** ReLU or ReLU6: in place on a fresh input (see {@link Sequence}), else into a new tensor. */
  private record Activation(boolean six) implements Step {
    @Override
    public Value apply(PtNDArray x) {
      return new Value(six ? JniUtils.clip(x, 0f, 6f) : JniUtils.relu(x), true);
    }

    void applyInPlace(PtNDArray x) {
      if (six) {
        InPlaceActivations.relu6(x);
      } else {
        InPlaceActivations.relu(x);
      }
    }
  }

  /** Any other block, through its own {@code forward}; its output is never written in place. */
  private record Fallback(Block block, ParameterStore parameterStore) implements Step {
    @Override
    public Value apply(PtNDArray x) {
      NDArray out = block.forward(parameterStore, new NDList(x), false).singletonOrThrow();
      return new Value((PtNDArray) out, false);
    }
  }

  /**
   * Folds eval-mode {@code bn} into {@code conv}: scales the convolution's weight in place and
   * makes the bias (attached to {@code manager}).
   */
  private static Conv foldedConvolution(Convolution conv, BatchNorm bn, NDManager manager) {
    PtNDArray weight = array(conv, "weight");
    PtNDArray convBias = optionalArray(conv, "bias");
    double eps = epsilonOf(bn);
    float[] gamma = array(bn, "gamma").toFloatArray();
    float[] beta = array(bn, "beta").toFloatArray();
    float[] mean = array(bn, "runningMean").toFloatArray();
    float[] variance = array(bn, "runningVar").toFloatArray();
    float[] shift = convBias == null ? new float[gamma.length] : convBias.toFloatArray();
    float[] scale = new float[gamma.length];
    float[] bias = new float[gamma.length];
    for (int c = 0; c < gamma.length; c++) {
      double s = gamma[c] / Math.sqrt(variance[c] + eps);
      scale[c] = (float) s;
      bias[c] = (float) ((shift[c] - mean[c]) * s + beta[c]);
    }
    long[] perChannel = new long[weight.getShape().dimension()];
    Arrays.fill(perChannel, 1);
    perChannel[0] = scale.length;
    try (NDArray scales = manager.create(scale, new Shape(perChannel))) {
      weight.muli(scales);
    }
    return new Conv(conv, weight, (PtNDArray) manager.create(bias));
  }

  /**
   * The epsilon of a DJL {@link BatchNorm}, which DJL keeps private; read once per batch norm at
   * compile time.
   */
  private static float epsilonOf(BatchNorm bn) {
    try {
      Field field = BatchNorm.class.getDeclaredField("epsilon");
      field.setAccessible(true);
      return field.getFloat(bn);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot read the epsilon of DJL's BatchNorm (its private field 'epsilon', DJL "
              + ai.djl.engine.Engine.getDjlVersion()
              + "): fold batch norms another way for this DJL version",
          e);
    }
  }

  private static PtNDArray array(Block block, String name) {
    PtNDArray array = optionalArray(block, name);
    if (array == null) {
      throw new IllegalStateException(block + " has no initialized parameter '" + name + "'");
    }
    return array;
  }

  private static PtNDArray optionalArray(Block block, String name) {
    Parameter parameter = block.getParameters().get(name);
    return parameter == null || !parameter.isInitialized()
        ? null
        : (PtNDArray) parameter.getArray();
  }
}
