package io.paretopipe.benchmarks.sweep;

import io.paretopipe.benchmarks.PartitionBenchmark;
import io.paretopipe.benchmarks.PartitionConfig;
import io.paretopipe.benchmarks.PartitionFixture;
import io.paretopipe.benchmarks.SharedTail;
import io.paretopipe.benchmarks.sweep.SweepPlan.Group;
import io.paretopipe.benchmarks.sweep.SweepState.GroupPass;
import io.paretopipe.benchmarks.sweep.SweepState.Trial;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs one pass of one group: a single JMH call of {@link PartitionBenchmark}'s two methods over
 * the group's chosen splits ({@code -p split=3,9,15}), so nothing but the trials themselves is paid
 * per point. The JSON goes to {@link RunFolder#passResult} (atomically, only when at least one
 * trial succeeded), the hlogs to {@link RunFolder#passHlogDir}, JMH's own output to {@link
 * RunFolder#passLog}. A failed trial does not stop the call ({@code failOnError} is off): it is
 * recorded with its error, its partial hlog deleted, and the other splits go on.
 *
 * <p>What reaches the benchmark as system properties (of this JVM when forks is 0, else {@code
 * -jvmArgsAppend} of every fork): the hlog folder, the warm-up request count, the energy tier, and
 * where the shared stage server of the group's transport listens ({@link SharedTail}); the {@code
 * tail} param is {@code shared} (or {@code spawn} for {@code local}, which has no server), so a
 * point's params are the same in every pass and run.
 */
final class PassRunner {

  /** The benchmarks of one point. */
  static final String INCLUDE = methods("latency|throughput");

  private static final String LATENCY = methods("latency");

  /**
   * A JMH include pattern of {@link PartitionBenchmark}'s methods named by {@code alternatives}.
   */
  private static String methods(String alternatives) {
    return "^"
        + PartitionBenchmark.class.getName().replace(".", "\\.")
        + "\\.("
        + alternatives
        + ")$";
  }

  /**
   * How the points are placed and configured: the sweep's options as JMH params, and {@code energy}
   * ({@code --energy}), which every fork gets as {@value PartitionFixture#ENERGY_PROPERTY}, not as
   * a param (how energy is read does not change what is measured).
   */
  record PointParams(
      int batch,
      int depth,
      int headThreads,
      int tailThreads,
      String headCpus,
      String tailCpus,
      String headDevice,
      String tailDevice,
      String energy) {}

  private final PointParams params;
  private final SweepSetting setting;
  private final RunFolder folder;
  private final SharedStageServers servers;
  private final PrintStream console;
  private final boolean verbose;

  PassRunner(
      PointParams params,
      SweepSetting setting,
      RunFolder folder,
      SharedStageServers servers,
      PrintStream console,
      boolean verbose) {
    this.params = params;
    this.setting = setting;
    this.folder = folder;
    this.servers = servers;
    this.console = console;
    this.verbose = verbose;
  }

  /** Whether JMH's own output and every trial line go to the console ({@code --verbose}). */
  boolean verbose() {
    return verbose;
  }

  /**
   * Measures {@code splits} of {@code group} once (both methods, in the given order).
   *
   * @return what ran when; a call that failed as a whole has every trial failed
   */
  GroupPass run(int pass, Group group, List<String> splits, Progress progress) throws IOException {
    Path hlogDir = Files.createDirectories(folder.passHlogDir(pass));
    ChainedOptionsBuilder b = withProperties(options(group, splits), group, hlogDir);
    Instant start = Instant.now();
    List<Trial> trials;
    try (PrintStream log =
        new PrintStream(Files.newOutputStream(folder.passLog(pass, group)), true, "UTF-8")) {
      PrintStream out = verbose ? new PrintStream(new Tee(log, console), true, "UTF-8") : log;
      TrialRecorder recorder =
          new TrialRecorder(
              OutputFormatFactory.createFormatInstance(out, VerboseMode.NORMAL), group, progress);
      String error = null;
      try {
        RunFolder.atomically(
            folder.passResult(pass, group),
            tmp -> new Runner(b.result(tmp.toString()).build(), recorder).run(),
            (Collection<RunResult> results) -> !results.isEmpty());
      } catch (Exception e) {
        error = rootMessage(e);
        log.println("the JMH call failed: " + e);
      }
      trials = recorder.trials(error == null ? "the JMH call ended early" : error);
    }
    Set<String> kept = new HashSet<>();
    if (Files.isRegularFile(folder.passResult(pass, group))) {
      kept.addAll(RunFolder.resultKeys(folder.passResult(pass, group)));
    }
    folder.prune(pass, group, kept);
    trials = markMissing(splits, trials, kept);
    return new GroupPass(pass, group, List.copyOf(splits), start, Instant.now(), trials);
  }

  /**
   * Sends the group's pipeline traffic before its first measured pass: one JMH call of the
   * throughput method at each of {@code splits} for one {@code each}-long iteration, JSON, hlogs
   * and JMH's output in {@link RunFolder#warmupDir} (kept as a record; nothing reads them). What it
   * warms is what the first points of a pass would otherwise pay for: the per-request code of the
   * head's JVM and of the group's shared stage server, and each layer's first forwards on each side
   * (the lowest split runs almost every layer on the stage server, the highest on the head). A
   * failed warm-up trial is only logged: the measured passes report their own failures.
   *
   * @return the seconds it took
   */
  double warmUp(Group group, List<String> splits, Duration each) throws IOException {
    long t0 = System.nanoTime();
    Path dir = Files.createDirectories(folder.warmupDir(group));
    try (PrintStream log =
        new PrintStream(Files.newOutputStream(dir.resolve("jmh.log")), true, "UTF-8")) {
      ChainedOptionsBuilder b =
          withProperties(options(group, splits), group, dir.toAbsolutePath())
              .exclude(LATENCY)
              .warmupIterations(0)
              .measurementIterations(1)
              .measurementTime(TimeValue.milliseconds(each.toMillis()))
              .forks(Math.min(setting.forks(), 1))
              .result(dir.resolve("warmup.json").toString());
      try {
        new Runner(b.build(), OutputFormatFactory.createFormatInstance(log, VerboseMode.NORMAL))
            .run();
      } catch (Exception e) {
        log.println("the warm-up's JMH call failed: " + e);
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * {@code b} with the system properties every trial of {@code group} reads (set in this JVM too
   * when the trials run in it).
   */
  private ChainedOptionsBuilder withProperties(ChainedOptionsBuilder b, Group group, Path hlogDir) {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(PartitionBenchmark.HLOG_DIR_PROPERTY, hlogDir.toString());
    properties.put(
        PartitionBenchmark.WARMUP_REQUESTS_PROPERTY, Integer.toString(setting.warmupRequests()));
    properties.putAll(servers.properties(group.transport()));
    properties.put(PartitionFixture.ENERGY_PROPERTY, params.energy());
    if (setting.forks() == 0) {
      properties.forEach(System::setProperty);
    }
    List<String> jvmArgs = new ArrayList<>(List.of("-Xmx2g", "-Dai.djl.offline=true"));
    properties.forEach((k, v) -> jvmArgs.add("-D" + k + "=" + v));
    return b.jvmArgsAppend(jvmArgs.toArray(String[]::new));
  }

  /** The JMH options of one call, without the result file and JVM arguments. */
  ChainedOptionsBuilder options(Group group, List<String> splits) {
    boolean headProfile = !params.headDevice().equals(PartitionConfig.UNPINNED);
    boolean tailProfile = !params.tailDevice().equals(PartitionConfig.UNPINNED);
    boolean local = group.transport().equals("local");
    ChainedOptionsBuilder b =
        new OptionsBuilder()
            .include(INCLUDE)
            .param("model", group.model())
            .param("split", splits.toArray(String[]::new))
            .param("transport", SharedTail.transportOf(group.transport()))
            .param("link", group.link())
            .param("batch", Integer.toString(params.batch()))
            .param("depth", Integer.toString(params.depth()))
            .param(
                "tail", servers.has(group.transport()) ? SharedTail.VALUE : PartitionConfig.SPAWN)
            .param("headThreads", Integer.toString(params.headThreads()))
            .param("tailThreads", Integer.toString(params.tailThreads()))
            .param("headCpus", headProfile ? PartitionConfig.AUTO : orNone(params.headCpus()))
            .param("tailCpus", tailProfile ? PartitionConfig.AUTO : orNone(params.tailCpus()))
            .param("headDevice", params.headDevice())
            .param("tailDevice", local ? PartitionConfig.UNPINNED : params.tailDevice())
            .param(PartitionBenchmark.GRPC_TUNING_PARAM, SharedTail.grpcTuningOf(group.transport()))
            .forks(setting.forks())
            .warmupIterations(setting.warmupIterations())
            .measurementIterations(setting.measurementIterations())
            .measurementTime(TimeValue.milliseconds(setting.measurementTime().toMillis()))
            .shouldFailOnError(false)
            .resultFormat(ResultFormatType.JSON)
            .verbosity(VerboseMode.NORMAL);
    if (setting.warmupIterations() > 0) {
      b = b.warmupTime(TimeValue.milliseconds(setting.warmupTime().toMillis()));
    }
    return b;
  }

  /**
   * The trials as recorded, plus a failed one for each (split, method) that has no result and no
   * record (JMH never started it).
   */
  private static List<Trial> markMissing(
      List<String> splits, List<Trial> trials, Set<String> kept) {
    List<Trial> all = new ArrayList<>();
    for (Trial t : trials) {
      boolean inJson = kept.contains(t.method() + " " + t.split());
      all.add(
          t.ok() && !inJson
              ? new Trial(
                  t.split(),
                  t.method(),
                  t.start(),
                  t.end(),
                  false,
                  null,
                  null,
                  "its result is missing from the JMH JSON")
              : t);
    }
    Instant now = Instant.now();
    for (String method : List.of("latency", "throughput")) {
      for (String split : splits) {
        boolean recorded =
            all.stream().anyMatch(t -> t.method().equals(method) && t.split().equals(split));
        if (!recorded) {
          all.add(new Trial(split, method, now, now, false, null, null, "not run"));
        }
      }
    }
    return all;
  }

  /** CPU list param: "" (unpinned) is {@code none}. */
  private static String orNone(String cpus) {
    return cpus.isEmpty() ? PartitionConfig.UNPINNED : cpus;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return (m == null ? t.getClass().getSimpleName() : m).lines().findFirst().orElse("");
  }

  /** Writes to two streams (the log and, with {@code --verbose}, the console). */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }
}
