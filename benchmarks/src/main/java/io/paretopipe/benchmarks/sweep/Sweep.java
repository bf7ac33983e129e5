package io.paretopipe.benchmarks.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.benchmarks.PartitionBenchmark;
import io.paretopipe.benchmarks.PartitionConfig;
import io.paretopipe.format.NetworkCondition;
import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.models.CutTable;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.models.Partition;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs {@link PartitionBenchmark} (both methods) for every chosen model x transport x link x split,
 * one JMH run per point, and writes one run folder:
 *
 * <pre>
 * runs/2026-11-29T01-02-03Z/
 *   run-metadata.json   machine, JVM, DJL/PyTorch, threads, CPU sets, allocator, git commit, start time, JMH setting
 *   jmh/*.json          one JMH JSON result file per point (both methods)
 *   hlog/*.hlog         one HdrHistogram log per method and point
 *   jmh/unit-profile-MODEL.json  UnitProfileBenchmark of every unit on the head's CPU (unless --no-unit-profile)
 *   cuts/MODEL.json     the model's cut table (bytes and MACs per split; MODEL URL-encoded)
 *   report/index.html   the reports post-processor's output (unless --no-report)
 * </pre>
 *
 * One stage server per network transport (pinned to the tail CPUs) serves every point of that
 * transport: its address is passed as the {@code tail} param, so nothing is restarted per split; it
 * is ended when the sweep ends, also on failure or Ctrl-C. {@code local} runs only with {@code
 * link=none} (it has no network). Progress ("k of N, elapsed, estimated remaining") goes to
 * standard output.
 *
 * <p>Exit codes: 0 every point measured and the report written; 1 some point or the report failed
 * (the rest still ran, the folder holds what succeeded); 2 bad usage.
 */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description =
        "Measure every split of the chosen models over the chosen transports and links with JMH,"
            + " then write the Pareto report.")
public final class Sweep implements Callable<Integer> {

  /** Benchmarks of one point. */
  static final String INCLUDE =
      "^" + PartitionBenchmark.class.getName().replace(".", "\\.") + "\\.(latency|throughput)$";

  private static final DateTimeFormatter FOLDER_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'").withZone(ZoneOffset.UTC);

  @Option(
      names = "--models",
      split = ",",
      defaultValue = "mobilenetv2",
      description = "Catalog models, comma-separated (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @Option(
      names = "--transports",
      split = ",",
      defaultValue = "nio,grpc,local",
      description = "nio, grpc, local (default: ${DEFAULT-VALUE}).")
  List<String> transports;

  @Option(
      names = "--links",
      split = ",",
      defaultValue = "none",
      description =
          "Network conditions: none, a preset name or a spec like delay:20ms+rate:50mbit"
              + " (default: ${DEFAULT-VALUE}).")
  List<String> links;

  @Option(
      names = "--splits",
      defaultValue = "all",
      description =
          "all (every valid split of each model) or comma-separated K or K1:K2 (default: ${DEFAULT-VALUE}).")
  String splits;

  @Option(
      names = "--setting",
      defaultValue = "quick",
      description = "quick or full (default: ${DEFAULT-VALUE}).")
  String setting;

  @Option(
      names = "--forks",
      defaultValue = "default",
      description = "JMH forks per point: 'default' (the setting's) or a number, 0 = in this JVM.")
  String forks;

  @Option(names = "--batch", defaultValue = "8", description = "Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--depth",
      defaultValue = "4",
      description = "Requests in flight for throughput (default: ${DEFAULT-VALUE}).")
  int depth;

  @Option(names = "--head-threads", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
  int headThreads;

  @Option(names = "--tail-threads", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
  int tailThreads;

  @Option(
      names = "--head-cpus",
      defaultValue = "auto",
      description = "auto (CPU 0), none, or a taskset list (default: ${DEFAULT-VALUE}).")
  String headCpus;

  @Option(
      names = "--tail-cpus",
      defaultValue = "auto",
      description = "auto (every CPU but 0), none, or a taskset list (default: ${DEFAULT-VALUE}).")
  String tailCpus;

  @Option(
      names = "--head-device",
      defaultValue = "none",
      description =
          "Device profile of the head ('paretopipe.jar netem profiles'); replaces --head-cpus and"
              + " --head-threads (default: ${DEFAULT-VALUE}).")
  String headDevice;

  @Option(
      names = "--tail-device",
      defaultValue = "none",
      description =
          "Device profile of the stage servers; replaces --tail-cpus and --tail-threads. With a"
              + " profile each point spawns its own stage server under it (default: ${DEFAULT-VALUE}).")
  String tailDevice;

  @Option(
      names = "--out",
      defaultValue = "runs",
      description = "Parent of the run folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--reports-jar",
      defaultValue = "reports/target/paretopipe-reports.jar",
      description = "The post-processor (default: ${DEFAULT-VALUE}).")
  Path reportsJar;

  @Option(
      names = "--no-unit-profile",
      description =
          "Skip UnitProfileBenchmark (the per-unit compute times the report predicts every point from).")
  boolean noUnitProfile;

  @Option(
      names = "--resume",
      paramLabel = "RUN",
      description =
          "Continue an interrupted sweep in its run folder RUN (give the same options): points whose"
              + " result is complete are kept, the rest run.")
  Path resume;

  @Option(names = "--no-report", description = "Measure only; do not run the post-processor.")
  boolean noReport;

  @Option(names = "--verbose", description = "Show JMH's own output for every point.")
  boolean verbose;

  private final PrintStream console = System.out;
  private String[] cpus;

  /** One partition point of the sweep. */
  record Point(String model, String transport, String link, String split) {
    String fileStem() {
      return enc(model) + "__" + enc(transport) + "__" + enc(link) + "__split=" + enc(split);
    }
  }

  public static void main(String[] args) {
    int code = new CommandLine(new Sweep()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    System.exit(code);
  }

  @Override
  public Integer call() throws Exception {
    SweepSetting chosen = SweepSetting.parse(setting);
    if (!forks.trim().equals("default")) {
      try {
        chosen = chosen.withForks(Integer.parseInt(forks.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "forks '" + forks + "' (expected: 'default' or a number >= 0)");
      }
    }
    List<Point> points = plan();
    PartitionConfig.defaults(models.get(0), "0", "nio")
        .withCpus(PartitionConfig.AUTO, PartitionConfig.AUTO)
        .withDevices(headDevice, tailDevice)
        .validate();
    if (!tailDevice.equals(PartitionConfig.UNPINNED)
            && (!tailCpus.equals(PartitionConfig.AUTO) || tailThreads != 1)
        || !headDevice.equals(PartitionConfig.UNPINNED)
            && (!headCpus.equals(PartitionConfig.AUTO) || headThreads != 1)) {
      throw new IllegalArgumentException(
          "a device profile sets CPUs and threads itself: leave --head-cpus/"
              + "--tail-cpus at auto and --head-threads/--tail-threads at 1 when giving --head-device/--tail-device");
    }
    if (!noReport && !Files.isRegularFile(reportsJar)) {
      throw new IllegalArgumentException(
          "no post-processor at "
              + reportsJar.toAbsolutePath()
              + ": build it"
              + " with 'mvn -pl reports package', pass --reports-jar PATH, or --no-report");
    }
    Instant start = Instant.now();
    Path run =
        resume != null
            ? resume
            : out.resolve(FOLDER_TIME.format(start.truncatedTo(ChronoUnit.SECONDS)));
    if (resume != null && !Files.isDirectory(resume.resolve("jmh"))) {
      throw new IllegalArgumentException(
          "--resume " + resume + ": no sweep run folder there (it has no jmh/)");
    }
    Path jmhDir = Files.createDirectories(run.resolve("jmh"));
    List<String> kept = resume == null ? List.of() : keptResults(jmhDir, points);
    Path hlogDir = Files.createDirectories(run.resolve("hlog")).toAbsolutePath();
    Path cutsDir = Files.createDirectories(run.resolve("cuts"));
    console.printf(
        Locale.ROOT,
        "paretopipe sweep: %d points (%s), setting %s, run folder %s%n",
        points.size(),
        describe(),
        chosen.name(),
        run.toAbsolutePath());
    for (String model : models) {
      ObjectNode table = CutTable.of(ModelCatalog.define(model), batch).toJson();
      Files.writeString(
          cutsDir.resolve(enc(model) + ".json"),
          new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(table)
              + System.lineSeparator(),
          StandardCharsets.UTF_8);
    }
    ObjectNode metadata = RunMetadata.collect(start);
    if (resume != null) {
      metadata.put("resumed", true);
      metadata.put("kept_points", kept.size());
    }
    List<String> failures = new ArrayList<>();
    Map<String, StageServerProcess> servers = new LinkedHashMap<>();
    try {
      String[] cpus = resolvedCpus();
      for (String transport : transports) {
        if (!transport.equals("local") && tailDevice.equals(PartitionConfig.UNPINNED)) {
          StageServerProcess server =
              StageServerProcess.builder()
                  .optCpus(io.paretopipe.harness.placement.CpuSet.parse(cpus[1]))
                  .optThreads(tailThreads)
                  .optTransport(io.paretopipe.harness.transport.TransportKind.parse(transport))
                  .optModelDirectories(modelDirectories())
                  .optSecret(environmentSecret())
                  .start();
          servers.put(transport, server);
          console.println("stage server (" + transport + "): " + server);
        }
      }
      recordSweep(metadata, chosen, points, servers, cpus);
      RunMetadata.write(run.resolve("run-metadata.json"), metadata);
      System.setProperty(PartitionBenchmark.HLOG_DIR_PROPERTY, hlogDir.toString());
      if (!noUnitProfile) {
        for (String model : models) {
          try {
            Path profile = jmhDir.resolve("unit-profile-" + enc(model) + ".json");
            if (Files.isRegularFile(profile)) {
              console.println("unit profile of " + model + " kept from the interrupted run");
            } else {
              profileUnits(model, chosen, profile);
            }
          } catch (RunnerException | RuntimeException e) {
            failures.add("unit profile of " + model + ": " + rootMessage(e));
            console.println("unit profile of " + model + " FAILED: " + rootMessage(e));
          }
        }
      }
      long startNanos = System.nanoTime();
      for (int i = 0; i < points.size(); i++) {
        Point p = points.get(i);
        Path result = jmhDir.resolve(resultName(i, p));
        if (kept.contains(result.getFileName().toString())) {
          console.printf(
              Locale.ROOT,
              "[%d of %d] %s split=%s %s link=%s: kept from the interrupted run%n",
              i + 1,
              points.size(),
              p.model(),
              p.split(),
              p.transport(),
              p.link());
          continue;
        }
        restartIfDead(servers, p.transport());
        long t0 = System.nanoTime();
        String outcome;
        try {
          outcome =
              summarize(runPointAtomically(p, chosen, servers.get(p.transport()), result, hlogDir));
        } catch (RunnerException | IOException | RuntimeException e) {
          outcome = "FAILED: " + rootMessage(e);
          failures.add(p + ": " + rootMessage(e));
        }
        long now = System.nanoTime();
        double perPoint = (now - startNanos) / (double) (i + 1);
        console.printf(
            Locale.ROOT,
            "[%d of %d] %s split=%s %s link=%s: %s (%.1f s); elapsed %s, estimated"
                + " remaining %s%n",
            i + 1,
            points.size(),
            p.model(),
            p.split(),
            p.transport(),
            p.link(),
            outcome,
            (now - t0) / 1e9,
            clock(now - startNanos),
            clock((long) (perPoint * (points.size() - i - 1))));
      }
    } finally {
      servers.values().forEach(StageServerProcess::close);
    }
    metadata.put("end_time", Instant.now().toString());
    ArrayNode failed = metadata.putArray("failed_points");
    failures.forEach(failed::add);
    RunMetadata.write(run.resolve("run-metadata.json"), metadata);
    int code = failures.isEmpty() ? 0 : 1;
    if (!failures.isEmpty()) {
      console.println(failures.size() + " of " + points.size() + " points failed:");
      failures.forEach(f -> console.println("  " + f));
    }
    if (!noReport && failures.size() < points.size()) {
      code = Math.max(code, report(run));
    }
    console.println("run folder: " + run.toAbsolutePath());
    return code;
  }

  /**
   * The shared secret of {@code PARETOPIPE_SECRET_FILE} / {@code PARETOPIPE_SECRET}, or null: the
   * benchmark forks' heads prove it ({@code Pipeline.open}), so the shared servers must require it.
   */
  private static io.paretopipe.harness.auth.SharedSecret environmentSecret() {
    return io.paretopipe.harness.driver.Credentials.fromEnvironment().secret().orElse(null);
  }

  /**
   * Replaces the shared stage server of {@code transport} if it has died (killed, crashed), so one
   * lost server fails only the point it was serving, not every point after it.
   */
  private void restartIfDead(Map<String, StageServerProcess> servers, String transport)
      throws IOException {
    StageServerProcess server = servers.get(transport);
    if (server == null || server.isAlive()) {
      return;
    }
    server.close();
    StageServerProcess restarted =
        StageServerProcess.builder()
            .optCpus(io.paretopipe.harness.placement.CpuSet.parse(resolvedCpus()[1]))
            .optThreads(tailThreads)
            .optTransport(io.paretopipe.harness.transport.TransportKind.parse(transport))
            .optModelDirectories(modelDirectories())
            .optSecret(environmentSecret())
            .start();
    servers.put(transport, restarted);
    console.println(
        "stage server ("
            + transport
            + ") had died (log: "
            + server.log()
            + "); restarted: "
            + restarted);
  }

  /**
   * The exported model directories among the models, for the shared stage servers' --models-dir.
   */
  private List<Path> modelDirectories() {
    return models.stream()
        .filter(ModelCatalog::isDirectory)
        .map(m -> Path.of(ModelCatalog.define(m).name()))
        .toList();
  }

  /** Every point, validated before anything runs. */
  List<Point> plan() {
    List<Point> points = new ArrayList<>();
    for (String link : links) {
      NetworkCondition.parse(link);
    }
    for (String transport : transports) {
      io.paretopipe.harness.transport.TransportKind.parse(transport);
    }
    for (String model : models) {
      int units = PartitionConfig.unitCount(model);
      List<String> modelSplits = new ArrayList<>();
      if (splits.trim().equals("all")) {
        for (int k = 0; k <= units; k++) {
          modelSplits.add(Integer.toString(k));
        }
      } else {
        for (String s : splits.split(",")) {
          modelSplits.add(Partition.format(Partition.parse(s, model, units).cuts()));
        }
      }
      for (String transport : transports) {
        for (String link : links) {
          if (transport.equals("local") && !NetworkCondition.parse(link).isNone()) {
            continue;
          }
          for (String split : modelSplits) {
            points.add(new Point(model, transport, link, split));
          }
        }
      }
    }
    if (points.isEmpty()) {
      throw new IllegalArgumentException(
          "nothing to run: transports "
              + transports
              + " x links "
              + links
              + " has no valid combination (local runs only with link none)");
    }
    return points;
  }

  private String[] resolvedCpus() {
    if (cpus == null) {
      cpus =
          new String[] {
            io.paretopipe.harness.cli.PlacementOptions.cpuSet("--head-cpus", headCpus, true).list(),
            io.paretopipe.harness.cli.PlacementOptions.cpuSet("--tail-cpus", tailCpus, false).list()
          };
    }
    return cpus;
  }

  /**
   * {@code 007-<stem>.json}: the JMH result file of the point at {@code index} (0-based) of the
   * plan.
   */
  static String resultName(int index, Point p) {
    return String.format(Locale.ROOT, "%03d-%s.json", index + 1, p.fileStem());
  }

  /**
   * For {@code --resume}: removes what an interrupted point left half-written (hidden {@code
   * .*.tmp} files) and returns the result files of the plan that are complete (JMH JSON with both
   * the latency and the throughput result), which the sweep keeps.
   *
   * @throws IllegalArgumentException if the folder holds results of points this plan does not have
   *     (the options differ from the interrupted sweep's)
   */
  static List<String> keptResults(Path jmhDir, List<Point> plan) throws IOException {
    java.util.Set<String> planned = new java.util.HashSet<>();
    for (int i = 0; i < plan.size(); i++) {
      planned.add(resultName(i, plan.get(i)));
    }
    List<String> kept = new ArrayList<>();
    try (var files = Files.list(jmhDir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") && name.endsWith(".tmp")) {
          Files.deleteIfExists(f);
        } else if (name.startsWith("unit-profile-")) {
          continue;
        } else if (!planned.contains(name)) {
          throw new IllegalArgumentException(
              "--resume: "
                  + f
                  + " is not a point of this sweep: give the same"
                  + " models, transports, links, splits and setting as the interrupted run");
        } else if (complete(f)) {
          kept.add(name);
        }
      }
    }
    return kept;
  }

  /** Whether {@code file} is a JMH JSON result holding both PartitionBenchmark methods. */
  static boolean complete(Path file) {
    try {
      com.fasterxml.jackson.databind.JsonNode root = new ObjectMapper().readTree(file.toFile());
      boolean latency = false;
      boolean throughput = false;
      for (com.fasterxml.jackson.databind.JsonNode r : root) {
        String name = r.path("benchmark").asText();
        latency |= name.endsWith(".latency") && r.path("primaryMetric").has("score");
        throughput |= name.endsWith(".throughput") && r.path("primaryMetric").has("score");
      }
      return latency && throughput;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Runs one point with JMH writing to a hidden temporary file beside {@code result}, moved into
   * place only when JMH has finished: an interrupted sweep never leaves a half-written result under
   * a result name.
   */
  private Collection<RunResult> runPointAtomically(
      Point p, SweepSetting s, StageServerProcess server, Path result, Path hlogDir)
      throws RunnerException, IOException {
    return atomically(result, tmp -> runPoint(p, s, server, tmp, hlogDir));
  }

  /** JMH run whose result goes to the given file. */
  private interface JmhRun<T> {
    T run(Path resultFile) throws RunnerException;
  }

  /**
   * Runs {@code run} with a hidden {@code .NAME.tmp} beside {@code result} as its result file and
   * moves that into place only when the run has finished; the temporary file never outlives the
   * call.
   */
  private static <T> T atomically(Path result, JmhRun<T> run) throws RunnerException, IOException {
    Path tmp = result.resolveSibling("." + result.getFileName() + ".tmp");
    try {
      T value = run.run(tmp);
      Files.move(
          tmp,
          result,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return value;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private Collection<RunResult> runPoint(
      Point p, SweepSetting s, StageServerProcess server, Path result, Path hlogDir)
      throws RunnerException {
    String tail = PartitionConfig.SPAWN;
    boolean headProfile = !headDevice.equals(PartitionConfig.UNPINNED);
    boolean tailProfile = !tailDevice.equals(PartitionConfig.UNPINNED);
    if (server != null) {
      int remote = p.split().split(":").length;
      tail = String.join("/", Collections.nCopies(remote, server.address()));
    }
    String[] cpus = resolvedCpus();
    ChainedOptionsBuilder b =
        new OptionsBuilder()
            .include(INCLUDE)
            .param("model", p.model())
            .param("split", p.split())
            .param("transport", p.transport())
            .param("link", p.link())
            .param("batch", Integer.toString(batch))
            .param("depth", Integer.toString(depth))
            .param("tail", tail)
            .param("headThreads", Integer.toString(headThreads))
            .param("tailThreads", Integer.toString(tailThreads))
            .param(
                "headCpus",
                headProfile
                    ? PartitionConfig.AUTO
                    : cpus[0].isEmpty() ? PartitionConfig.UNPINNED : cpus[0])
            .param(
                "tailCpus",
                tailProfile
                    ? PartitionConfig.AUTO
                    : cpus[1].isEmpty() ? PartitionConfig.UNPINNED : cpus[1])
            .param("headDevice", headDevice)
            .param(
                "tailDevice", p.transport().equals("local") ? PartitionConfig.UNPINNED : tailDevice)
            .forks(s.forks())
            .warmupIterations(s.warmupIterations())
            .warmupTime(TimeValue.seconds(s.warmupSeconds()))
            .measurementIterations(s.measurementIterations())
            .measurementTime(TimeValue.seconds(s.measurementSeconds()))
            .jvmArgsAppend(
                "-Xmx2g",
                "-Dai.djl.offline=true",
                "-D" + PartitionBenchmark.HLOG_DIR_PROPERTY + "=" + hlogDir)
            .shouldFailOnError(true)
            .resultFormat(ResultFormatType.JSON)
            .result(result.toString())
            .verbosity(verbose ? VerboseMode.NORMAL : VerboseMode.SILENT);
    return new Runner(b.build()).run();
  }

  /**
   * Runs {@code UnitProfileBenchmark} over every piece of {@code model} (prefix, units, suffix) at
   * the head's and the tail's thread counts, pinned to the head's CPUs (forks inherit the pinning),
   * so the report can predict each point from the same session's unit times. Device quotas are not
   * applied here: with a quota profile the predictions describe the unthrottled machine, and a note
   * says so.
   */
  private void profileUnits(String model, SweepSetting s, Path result) throws RunnerException {
    io.paretopipe.models.ModelDefinition definition = ModelCatalog.define(model);
    List<String> units = new ArrayList<>();
    if (definition.prefix().isPresent()) {
      units.add("prefix");
    }
    for (int u = 0; u < definition.unitCount(); u++) {
      units.add(Integer.toString(u));
    }
    units.add("suffix");
    java.util.SortedSet<String> threads =
        new java.util.TreeSet<>(
            List.of(
                Integer.toString(effectiveThreads(headDevice, headThreads)),
                Integer.toString(effectiveThreads(tailDevice, tailThreads))));
    String[] cpus = resolvedCpus();
    String headCpu =
        headDevice.equals(PartitionConfig.UNPINNED)
            ? cpus[0]
            : io.paretopipe.netem.device.DeviceProfiles.standard(null).get(headDevice).cpuSet();
    if (!headCpu.isEmpty()) {
      try {
        io.paretopipe.harness.placement.CpuAffinity.pin(ProcessHandle.current().pid(), headCpu);
      } catch (IOException e) {
        throw new IllegalStateException(
            "cannot pin the unit profile to CPUs " + headCpu + ": " + e.getMessage(), e);
      }
    }
    boolean quick = s.forks() == 0;
    console.printf(
        Locale.ROOT,
        "unit profile of %s: %d pieces x threads %s on CPUs %s...%n",
        model,
        units.size(),
        threads,
        headCpu.isEmpty() ? "any" : headCpu);
    long t0 = System.nanoTime();
    ChainedOptionsBuilder b =
        new OptionsBuilder()
            .include(
                "^"
                    + io.paretopipe.benchmarks.UnitProfileBenchmark.class
                        .getName()
                        .replace(".", "\\.")
                    + "\\.")
            .param("model", model)
            .param("unit", units.toArray(String[]::new))
            .param("threads", threads.toArray(String[]::new))
            .param("batch", Integer.toString(batch))
            .forks(quick ? 0 : 1)
            .warmupIterations(quick ? 1 : 2)
            .warmupTime(TimeValue.seconds(quick ? 1 : 2))
            .measurementIterations(quick ? 1 : 3)
            .measurementTime(TimeValue.seconds(quick ? 1 : 2))
            .jvmArgsAppend("-Xmx2g", "-Dai.djl.offline=true")
            .shouldFailOnError(true)
            .resultFormat(ResultFormatType.JSON)
            .verbosity(verbose ? VerboseMode.NORMAL : VerboseMode.SILENT);
    try {
      atomically(result, tmp -> new Runner(b.result(tmp.toString()).build()).run());
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot move the unit profile into place: " + e.getMessage(), e);
    }
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
        : io.paretopipe.netem.device.DeviceProfiles.standard(null).get(device).threads();
  }

  private static String summarize(Collection<RunResult> results) {
    StringBuilder b = new StringBuilder();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      if (name.endsWith(".latency")) {
        b.append(String.format(Locale.ROOT, "latency %.1f ms", r.getPrimaryResult().getScore()));
      }
    }
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      if (name.endsWith(".throughput")) {
        Result<?> images = r.getSecondaryResults().get("images");
        b.append(b.length() > 0 ? ", " : "")
            .append(
                String.format(
                    Locale.ROOT,
                    "throughput %.1f images/s",
                    images == null ? Double.NaN : images.getScore()));
      }
    }
    return b.toString();
  }

  private int report(Path run) throws IOException, InterruptedException {
    Path dir = run.resolve("report");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Djava.awt.headless=true",
            "-jar",
            reportsJar.toString(),
            "pareto",
            run.toString(),
            "--out",
            dir.toString());
    console.println("report: " + String.join(" ", command));
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      console.println("the post-processor did not finish within 10 minutes");
      return 1;
    }
    if (p.exitValue() != 0) {
      console.println("the post-processor failed (exit " + p.exitValue() + ")");
      return 1;
    }
    console.println("HTML report: " + dir.resolve("index.html").toAbsolutePath());
    return 0;
  }

  private void recordSweep(
      ObjectNode metadata,
      SweepSetting s,
      List<Point> points,
      Map<String, StageServerProcess> servers,
      String[] cpus) {
    ObjectNode sweep = metadata.putObject("sweep");
    sweep.put("setting", s.name());
    sweep.put("forks", s.forks());
    sweep.put("warmup", s.warmupIterations() + " x " + s.warmupSeconds() + " s");
    sweep.put("measurement", s.measurementIterations() + " x " + s.measurementSeconds() + " s");
    sweep.put("models", String.join(",", models));
    sweep.put("transports", String.join(",", transports));
    sweep.put("links", String.join(",", links));
    sweep.put("splits", splits);
    sweep.put("points", points.size());
    sweep.put("batch", batch);
    sweep.put("depth", depth);
    ObjectNode threads = metadata.putObject("threads");
    threads.put("head", headThreads);
    threads.put("tail", tailThreads);
    ObjectNode placement = metadata.putObject("cpus");
    placement.put("head", cpus[0].isEmpty() ? "unpinned" : cpus[0]);
    placement.put("tail", cpus[1].isEmpty() ? "unpinned" : cpus[1]);
    ObjectNode devices = metadata.putObject("devices");
    devices.put("head", headDevice);
    devices.put("tail", tailDevice);
    ObjectNode stageServers = metadata.putObject("stage_servers");
    for (Map.Entry<String, StageServerProcess> e : servers.entrySet()) {
      StageServerProcess server = e.getValue();
      ObjectNode stage = stageServers.putObject(e.getKey());
      stage.put("address", server.address());
      stage.put("pid", server.pid());
      stage.put(
          "cpus_allowed", io.paretopipe.harness.placement.CpuAffinity.allowedCpus(server.pid()));
      stage.put("threads", server.threads());
    }
  }

  private String describe() {
    return "models "
        + String.join(",", models)
        + " x transports "
        + String.join(",", transports)
        + " x links "
        + String.join(",", links)
        + " x splits "
        + splits;
  }

  private static String clock(long nanos) {
    long s = Duration.ofNanos(nanos).toSeconds();
    return String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return (m == null ? t.getClass().getSimpleName() : m).lines().findFirst().orElse("");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
