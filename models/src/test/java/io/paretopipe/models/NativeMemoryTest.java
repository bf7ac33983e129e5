package io.paretopipe.models;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Native memory stays flat: 1,000 forwards of mobilenetv2 split at 9 (head then tail), batch 1,
 * leave the resident set within 5% of its size after warm-up. A forward that leaked its temporaries
 * (about 4 MB of activations each) would grow it by gigabytes.
 */
class NativeMemoryTest {

  @Test
  void residentMemoryIsFlatOverAThousandSplitForwards() throws IOException {
    Path status = Path.of("/proc/self/status");
    assumeTrue(
        Files.isReadable(status), "needs /proc/self/status (Linux) to read the resident set size");
    Engines.setThreads(1);
    ModelOptions options = ModelOptions.builder().build();
    Partition partition = Partition.parse("9", "mobilenetv2", 19);
    try (StageModel head = StageModel.load("mobilenetv2", options, partition.stages().get(0));
        StageModel tail = StageModel.load("mobilenetv2", options, partition.stages().get(1));
        NDManager manager = NDManager.newBaseManager(Engines.pytorch().getEngineName())) {
      NDArray input = TestInputs.normal(manager, 3, 1, new int[] {3, 224, 224});
      for (int i = 0; i < 100; i++) {
        forward(head, tail, input);
      }
      System.gc();
      long warm = residentKilobytes(status);
      for (int i = 0; i < 1000; i++) {
        forward(head, tail, input);
      }
      System.gc();
      long after = residentKilobytes(status);
      double growth = (after - warm) / (double) warm;
      System.out.printf(
          "resident set: %d kB after warm-up, %d kB after 1000 forwards (%+.2f%%)%n",
          warm, after, 100 * growth);
      assertTrue(Math.abs(growth) <= 0.05, "resident set moved " + (100 * growth) + "% (limit 5%)");
    }
  }

  /**
   * A closed stage gives its weights back: the vgg16 tail after split 31 (the classifier, 123.6 M
   * parameters, 472 MiB of float32) loaded and closed four times leaves the resident set where the
   * first load-and-close left it, give or take 64 MiB. No garbage collection is asked for, as a
   * stage server asks for none when its cache evicts a stage. Weights held in JVM-owned direct
   * buffers (freed only when a collection finds them) grew it by about one classifier per load.
   */
  @Test
  void aClosedStageGivesItsWeightsBackWithoutAGarbageCollection() throws IOException {
    Path status = Path.of("/proc/self/status");
    assumeTrue(
        Files.isReadable(status), "needs /proc/self/status (Linux) to read the resident set size");
    ModelOptions options = ModelOptions.builder().build();
    StageRange tail = Partition.parse("31", "vgg16", 31).stages().get(1);
    StageModel.load("vgg16", options, tail).close();
    long first = residentKilobytes(status);
    for (int i = 0; i < 3; i++) {
      StageModel.load("vgg16", options, tail).close();
    }
    long after = residentKilobytes(status);
    System.out.printf(
        "resident set: %d kB after one vgg16 tail loaded and closed, %d kB after three more"
            + " (%+d MiB)%n",
        first, after, (after - first) / 1024);
    assertTrue(
        after - first <= 64 * 1024,
        "three closed vgg16 tails kept " + (after - first) / 1024 + " MiB resident (limit 64 MiB)");
  }

  private static void forward(StageModel head, StageModel tail, NDArray input) {
    try (NDArray mid = head.forward(input);
        NDArray out = tail.forward(mid)) {
      out.getFloat(0, 0);
    }
  }

  static long residentKilobytes(Path status) throws IOException {
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS in " + status);
  }
}
