package io.paretopipe.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import io.paretopipe.models.blocks.Branches;
import io.paretopipe.models.torchscript.TorchScriptUnitBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * Computes parameter counts, MACs and output shapes of a {@link ModelDefinition} from its block
 * structure alone: no weights are allocated, so it is cheap even for VGG16. TorchScript units
 * report what their manifest records (MACs 0 where the exporter could not count them).
 */
public final class CostWalker {

  private CostWalker() {}

  /**
   * Costs of the prefix (if any), every unit and the suffix, in execution order.
   *
   * @throws IllegalArgumentException if the input is too small or otherwise unfit for the model,
   *     naming the unit where the shape broke
   */
  public static List<UnitCost> costs(ModelDefinition model) {
    List<UnitCost> costs = new ArrayList<>();
    int[] in = model.options().input();
    Shape shape = new Shape(1, in[0], in[1], in[2]);
    if (model.prefix().isPresent()) {
      UnitCost c = cost(model, model.prefix().get(), "prefix", shape);
      costs.add(c);
      shape = batched(c.outputShape());
    }
    for (Unit unit : model.units()) {
      UnitCost c = cost(model, unit, "unit", shape);
      costs.add(c);
      shape = batched(c.outputShape());
    }
    costs.add(cost(model, model.suffix(), "suffix", shape));
    return costs;
  }

  private static Shape batched(long[] perImage) {
    long[] dims = new long[perImage.length + 1];
    dims[0] = 1;
    System.arraycopy(perImage, 0, dims, 1, perImage.length);
    return new Shape(dims);
  }

  private static UnitCost cost(ModelDefinition model, Unit unit, String role, Shape input) {
    long[] totals = new long[2];
    Shape out;
    try {
      out = walk(unit.block(), input, totals);
    } catch (RuntimeException e) {
      throw unfit(model, unit, input, e.getMessage());
    }
    for (long d : out.getShape()) {
      if (d < 1) {
        throw unfit(model, unit, input, "it would produce " + out.slice(1));
      }
    }
    return new UnitCost(unit.name(), role, totals[0], totals[1], out.slice(1).getShape());
  }

  private static IllegalArgumentException unfit(
      ModelDefinition model, Unit unit, Shape input, String why) {
    return new IllegalArgumentException(
        "input "
            + Shapes.chw(model.options().input())
            + " does not fit "
            + model.name()
            + ": unit "
            + unit.name()
            + " receives "
            + Shapes.chw(input.slice(1).getShape())
            + " and "
            + why
            + " (default input: 3x224x224, 3x299x299 for inceptionv3)");
  }

  /**
   * Adds params and MACs of {@code block} for {@code input} into totals[0], totals[1]; returns its
   * output shape.
   */
  private static Shape walk(Block block, Shape input, long[] totals) {
    if (block instanceof SequentialBlock) {
      Shape shape = input;
      for (Block child : block.getChildren().values()) {
        shape = walk(child, shape, totals);
      }
      return shape;
    }
    if (block instanceof Branches branches) {
      List<Shape> outs = new ArrayList<>();
      for (Block branch : branches.branches()) {
        outs.add(walk(branch, input, totals));
      }
      return Branches.joinShapes(branches.join(), outs);
    }
    Shape out = block.getOutputShapes(new Shape[] {input})[0];
    if (out.dimension() > 0 && out.get(out.dimension() - 1) < 1) {
      throw new IllegalArgumentException("it would produce " + out.slice(1));
    }
    if (block instanceof Convolution conv) {
      long inChannels = input.get(1);
      long kernel = conv.getKernelShape().size();
      long perFilter = inChannels / conv.getGroups() * kernel;
      totals[0] += conv.getFilters() * perFilter + (conv.isIncludeBias() ? conv.getFilters() : 0);
      totals[1] += out.slice(2).size() * conv.getFilters() * perFilter;
    } else if (block instanceof Linear) {
      long inFeatures = input.get(input.dimension() - 1);
      long units = out.get(out.dimension() - 1);
      totals[0] += inFeatures * units + units;
      totals[1] += inFeatures * units;
    } else if (block instanceof BatchNorm) {
      totals[0] += 2 * input.get(1);
    } else if (block instanceof TorchScriptUnitBlock torchScript) {
      totals[0] += torchScript.params();
      totals[1] += torchScript.macs();
    }
    return out;
  }
}
