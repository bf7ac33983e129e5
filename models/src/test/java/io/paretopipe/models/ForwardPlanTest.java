package io.paretopipe.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compiled forward (batch norms folded, in-place activations and sums, direct JNI calls)
 * computes what the DJL blocks compute: for every catalog model, the same seeded weights run
 * through the blocks' own {@code forward} (unfolded, every activation out of place) give the
 * stage's logits within 1e-4, and the stage's input is left untouched.
 */
class ForwardPlanTest {

  private static final float TOLERANCE = 1e-4f;

  static Stream<String> models() {
    return ModelCatalog.names().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void compiledForwardEqualsTheBlocksOwnForward(String name) {
    Engines.setThreads(2);
    ModelOptions options = ModelOptions.builder().optSeed(7).build();
    try (NDManager manager = NDManager.newBaseManager(Engines.pytorch().getEngineName())) {
      ModelDefinition reference = ModelCatalog.define(name, options);
      NDArray input = TestInputs.normal(manager, 11, 2, reference.options().input());
      NDArray inputCopy = input.duplicate();
      NDArray expected = blocksForward(reference, input, manager);
      NDArray actual;
      try (StageModel stage = StageModel.whole(ModelCatalog.define(name, options))) {
        actual = stage.forward(input);
      }
      assertSame(manager, actual.getManager(), "the caller owns the output");
      assertArrayEquals(new long[] {2, 10}, actual.getShape().getShape());
      float spread = expected.max().getFloat() - expected.min().getFloat();
      assertTrue(spread > 1e-3f, name + " logits are degenerate: spread " + spread);
      float diff = TestInputs.maxAbsDiff(expected, actual);
      float scale = Math.max(1f, expected.abs().max().getFloat());
      System.out.printf(
          "%s compiled forward vs blocks' own forward: max |difference| %.3g (logit spread %.3g)%n",
          name, diff, spread);
      assertTrue(
          diff <= TOLERANCE * scale,
          name + ": max |difference| " + diff + " > " + TOLERANCE + " x " + scale);
      assertEquals(0f, TestInputs.maxAbsDiff(inputCopy, input), "the input was modified");
    }
  }

  /**
   * The whole model run by DJL's own block forwards with {@link SeededWeights}, as {@link
   * StageModel} would initialize it, without compiling.
   */
  private static NDArray blocksForward(ModelDefinition model, NDArray input, NDManager manager) {
    List<Unit> pieces = new ArrayList<>();
    model.prefix().ifPresent(pieces::add);
    pieces.addAll(model.units());
    pieces.add(model.suffix());
    int offset = model.prefix().isPresent() ? 0 : 1;
    try (NDManager weights = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      ParameterStore store = new ParameterStore(weights, false);
      NDArray x = input;
      for (int i = 0; i < pieces.size(); i++) {
        Unit unit = pieces.get(i);
        int ordinal = i == pieces.size() - 1 ? model.unitCount() + 1 : i + offset;
        SeededWeights.assign(unit, model.options().seed(), ordinal);
        unit.block().initialize(weights, DataType.FLOAT32, x.getShape());
        x = unit.block().forward(store, new NDList(x), false).singletonOrThrow();
      }
      x.attach(manager);
      return x;
    }
  }
}
