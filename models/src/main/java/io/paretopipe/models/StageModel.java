package io.paretopipe.models;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.paretopipe.models.torchscript.TorchScriptUnitBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The weights and blocks of one pipeline stage, ready for inference. Only the units of its {@link
 * StageRange} are built, so a VGG16 head never allocates the 120 M-parameter classifier.
 *
 * <p>Ownership: the stage owns a base {@link NDManager} holding every parameter; {@link #close()}
 * frees them (idempotent). {@link #forward} may be called from several threads at once: the
 * compiled forward is immutable and each call's temporaries live in their own sub-manager, closed
 * before it returns. Parameters never take part in autograd.
 *
 * <p>Computing: each unit's blocks are compiled once, at load, into a {@code ForwardPlan} (batch
 * norms folded into their convolutions, ReLU/ReLU6 in place on tensors the forward made, in-place
 * residual sums, torch's operators called directly; docs/PERFORMANCE.md has the measured effect).
 * The stage takes over the definition's blocks: their own {@code forward} no longer computes the
 * model once a stage holds them.
 */
public final class StageModel implements AutoCloseable {

  private final ModelDefinition model;
  private final StageRange range;
  private final List<Unit> units;
  private final List<UnitCost> costs;
  private final long[] inputShapePerImage;
  private final long[] outputShapePerImage;
  private final AtomicReference<NDManager> manager;
  private final List<ForwardPlan.Step> plans;
  private final ForwardPlan.Step stagePlan;

  private StageModel(ModelDefinition model, StageRange range) {
    for (Unit unit : model.units()) {
      if (unit.block().isInitialized()) {
        throw new IllegalStateException(
            "the definition of "
                + model.name()
                + " already backs a StageModel: build a fresh one with ModelCatalog.define for each stage");
      }
    }
    this.model = model;
    this.range = range;
    List<UnitCost> all = CostWalker.costs(model);
    int offset = model.prefix().isPresent() ? 1 : 0;
    int n = model.unitCount();
    if (range.unitEnd() > n) {
      throw new IllegalArgumentException(
          "unit range ["
              + range.unitStart()
              + ", "
              + range.unitEnd()
              + ") is out of range for "
              + model.name()
              + ": valid splits are 0.."
              + n);
    }
    List<Unit> selected = new ArrayList<>();
    List<UnitCost> selectedCosts = new ArrayList<>();
    List<Integer> ordinals = new ArrayList<>();
    if (range.prefix() && model.prefix().isPresent()) {
      selected.add(model.prefix().get());
      selectedCosts.add(all.get(0));
      ordinals.add(0);
    }
    for (int i = range.unitStart(); i < range.unitEnd(); i++) {
      selected.add(model.units().get(i));
      selectedCosts.add(all.get(offset + i));
      ordinals.add(1 + i);
    }
    if (range.suffix()) {
      selected.add(model.suffix());
      selectedCosts.add(all.get(all.size() - 1));
      ordinals.add(n + 1);
    }
    this.units = List.copyOf(selected);
    this.costs = List.copyOf(selectedCosts);
    int[] in = model.options().input();
    long[] input = {in[0], in[1], in[2]};
    if (!range.prefix()) {
      int before = offset + range.unitStart() - 1;
      if (before >= 0) {
        input = all.get(before).outputShape();
      }
    }
    this.inputShapePerImage = input;
    this.outputShapePerImage = costs.isEmpty() ? input : costs.get(costs.size() - 1).outputShape();

    NDManager base = NDManager.newBaseManager(Device.cpu(), Engines.pytorch().getEngineName());
    this.manager = new AtomicReference<>(base);
    List<ForwardPlan.Step> compiled = new ArrayList<>();
    try {
      ParameterStore parameterStore = new ParameterStore(base, false);
      long[] shape = input;
      for (int i = 0; i < units.size(); i++) {
        Unit unit = units.get(i);
        if (!(unit.block() instanceof TorchScriptUnitBlock)) {
          SeededWeights.assign(unit, model.options().seed(), ordinals.get(i));
        }
        unit.block().initialize(base, DataType.FLOAT32, batched(1, shape));
        unit.block().freezeParameters(true);
        compiled.add(ForwardPlan.compile(unit.block(), base, parameterStore));
        shape = costs.get(i).outputShape();
      }
    } catch (RuntimeException e) {
      base.close();
      throw e;
    }
    this.plans = List.copyOf(compiled);
    this.stagePlan = ForwardPlan.sequence(plans);
  }

  /**
   * Builds and initializes the units of {@code range} of {@code model} with its seeded weights;
   * TorchScript units instead load their own file (only the files of the range are loaded). The
   * stage takes over the definition's blocks: a definition backs at most one stage.
   *
   * @throws IllegalArgumentException if the range does not fit the model
   */
  public static StageModel load(ModelDefinition model, StageRange range) {
    return new StageModel(model, range);
  }

  /** Builds a fresh definition of catalog model {@code name} and loads {@code range} of it. */
  public static StageModel load(String name, ModelOptions options, StageRange range) {
    return new StageModel(ModelCatalog.define(name, options), range);
  }

  /** The whole model as one stage: prefix, every unit, suffix. */
  public static StageModel whole(ModelDefinition model) {
    return new StageModel(model, new StageRange(0, 0, model.unitCount(), true, true));
  }

  public ModelDefinition model() {
    return model;
  }

  public StageRange range() {
    return range;
  }

  /** Names of the pieces this stage runs, in order (prefix and suffix included when present). */
  public List<String> unitNames() {
    return units.stream().map(Unit::name).toList();
  }

  /** Per-image input shape this stage expects. */
  public long[] inputShapePerImage() {
    return inputShapePerImage.clone();
  }

  /** Per-image output shape this stage produces. */
  public long[] outputShapePerImage() {
    return outputShapePerImage.clone();
  }

  /** Trainable parameters this stage holds. */
  public long parameterCount() {
    return costs.stream().mapToLong(UnitCost::params).sum();
  }

  /**
   * Trainable parameters actually allocated (excludes BatchNorm running statistics), for
   * verification.
   */
  public long allocatedTrainableParameters() {
    long total = 0;
    for (Unit unit : units) {
      if (unit.block() instanceof TorchScriptUnitBlock torchScript) {
        total += torchScript.loadedParameterCount();
        continue;
      }
      for (Pair<String, Parameter> p : unit.block().getParameters()) {
        Parameter.Type type = p.getValue().getType();
        if (type != Parameter.Type.RUNNING_MEAN && type != Parameter.Type.RUNNING_VAR) {
          total += p.getValue().getArray().size();
        }
      }
    }
    return total;
  }

  /**
   * Runs this stage on a batch. Every intermediate tensor is freed as soon as the next one exists,
   * so the working set is a few activations, not all of them.
   *
   * @param input {@code N x inputShapePerImage()} float32; not closed by this method
   * @return the output, attached to {@code input}'s manager (the caller owns it); the input itself
   *     when the stage runs nothing
   * @throws IllegalArgumentException if the input shape does not fit this stage
   * @throws IllegalStateException after {@link #close()}
   */
  public NDArray forward(NDArray input) {
    checkInput(input.getShape(), input.getDataType());
    if (units.isEmpty()) {
      return input;
    }
    NDManager owner = input.getManager();
    try (NDManager scratch = liveManager().newSubManager()) {
      input.tempAttach(scratch);
      NDArray x = stagePlan.apply((PtNDArray) input).array();
      x.attach(owner);
      return x;
    }
  }

  /**
   * Runs only piece {@code index} of {@link #unitNames()} (for per-unit profiles).
   *
   * @return the output attached to {@code input}'s manager
   */
  public NDArray forwardPiece(int index, NDArray input) {
    NDManager owner = input.getManager();
    try (NDManager scratch = liveManager().newSubManager()) {
      input.tempAttach(scratch);
      NDArray out = plans.get(index).apply((PtNDArray) input).array();
      out.attach(owner);
      return out;
    }
  }

  /**
   * Checks a batch shape against what this stage takes.
   *
   * @throws IllegalArgumentException naming the received and the expected shape
   */
  public void checkInput(Shape shape, DataType dataType) {
    boolean fits =
        dataType == DataType.FLOAT32
            && shape.dimension() == inputShapePerImage.length + 1
            && shape.get(0) >= 1
            && java.util.Arrays.equals(shape.slice(1).getShape(), inputShapePerImage);
    if (!fits) {
      throw new IllegalArgumentException(
          "input "
              + dataType
              + " "
              + shape
              + " does not fit "
              + model.name()
              + " "
              + range
              + ": expected float32 "
              + batched(-1, inputShapePerImage).toString().replace("-1", "N"));
    }
  }

  private NDManager liveManager() {
    NDManager m = manager.get();
    if (m == null) {
      throw new IllegalStateException(model.name() + " " + range + " is closed");
    }
    return m;
  }

  static Shape batched(long batch, long[] perImage) {
    long[] dims = new long[perImage.length + 1];
    dims[0] = batch;
    System.arraycopy(perImage, 0, dims, 1, perImage.length);
    return new Shape(dims);
  }

  @Override
  public void close() {
    NDManager m = manager.getAndSet(null);
    if (m != null) {
      m.close();
    }
  }
}
