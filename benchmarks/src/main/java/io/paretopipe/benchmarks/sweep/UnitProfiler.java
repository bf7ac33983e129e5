package io.paretopipe.benchmarks.sweep;

import io.paretopipe.benchmarks.PartitionConfig;
import io.paretopipe.benchmarks.UnitProfileBenchmark;
import io.paretopipe.harness.placement.CpuAffinity;
import io.paretopipe.models.ModelBlueprint;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.netem.device.DeviceProfiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link UnitProfileBenchmark} over every piece of a model (prefix, units, suffix) at the
 * head's and the tail's thread counts, pinned to the head's CPUs (forks inherit the pinning), so
 * the report can predict each point from the same session's unit times. Device quotas are not
 * applied here: with a quota profile the predictions describe the unthrottled machine, and a note
 * says so. In the sweep's JVM (1 x 1 s warm-up, 1 x 1 s) when the setting runs points there, else
 * in one fork (2 x 2 s, 3 x 2 s).
 */
final class UnitProfiler {

  private final String headDevice;
  private final int headThreads;
  private final String tailDevice;
  private final int tailThreads;
  private final String headCpus;
  private final int batch;
  private final PrintStream console;
  private final boolean verbose;

  /**
   * @param headCpus the resolved head CPU list ("" = unpinned)
   */
  UnitProfiler(
      String headDevice,
      int headThreads,
      String tailDevice,
      int tailThreads,
      String headCpus,
      int batch,
      PrintStream console,
      boolean verbose) {
    this.headDevice = headDevice;
    this.headThreads = headThreads;
    this.tailDevice = tailDevice;
    this.tailThreads = tailThreads;
    this.headCpus = headCpus;
    this.batch = batch;
    this.console = console;
    this.verbose = verbose;
  }

  /** Profiles {@code model} into {@code result} (atomically) unless it is there already. */
  void profile(String model, SweepSetting s, Path result) throws Exception {
    if (Files.isRegularFile(result)) {
      console.println("unit profile of " + model + " kept from the interrupted run");
      return;
    }
    ModelBlueprint blueprint = ModelCatalog.blueprint(model);
    List<String> units = new ArrayList<>();
    if (blueprint.hasPrefix()) {
      units.add("prefix");
    }
    for (int u = 0; u < blueprint.unitCount(); u++) {
      units.add(Integer.toString(u));
    }
    units.add("suffix");
    SortedSet<String> threads =
        new TreeSet<>(
            List.of(
                Integer.toString(effectiveThreads(headDevice, headThreads)),
                Integer.toString(effectiveThreads(tailDevice, tailThreads))));
    String cpu =
        headDevice.equals(PartitionConfig.UNPINNED)
            ? headCpus
            : DeviceProfiles.standard(null).get(headDevice).cpuSet();
    if (!cpu.isEmpty()) {
      try {
        CpuAffinity.pin(ProcessHandle.current().pid(), cpu);
      } catch (IOException e) {
        throw new IllegalStateException(
            "cannot pin the unit profile to CPUs " + cpu + ": " + e.getMessage(), e);
      }
    }
    boolean inThisJvm = s.forks() == 0;
    console.printf(
        Locale.ROOT,
        "unit profile of %s: %d pieces x threads %s on CPUs %s...%n",
        model,
        units.size(),
        threads,
        cpu.isEmpty() ? "any" : cpu);
    long t0 = System.nanoTime();
    ChainedOptionsBuilder b =
        new OptionsBuilder()
            .include("^" + UnitProfileBenchmark.class.getName().replace(".", "\\.") + "\\.")
            .param("model", model)
            .param("unit", units.toArray(String[]::new))
            .param("threads", threads.toArray(String[]::new))
            .param("batch", Integer.toString(batch))
            .forks(inThisJvm ? 0 : 1)
            .warmupIterations(inThisJvm ? 1 : 2)
            .warmupTime(TimeValue.seconds(inThisJvm ? 1 : 2))
            .measurementIterations(inThisJvm ? 1 : 3)
            .measurementTime(TimeValue.seconds(inThisJvm ? 1 : 2))
            .jvmArgsAppend("-Xmx2g", "-Dai.djl.offline=true")
            .shouldFailOnError(true)
            .resultFormat(ResultFormatType.JSON)
            .verbosity(verbose ? VerboseMode.NORMAL : VerboseMode.SILENT);
    RunFolder.atomically(
        result,
        tmp -> new Runner(b.result(tmp.toString()).build()).run(),
        (Collection<RunResult> r) -> true);
    console.printf(
        Locale.ROOT,
        "unit profile of %s done (%.1f s): %s%n",
        model,
        (System.nanoTime() - t0) / 1e9,
        result.getFileName());
  }

  private static int effectiveThreads(String device, int threads) {
    return device.equals(PartitionConfig.UNPINNED)
        ? threads
        : DeviceProfiles.standard(null).get(device).threads();
  }
}
