package io.paretopipe.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every catalog model and every split, the head (built alone) followed by the tail (built
 * alone, as on another machine) gives the unsplit model's logits within 1e-4; likewise one
 * three-stage cut per model.
 */
class SplitEquivalenceTest {

  private static final float TOLERANCE = 1e-4f;

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("resnet18", "3:6"),
        Arguments.of("resnet50", "4:12"),
        Arguments.of("mobilenetv2", "3:9"),
        Arguments.of("vgg16", "10:24"),
        Arguments.of("alexnet", "4:9"),
        Arguments.of("inceptionv3", "8:16"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void everySplitAndOneThreeStageCutEqualTheWholeModel(String name, String threeStage) {
    Engines.setThreads(2);
    ModelOptions options = ModelOptions.builder().optSeed(7).build();
    try (NDManager manager = NDManager.newBaseManager(Engines.pytorch().getEngineName())) {
      NDArray input;
      NDArray expected;
      int n;
      try (StageModel whole = StageModel.whole(ModelCatalog.define(name, options))) {
        n = whole.model().unitCount();
        input = TestInputs.normal(manager, 11, 1, whole.model().options().input());
        expected = whole.forward(input);
      }
      assertArrayEquals(new long[] {1, 10}, expected.getShape().getShape());
      float spread = expected.max().getFloat() - expected.min().getFloat();
      assertTrue(spread > 1e-3f, name + " logits are degenerate: spread " + spread);
      for (int k = 0; k <= n; k++) {
        assertSame(name, options, "" + k, n, input, expected);
      }
      assertSame(name, options, threeStage, n, input, expected);
    }
  }

  private static void assertSame(
      String name, ModelOptions options, String split, int n, NDArray input, NDArray expected) {
    List<StageRange> stages = Partition.parse(split, name, n).stages();
    NDArray x = input;
    for (StageRange range : stages) {
      long t0 = System.nanoTime();
      try (StageModel stage = StageModel.load(name, options, range)) {
        long t1 = System.nanoTime();
        x = stage.forward(x);
        System.out.printf(
            "%s %s %s load %d ms forward %d ms%n",
            name, split, range, (t1 - t0) / 1000000, (System.nanoTime() - t1) / 1000000);
      }
    }
    float diff = TestInputs.maxAbsDiff(expected, x);
    assertTrue(
        diff <= TOLERANCE,
        name + " split " + split + ": max |difference| " + diff + " > " + TOLERANCE);
  }
}
