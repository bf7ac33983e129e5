package io.paretopipe.benchmarks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.paretopipe.models.Engines;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole forward of a catalog model on one batch, no split and no transport: the compute floor
 * every partition point stands on, and the check that the DJL-block models cost what torchvision
 * costs.
 *
 * <ul>
 *   <li>{@code impl=blocks}: {@code StageModel.whole(ModelCatalog.define(model)).forward(input)},
 *       the model as the stages run it (DJL blocks, seeded weights).
 *   <li>{@code impl=torchscript}: the same torchvision architecture (random weights, 10-class head,
 *       eval mode) traced to TorchScript by {@code models/export/torchscript_whole.py} and run by
 *       DJL's PyTorch engine. The file is {@code MODEL.pt} in {@code -Dparetopipe.torchscript.dir}
 *       (default {@code target/torchscript}, relative to the working directory) and is exported
 *       with {@code /usr/bin/python3} when missing; without python3-torch that combination fails in
 *       setup with a message saying what to install, and the others still run.
 * </ul>
 *
 * Both get the same seeded uniform input; {@code threads} is torch's intra-op thread count
 * (process-wide, set once per fork). Start the JVM with the allocator environment of {@code
 * Engines.RECOMMENDED_ALLOCATOR_ENV} (forks inherit it) and, for {@code threads=1}, pinned to one
 * core with {@code taskset}: the two cores of the lab machine differ by up to 30 %. Commands and
 * results are in {@code docs/PERFORMANCE.md}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "-Dai.djl.offline=true"})
@Warmup(iterations = 3, time = 4)
@Measurement(iterations = 5, time = 4)
public class ModelForwardBenchmark {

  @Param({"resnet18", "resnet50", "mobilenetv2", "vgg16", "alexnet", "inceptionv3"})
  public String model;

  /** torch intra-op threads. */
  @Param({"1", "2"})
  public int threads;

  @Param({"blocks", "torchscript"})
  public String impl;

  @Param({"8"})
  public int batch;

  private NDManager manager;
  private NDArray input;
  private ModelForwardSupport.Forward forward;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " (expected: >= 1)");
    }
    Engines.setThreads(threads);
    manager = NDManager.newBaseManager(Device.cpu(), Engines.pytorch().getEngineName());
    input = ModelForwardSupport.input(manager, model, batch, 42);
    forward = ModelForwardSupport.create(impl, model, batch);
  }

  /** One forward; the output is closed before returning, its first logit goes to JMH. */
  @Benchmark
  public float forward() {
    try (NDArray out = forward.forward(input)) {
      return out.getFloat(0, 0);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (forward != null) {
      forward.close();
    }
    if (manager != null) {
      manager.close();
    }
  }
}
