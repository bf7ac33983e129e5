package io.paretopipe.benchmarks;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.sun.management.ThreadMXBean;
import io.paretopipe.models.Engines;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.models.StageModel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What {@link ModelForwardBenchmark} runs, plus a JMH-free interleaved probe ({@link #main}) that
 * alternates the two implementations forward by forward in one process and reports, per
 * implementation, the median wall time, the calling thread's CPU time (all of the work when torch
 * runs one thread, and much less sensitive to other load on the core than wall time) and the minor
 * page faults per forward (from {@code /proc/self/stat}), so allocator settings and implementations
 * can be compared under the same load. Results and commands are in {@code docs/PERFORMANCE.md}.
 */
public final class ModelForwardSupport {

  /** System property naming the directory of the exported {@code MODEL.pt} files. */
  public static final String TORCHSCRIPT_DIR_PROPERTY = "paretopipe.torchscript.dir";

  /**
   * System property naming the export script (default {@code models/export/torchscript_whole.py}).
   */
  public static final String EXPORTER_PROPERTY = "paretopipe.torchscript.exporter";

  /**
   * System property naming the Python that has torch and torchvision (default {@code
   * /usr/bin/python3}).
   */
  public static final String PYTHON_PROPERTY = "paretopipe.python";

  private static final long EXPORT_TIMEOUT_SECONDS = 300;

  private ModelForwardSupport() {}

  /** One way of running the whole model forward. Not thread-safe; close once done (idempotent). */
  public interface Forward extends AutoCloseable {
    /** Runs the model on {@code input} (not closed); the caller owns and closes the result. */
    NDArray forward(NDArray input);

    @Override
    void close();
  }

  /** The catalog model built from DJL blocks with seeded weights ({@code impl=blocks}). */
  public static Forward blocks(String model) {
    StageModel stage = StageModel.whole(ModelCatalog.define(model));
    return new Forward() {
      @Override
      public NDArray forward(NDArray input) {
        return stage.forward(input);
      }

      @Override
      public void close() {
        stage.close();
      }
    };
  }

  /**
   * The torchvision model traced to TorchScript, run by DJL's PyTorch engine ({@code
   * impl=torchscript}; {@code frozen}: the trace after {@code torch.jit.freeze}, {@code
   * impl=torchscript-frozen}).
   */
  public static Forward torchScript(String model, int batch, boolean frozen) throws IOException {
    Path file = torchScriptFile(model, batch, frozen);
    String fileName = file.getFileName().toString();
    Model djlModel = Model.newInstance(model, Device.cpu(), Engines.pytorch().getEngineName());
    try {
      djlModel.load(file.getParent(), fileName.substring(0, fileName.length() - ".pt".length()));
    } catch (MalformedModelException | IOException | RuntimeException e) {
      djlModel.close();
      throw new IOException(
          "cannot load TorchScript " + file + " (delete it to re-export): " + e.getMessage(), e);
    }
    Block block = djlModel.getBlock();
    ParameterStore store = new ParameterStore(djlModel.getNDManager(), false);
    return new Forward() {
      private boolean closed;

      @Override
      public NDArray forward(NDArray input) {
        NDList out = block.forward(store, new NDList(input), false);
        NDArray result = out.singletonOrThrow();
        result.attach(input.getManager());
        return result;
      }

      @Override
      public void close() {
        if (!closed) {
          closed = true;
          djlModel.close();
        }
      }
    };
  }

  /** Any implementation by its {@code impl} parameter value. */
  public static Forward create(String impl, String model, int batch) throws IOException {
    return switch (impl) {
      case "blocks" -> blocks(model);
      case "torchscript" -> torchScript(model, batch, false);
      case "torchscript-frozen" -> torchScript(model, batch, true);
      default ->
          throw new IllegalArgumentException(
              "impl \""
                  + impl
                  + "\" is not benchmarked: valid values are blocks, torchscript,"
                  + " torchscript-frozen");
    };
  }

  /**
   * The exported {@code MODEL.pt} ({@code MODEL-frozen.pt} if {@code frozen}) in the directory
   * named by {@value #TORCHSCRIPT_DIR_PROPERTY} (default {@code target/torchscript}), exported with
   * Debian's python3-torch if missing.
   *
   * @throws IOException naming what is missing and how to get it when the export cannot run
   */
  public static Path torchScriptFile(String model, int batch, boolean frozen) throws IOException {
    Path dir =
        Paths.get(System.getProperty(TORCHSCRIPT_DIR_PROPERTY, "target/torchscript"))
            .toAbsolutePath();
    Path file = dir.resolve(model + (frozen ? "-frozen" : "") + ".pt");
    if (Files.isRegularFile(file)) {
      return file;
    }
    Path python = Paths.get(System.getProperty(PYTHON_PROPERTY, "/usr/bin/python3"));
    Path exporter =
        Paths.get(System.getProperty(EXPORTER_PROPERTY, "models/export/torchscript_whole.py"))
            .toAbsolutePath();
    if (!Files.isExecutable(python) || !Files.isRegularFile(exporter)) {
      throw new IOException(
          "no TorchScript file "
              + file
              + " and cannot export one: need "
              + python
              + " (-D"
              + PYTHON_PROPERTY
              + ") with torch and torchvision (apt-get install python3-torch"
              + " python3-torchvision) and "
              + exporter
              + " (-D"
              + EXPORTER_PROPERTY
              + "; run from the project root), or put an exported file there");
    }
    Files.createDirectories(dir);
    Path log = Files.createTempFile("torchscript-export", ".log");
    try {
      List<String> command =
          new ArrayList<>(
              List.of(
                  python.toString(),
                  exporter.toString(),
                  model,
                  "--out",
                  file.toString(),
                  "--batch",
                  Integer.toString(batch)));
      if (frozen) {
        command.add("--freeze");
      }
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean done;
      try {
        done = p.waitFor(EXPORT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while exporting " + model, e);
      }
      if (!done) {
        p.destroyForcibly();
        throw new IOException(
            "exporting " + model + " took more than " + EXPORT_TIMEOUT_SECONDS + " s");
      }
      String output = Files.readString(log, StandardCharsets.UTF_8).trim();
      if (p.exitValue() != 0 || !Files.isRegularFile(file)) {
        throw new IOException(
            "exporting "
                + model
                + " with "
                + python
                + " "
                + exporter
                + " failed (exit "
                + p.exitValue()
                + "): "
                + output);
      }
      return file;
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /**
   * A reproducible {@code batch x C x H x W} float32 input for catalog model {@code model} (its
   * default input: 3 x 224 x 224, 3 x 299 x 299 for inceptionv3), uniform in [0, 1), the same for
   * every implementation; attached to {@code manager}.
   */
  public static NDArray input(NDManager manager, String model, int batch, long seed) {
    int[] chw = ModelCatalog.blueprint(model).options().input();
    Shape shape = new Shape(batch, chw[0], chw[1], chw[2]);
    int size = Math.toIntExact(shape.size());
    ByteBuffer bytes = ByteBuffer.allocateDirect(size * 4).order(ByteOrder.nativeOrder());
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < size; i++) {
      bytes.putFloat(i * 4, (float) random.nextDouble());
    }
    return manager.create(bytes, shape, DataType.FLOAT32);
  }

  /**
   * Minor page faults of this whole process so far (field 10 of {@code /proc/self/stat}); -1
   * without procfs.
   */
  public static long minorFaults() {
    try {
      return minorFaultsOf(
          Files.readString(Paths.get("/proc/self/stat"), StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Minor page faults so far of each thread of this process, by {@code /proc/self/task/TID}: key
   * {@code "TID name"} (the kernel's 15-character thread name), value the count; empty without
   * procfs. Threads that exit between listing and reading are left out.
   */
  static Map<String, Long> minorFaultsByThread() {
    Map<String, Long> faults = new TreeMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Paths.get("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          faults.put(task.getFileName() + " " + name, minorFaultsOf(stat));
        } catch (IOException | RuntimeException e) {
          // the thread ended while we read
        }
      }
    } catch (IOException e) {
      return Map.of();
    }
    return faults;
  }

  /**
   * Field 10 (minflt) of a {@code stat} line of procfs; the name in parentheses may hold spaces.
   */
  private static long minorFaultsOf(String stat) {
    // the fields after ")" start at field 3 (state)
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Long.parseLong(fields[7]);
  }

  /**
   * Interleaved probe: {@code MODEL THREADS FORWARDS [BATCH [IMPL...]]}. Loads every impl (default
   * blocks and torchscript), warms each up with 5 forwards, then runs {@code FORWARDS} rounds, each
   * round one forward of every impl in turn. Prints one line per impl: wall and calling-thread CPU
   * time (median, p10, p90, ms), minor faults of the whole process per forward (mean and median
   * over the rounds) and the Java heap the calling thread allocated per forward (KB); one line of
   * minor faults per round by thread (all impls together, which thread touches new pages: the
   * calling thread, torch's workers, the JIT compilers, GC); then, for the first impl against each
   * other, the ratio of medians and the median of the per-round (paired) ratios with its
   * distribution-free 95 % interval, for wall and for CPU time.
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println(
          "usage: ModelForwardSupport MODEL THREADS FORWARDS [BATCH [IMPL...]]"
              + "  e.g. resnet18 2 30 8 blocks torchscript torchscript-frozen");
      System.exit(2);
    }
    String model = args[0];
    int threads = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    if (rounds < 1 || batch < 1) {
      throw new IllegalArgumentException(
          "FORWARDS " + rounds + ", BATCH " + batch + " (expected: both >= 1)");
    }
    List<String> impls =
        args.length > 4
            ? Arrays.asList(args).subList(4, args.length)
            : List.of("blocks", "torchscript");
    Engines.setThreads(threads);
    List<Forward> forwards = new ArrayList<>();
    try (NDManager manager =
        NDManager.newBaseManager(Device.cpu(), Engines.pytorch().getEngineName())) {
      NDArray input = input(manager, model, batch, 42);
      for (String impl : impls) {
        forwards.add(create(impl, model, batch));
      }
      long[][] nanos = new long[impls.size()][rounds];
      long[][] cpuNanos = new long[impls.size()][rounds];
      ThreadMXBean cpu = (ThreadMXBean) ManagementFactory.getThreadMXBean();
      long[][] faults = new long[impls.size()][rounds];
      long[] heapBytes = new long[impls.size()];
      long self = Thread.currentThread().getId();
      for (int w = 0; w < 5; w++) {
        for (Forward f : forwards) {
          f.forward(input).close();
        }
      }
      Map<String, Long> threadFaultsBefore = minorFaultsByThread();
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < forwards.size(); i++) {
          long f0 = minorFaults();
          long a0 = cpu.getThreadAllocatedBytes(self);
          long c0 = cpu.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          NDArray out = forwards.get(i).forward(input);
          long t1 = System.nanoTime();
          cpuNanos[i][r] = cpu.getCurrentThreadCpuTime() - c0;
          heapBytes[i] += cpu.getThreadAllocatedBytes(self) - a0;
          out.close();
          faults[i][r] = minorFaults() - f0;
          nanos[i][r] = t1 - t0;
        }
      }
      Map<String, Long> threadFaultsAfter = minorFaultsByThread();
      System.out.printf(
          Locale.ROOT,
          "%s batch %d threads %d, %d interleaved rounds, %s, allocator env %s%n",
          model,
          batch,
          threads,
          rounds,
          Engines.versions(),
          Engines.allocatorSettings());
      for (int i = 0; i < impls.size(); i++) {
        double[] wall = millis(nanos[i]);
        double[] cpuMs = millis(cpuNanos[i]);
        System.out.printf(
            Locale.ROOT,
            "  %-18s wall median %8.1f ms (p10 %8.1f, p90 %8.1f)  calling-thread CPU median %8.1f"
                + " ms (p10 %8.1f, p90 %8.1f)  minflt/forward mean %6.0f median %6.0f  Java heap KB/forward %7.1f%n",
            impls.get(i),
            quantile(wall, 0.5),
            quantile(wall, 0.1),
            quantile(wall, 0.9),
            quantile(cpuMs, 0.5),
            quantile(cpuMs, 0.1),
            quantile(cpuMs, 0.9),
            Arrays.stream(faults[i]).average().orElse(0),
            quantile(Arrays.stream(faults[i]).asDoubleStream().toArray(), 0.5),
            heapBytes[i] / 1024.0 / rounds);
      }
      System.out.println(
          "  minflt per round by thread (all impls together; threads with none left out): "
              + faultsPerRound(threadFaultsBefore, threadFaultsAfter, rounds));
      for (int i = 1; i < impls.size(); i++) {
        printRatio("wall", impls.get(0), impls.get(i), nanos[0], nanos[i]);
        printRatio("CPU ", impls.get(0), impls.get(i), cpuNanos[0], cpuNanos[i]);
      }
    } finally {
      for (Forward f : forwards) {
        f.close();
      }
    }
  }

  /** {@code "name count, ..."}: each thread's faults between the two snapshots per round. */
  private static String faultsPerRound(
      Map<String, Long> before, Map<String, Long> after, int rounds) {
    List<String> parts = new ArrayList<>();
    after.forEach(
        (thread, count) -> {
          long delta = count - before.getOrDefault(thread, 0L);
          if (delta > 0) {
            parts.add(String.format(Locale.ROOT, "%s %.1f", thread, delta / (double) rounds));
          }
        });
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  private static void printRatio(String what, String a, String b, long[] aNanos, long[] bNanos) {
    double[] paired = new double[aNanos.length];
    for (int r = 0; r < paired.length; r++) {
      paired[r] = aNanos[r] / (double) bNanos[r];
    }
    double[] interval = medianInterval(paired);
    System.out.printf(
        Locale.ROOT,
        "  %s %s/%s: ratio of medians %.3f, median of %d paired ratios %.3f (95%% CI %.3f..%.3f)%n",
        what,
        a,
        b,
        quantile(millis(aNanos), 0.5) / quantile(millis(bNanos), 0.5),
        paired.length,
        quantile(paired, 0.5),
        interval[0],
        interval[1]);
  }

  private static double[] millis(long[] nanos) {
    double[] ms = new double[nanos.length];
    for (int i = 0; i < ms.length; i++) {
      ms[i] = nanos[i] / 1e6;
    }
    return ms;
  }

  /** The {@code q} quantile of {@code values} (nearest rank on the sorted copy). */
  static double quantile(double[] values, double q) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.round(q * (sorted.length - 1));
    return sorted[rank];
  }

  /**
   * A distribution-free interval for the median of {@code values}: the order statistics {@code [j,
   * n - 1 - j]} with the largest {@code j} whose binomial(n, 1/2) coverage is still at least 95 %;
   * the whole range when {@code n} is too small for 95 % (n < 6).
   */
  static double[] medianInterval(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double[] cumulative = new double[n + 1];
    double p = Math.pow(0.5, n);
    double sum = 0;
    for (int k = 0; k <= n; k++) {
      sum += p;
      cumulative[k] = sum;
      p = p * (n - k) / (k + 1);
    }
    // [sorted[j], sorted[n - 1 - j]] covers the median with probability 1 - 2 P(Bin(n, 1/2) <= j)
    int j = 0;
    while (j + 1 < n - 2 - j && 1 - 2 * cumulative[j + 1] >= 0.95) {
      j++;
    }
    return new double[] {sorted[j], sorted[n - 1 - j]};
  }
}
