package io.paretopipe.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * libtorch's NNPACK switch: off exactly where NNPACK cannot initialise, and then a process that
 * runs convolutions prints no NNPACK warning, while the same process started without the switch
 * does (so the check can fail).
 */
class NnpackTest {

  private static final String WARNING = "Could not initialize NNPACK";

  @Test
  void libtorchsFlagFollowsWhetherNnpackInitialises() {
    Engines.pytorch();
    String outcome = Nnpack.disableIfUnsupported();
    Optional<Boolean> enabled = Nnpack.userEnabled();
    assumeTrue(enabled.isPresent(), "libtorch's NNPACK symbols are not reachable: " + outcome);
    if (outcome.startsWith("disabled")) {
      assertEquals(Optional.of(false), enabled, outcome);
    } else {
      assertTrue(outcome.startsWith("enabled"), outcome);
      assertEquals(Optional.of(true), enabled, outcome);
    }
  }

  @Test
  void convolutionsPrintNoNnpackWarningOnceTheEngineIsStartedThroughEngines() throws Exception {
    Engines.pytorch();
    String outcome = Nnpack.disableIfUnsupported();
    assumeTrue(
        outcome.startsWith("disabled"),
        "NNPACK initialises on this CPU (" + outcome + "): libtorch prints no warning to silence");
    List<String> raw = runProbe("raw");
    List<String> quiet = runProbe("engines");
    long rawWarnings = raw.stream().filter(l -> l.contains(WARNING)).count();
    long quietWarnings = quiet.stream().filter(l -> l.contains(WARNING)).count();
    assertTrue(rawWarnings >= 5, "without the switch libtorch warns per convolution: " + raw);
    assertEquals(0, quietWarnings, "with the switch: " + quiet);
    assertTrue(quiet.contains("probe done"), "the probe finished: " + quiet);
  }

  /** Runs {@link Probe} in a fresh JVM and returns its merged stdout and stderr lines. */
  private static List<String> runProbe(String mode) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dai.djl.offline=true",
                Probe.class.getName(),
                mode)
            .redirectErrorStream(true);
    pb.environment().putAll(Engines.RECOMMENDED_ALLOCATOR_ENV);
    Process p = pb.start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe " + mode + " did not finish");
      assertEquals(
          0, p.exitValue(), "probe " + mode + ": " + new String(out, StandardCharsets.UTF_8));
      return new ArrayList<>(new String(out, StandardCharsets.UTF_8).lines().toList());
    } finally {
      p.destroyForcibly();
    }
  }

  /** Five 3x3 convolutions on the engine started raw ({@code raw}) or through {@link Engines}. */
  static final class Probe {
    public static void main(String[] args) {
      Engine engine = "raw".equals(args[0]) ? Engine.getEngine("PyTorch") : Engines.pytorch();
      try (NDManager manager = NDManager.newBaseManager(engine.getEngineName())) {
        NDArray input = manager.randomNormal(new Shape(1, 3, 32, 32));
        NDArray weight = manager.randomNormal(new Shape(8, 3, 3, 3));
        for (int i = 0; i < 5; i++) {
          Conv2d.conv2d(input, weight).singletonOrThrow().getFloat(0, 0, 0, 0);
        }
      }
      System.out.println("probe done");
    }
  }
}
