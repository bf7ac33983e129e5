package io.paretopipe.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.paretopipe.models.Cut;
import io.paretopipe.models.Engines;
import io.paretopipe.models.ModelBlueprint;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.models.StageModel;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The compute time of one split unit of a model alone, per torch thread count: the input for
 * predicting a partition point's head and tail compute without measuring every split.
 *
 * <p>{@code unit} is the unit index {@code u} in {@code 0..n-1} (unit {@code u} lies between split
 * {@code u} and split {@code u+1}), or {@code prefix} / {@code suffix}. Setup runs the model's
 * prefix and units {@code [0, u)} once on a seeded batch to get unit {@code u}'s real input; the
 * benchmark then runs unit {@code u} alone (AverageTime, ms/op, one op = one batch). The default
 * {@code unit} list is mobilenetv2's 19 units; other models take {@code -p unit=...}, and a unit
 * out of range fails in setup naming the valid range.
 *
 * <p>Secondary metrics (JMH {@code @AuxCounters} of type EVENTS, the same value every iteration):
 * {@code outputBytes}, the tensor bytes per batch at the cut after this unit (what a split there
 * sends), and {@code inputBytes}, the bytes at the cut before it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "-Dai.djl.offline=true"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class UnitProfileBenchmark {

  @Param("mobilenetv2")
  public String model;

  @Param({
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
    "17", "18"
  })
  public String unit;

  /** torch intra-op threads (process-wide, set once per fork). */
  @Param({"1", "2"})
  public int threads;

  @Param("8")
  public int batch;

  private StageModel stage;
  private NDManager manager;
  private NDArray input;
  private int piece;
  private long inputBytes;
  private long outputBytes;

  /** Bytes at the cuts around the unit, as JMH secondary metrics. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class CutBytes {
    /** Tensor bytes per batch at the cut after the unit. */
    public long outputBytes;

    /** Tensor bytes per batch at the cut before the unit. */
    public long inputBytes;
  }

  @Setup(Level.Trial)
  public void setUp() {
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " (expected: >= 1)");
    }
    ModelBlueprint blueprint = ModelCatalog.blueprint(model);
    int n = blueprint.unitCount();
    boolean hasPrefix = blueprint.hasPrefix();
    int offset = hasPrefix ? 1 : 0;
    List<Cut> cuts = blueprint.cutTable(batch).cuts();
    switch (unit) {
      case "prefix" -> {
        if (!hasPrefix) {
          throw new IllegalArgumentException(
              model + " has no prefix: valid units are 0.." + (n - 1) + ", suffix");
        }
        piece = 0;
        inputBytes = 4L * batch * product(blueprint.options().input());
        outputBytes = cuts.get(0).bytes();
      }
      case "suffix" -> {
        piece = offset + n;
        inputBytes = cuts.get(n).bytes();
        outputBytes = 4L * batch * blueprint.options().classes();
      }
      default -> {
        int u;
        try {
          u = Integer.parseInt(unit.trim());
        } catch (NumberFormatException e) {
          u = -1;
        }
        if (u < 0 || u >= n) {
          throw new IllegalArgumentException(
              "unit "
                  + unit
                  + " is out of range for "
                  + model
                  + ": valid units are 0.."
                  + (n - 1)
                  + (hasPrefix ? ", prefix" : "")
                  + ", suffix");
        }
        piece = offset + u;
        inputBytes = cuts.get(u).bytes();
        outputBytes = cuts.get(u + 1).bytes();
      }
    }
    Engines.setThreads(threads);
    stage = StageModel.whole(blueprint.instantiate());
    manager = NDManager.newBaseManager(Engines.pytorch().getEngineName());
    long[] shape = stage.inputShapePerImage();
    long size = batch;
    for (long d : shape) {
      size *= d;
    }
    float[] values = new float[Math.toIntExact(size)];
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextDouble();
    }
    long[] dims = new long[shape.length + 1];
    dims[0] = batch;
    System.arraycopy(shape, 0, dims, 1, shape.length);
    NDArray x = manager.create(values, new ai.djl.ndarray.types.Shape(dims));
    for (int i = 0; i < piece; i++) {
      NDArray next = stage.forwardPiece(i, x);
      if (next != x) {
        x.close();
      }
      x = next;
    }
    input = x;
  }

  private static long product(int[] dims) {
    long p = 1;
    for (int d : dims) {
      p *= d;
    }
    return p;
  }

  /** The unit alone on its real input; the output is closed before returning. */
  @Benchmark
  public float unitForward(CutBytes bytes) {
    bytes.inputBytes = inputBytes;
    bytes.outputBytes = outputBytes;
    NDArray out = stage.forwardPiece(piece, input);
    try {
      return out.getShape().size();
    } finally {
      if (out != input) {
        out.close();
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (stage != null) {
      stage.close();
    }
    if (manager != null) {
      manager.close();
    }
  }
}
