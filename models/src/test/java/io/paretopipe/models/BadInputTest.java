package io.paretopipe.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Every kind of bad request to the catalog gets an error that names what is valid. */
class BadInputTest {

  @Test
  void unknownModelListsTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelCatalog.define("resnet19"));
    assertEquals(
        "unknown model 'resnet19': known models are resnet18, resnet50, mobilenetv2, vgg16, alexnet, inceptionv3",
        e.getMessage());
  }

  @Test
  void splitOutOfRangeNamesTheValidRange() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Partition.parse("19", "resnet18", 8));
    assertEquals("split 19 is out of range for resnet18: valid splits are 0..8", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Partition.parse("-1", "resnet18", 8));
    assertEquals("split -1 is out of range for resnet18: valid splits are 0..8", e.getMessage());
  }

  @Test
  void cutsMustIncrease() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Partition.parse("9:3", "mobilenetv2", 19));
    assertEquals(
        "cuts 9:3 for mobilenetv2 are not increasing: each cut must be greater than the one before,"
            + " e.g. 3:9",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Partition.parse("3:3", "mobilenetv2", 19));
  }

  @Test
  void unparsableSplitSaysWhatIsExpected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Partition.parse("3,9", "resnet18", 8));
    assertEquals(
        "split '3,9' is not a list of cut points: expected K or K1:K2 (colon-separated, increasing)"
            + " with each K in 0..8 for resnet18",
        e.getMessage());
  }

  @Test
  void threeStageCutHasThreeRanges() {
    Partition p = Partition.parse("3:9", "mobilenetv2", 19);
    assertEquals(3, p.stageCount());
    assertEquals(new StageRange(0, 0, 3, true, false), p.stages().get(0));
    assertEquals(new StageRange(1, 3, 9, false, false), p.stages().get(1));
    assertEquals(new StageRange(2, 9, 19, false, true), p.stages().get(2));
  }

  @Test
  void inputTooSmallNamesTheUnitAndShape() {
    ModelOptions options = ModelOptions.builder().optInput(new int[] {3, 32, 32}).build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelCatalog.define("alexnet", options));
    assertTrue(
        e.getMessage().startsWith("input 3x32x32 does not fit alexnet: unit features."),
        e.getMessage());
  }

  @Test
  void otherInputSizesWorkWhereTheArchitectureAllows() {
    ModelOptions options =
        ModelOptions.builder().optInput(new int[] {3, 160, 160}).optClasses(3).build();
    CutTable table = CutTable.of(ModelCatalog.define("resnet18", options), 1);
    Cut last = table.cuts().get(8);
    assertEquals("block8", last.unit());
    assertArrayEquals(new long[] {512, 5, 5}, last.shape());
    assertEquals(4L * 512 * 5 * 5, last.bytes());
    assertEquals(11181642 - 5130 + 512 * 3 + 3, table.params());
  }

  @Test
  void classCountBelowOneIsRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelOptions.builder().optClasses(0));
    assertEquals("classes: 0 (expected: >= 1)", e.getMessage());
  }

  @Test
  void malformedInputTextIsRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Shapes.parseChw("3x224"));
    assertEquals("input '3x224' (expected: CxHxW, e.g. 3x224x224)", e.getMessage());
  }

  @Test
  void tensorOfTheWrongShapeIsRejectedByTheStage() {
    ModelOptions options = ModelOptions.builder().build();
    try (StageModel tail =
            StageModel.load("mobilenetv2", options, StageRange.remote(1, 3, 19, 19));
        NDManager manager = NDManager.newBaseManager(Engines.pytorch().getEngineName())) {
      NDArray wrong = manager.zeros(new Shape(2, 24, 28, 28));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> tail.forward(wrong));
      assertEquals(
          "input float32 (2, 24, 28, 28) does not fit mobilenetv2 stage 1 (units [3, 19) + suffix):"
              + " expected float32 (N, 24, 56, 56)",
          e.getMessage());
    }
  }

  @Test
  void closedStageFailsFast() {
    StageModel stage =
        StageModel.load(
            "mobilenetv2", ModelOptions.builder().build(), new StageRange(0, 0, 1, true, false));
    stage.close();
    stage.close();
    try (NDManager manager = NDManager.newBaseManager(Engines.pytorch().getEngineName())) {
      NDArray x = manager.zeros(new Shape(1, 3, 224, 224));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> stage.forward(x));
      assertEquals("mobilenetv2 stage 0 (prefix + units [0, 1)) is closed", e.getMessage());
    }
  }
}
