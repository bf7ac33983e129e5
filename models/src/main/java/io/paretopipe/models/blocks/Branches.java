package io.paretopipe.models.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs every branch on the same input and joins the outputs: element-wise sum (a residual
 * connection; an empty branch list entry of {@link #identity()} is the shortcut) or concatenation
 * along the channel axis (an Inception module). Unlike DJL's {@code ParallelBlock} it computes its
 * output shape arithmetically, without allocating tensors.
 */
public final class Branches extends AbstractBlock {

  /** How branch outputs are combined. */
  public enum Join {
    /** Element-wise sum; all branches must produce the same shape. */
    ADD,
    /** Concatenation along axis 1 (channels); all other axes must agree. */
    CONCAT
  }

  private final Join join;
  private final List<Block> branches = new ArrayList<>();

  private Branches(Join join, List<Block> branches) {
    this.join = join;
    int i = 0;
    for (Block branch : branches) {
      this.branches.add(addChildBlock("branch" + i++, branch));
    }
  }

  /** Sum of the given branches, e.g. {@code add(main, identity())} for a residual connection. */
  public static Branches add(Block... branches) {
    return new Branches(Join.ADD, Arrays.asList(branches));
  }

  /** Channel-wise concatenation of the given branches, in order. */
  public static Branches concat(Block... branches) {
    return new Branches(Join.CONCAT, Arrays.asList(branches));
  }

  /** A branch that passes its input through unchanged (the residual shortcut). */
  public static Block identity() {
    return new Identity();
  }

  /** The join this block applies. */
  public Join join() {
    return join;
  }

  /** The branches in order; read-only view. */
  public List<Block> branches() {
    return List.copyOf(branches);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDList outputs = new NDList(branches.size());
    for (Block branch : branches) {
      outputs.add(branch.forward(parameterStore, inputs, training, params).singletonOrThrow());
    }
    NDArray joined;
    if (join == Join.ADD) {
      joined = outputs.get(0);
      for (int i = 1; i < outputs.size(); i++) {
        joined = joined.add(outputs.get(i));
      }
    } else {
      joined = NDArrays.concat(outputs, 1);
    }
    return new NDList(joined);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    List<Shape> shapes = new ArrayList<>();
    for (Block branch : branches) {
      shapes.add(branch.getOutputShapes(inputShapes)[0]);
    }
    return new Shape[] {joinShapes(join, shapes)};
  }

  /** The shape of joining branch outputs of the given shapes; fails naming the mismatch. */
  public static Shape joinShapes(Join join, List<Shape> shapes) {
    Shape first = shapes.get(0);
    if (join == Join.ADD) {
      for (Shape s : shapes) {
        if (!s.equals(first)) {
          throw new IllegalArgumentException("residual branches disagree: " + shapes);
        }
      }
      return first;
    }
    long channels = 0;
    for (Shape s : shapes) {
      if (s.dimension() != first.dimension()
          || !s.slice(2).equals(first.slice(2))
          || s.get(0) != first.get(0)) {
        throw new IllegalArgumentException(
            "concatenated branches disagree off the channel axis: " + shapes);
      }
      channels += s.get(1);
    }
    long[] dims = first.getShape();
    dims[1] = channels;
    return new Shape(dims);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    for (Block branch : branches) {
      branch.initialize(manager, dataType, inputShapes);
    }
  }

  /** Pass-through block used as the residual shortcut. */
  private static final class Identity extends AbstractBlock {
    @Override
    protected NDList forwardInternal(
        ParameterStore parameterStore,
        NDList inputs,
        boolean training,
        PairList<String, Object> params) {
      return inputs;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return inputShapes;
    }
  }
}
