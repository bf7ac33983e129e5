package io.paretopipe.benchmarks.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.benchmarks.PartitionBenchmark;
import io.paretopipe.benchmarks.PartitionConfig;
import io.paretopipe.benchmarks.sweep.PassPlanner.Budget;
import io.paretopipe.harness.cli.PlacementOptions;
import io.paretopipe.harness.driver.Credentials;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.models.ModelBlueprint;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.netem.device.CpuQuota;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Measures every chosen model x transport x link x split with {@link PartitionBenchmark} (both
 * methods) in interleaved, adaptive passes within a time budget, then writes the Pareto report.
 *
 * <p>A pass gives every active point one more measurement: one JMH call per group (model,
 * transport, link) over its active splits ({@link PassRunner}), the groups round-robin, so the
 * machine's drift hits every split alike and every pass is one replication unit the report can pair
 * across points. Between passes the post-processor's verdicts stop points that are dominated or
 * converged ({@link StoppingRule}); the rest go on until the budget is spent ({@link PassPlanner}).
 * One stage server per network transport serves every point of it ({@link SharedStageServers}). The
 * run folder's layout and {@code --resume} are {@link RunFolder}'s; where the sweep stands is
 * {@link SweepState}'s, written into run-metadata.json after every step.
 *
 * <p>Exit codes: 0 every trial measured and the report written; 1 some trial, unit profile or the
 * report failed (the rest still ran, the folder holds what succeeded); 2 bad usage.
 */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description =
        "Measure every split of the chosen models over the chosen transports and links with JMH,"
            + " in interleaved passes within a time budget, then write the Pareto report.")
public final class Sweep implements Callable<Integer> {

  /** Exit code for bad usage or input, as picocli's for an unknown option. */
  static final int EXIT_USAGE = 2;

  @Mixin SweepOptions o = new SweepOptions();

  private final PrintStream console = System.out;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.err, true)));
  }

  /**
   * Runs a sweep as {@link #main} does, without exiting.
   *
   * @return the exit code: {@code 2} with {@code error: MESSAGE} on {@code err} for bad usage or
   *     input (a bad option value, found before anything starts), picocli's {@code 1} and a stack
   *     trace for any other failure, else {@link #call()}'s
   */
  static int run(String[] args, PrintWriter err) {
    CommandLine cli = new CommandLine(new Sweep()).setCaseInsensitiveEnumValuesAllowed(true);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof IllegalArgumentException) {
            commandLine.getErr().println("error: " + e.getMessage());
            return EXIT_USAGE;
          }
          throw e;
        });
    return cli.execute(args);
  }

  /** Every point, validated before anything runs. */
  SweepPlan plan() {
    return SweepPlan.of(o.models, o.transports, o.links, o.splits, o.grpcTunings());
  }

  @Override
  public Integer call() throws Exception {
    if (o.serverScenario()) {
      if (o.grpcTunings().size() > 1) {
        throw new IllegalArgumentException(
            "--grpc-tuning "
                + o.grpcTuning()
                + ": --scenario server measures one grpc tuning per sweep; run one sweep per"
                + " tuning");
      }
      return new ServerSweep(o, plan(), console).run();
    }
    SweepSetting setting = o.setting();
    String energy = o.energy();
    o.stageDispatch();
    o.stageJvmOptions();
    o.groupWarmup();
    SweepPlan plan = plan();
    Integer tailQuota = validatePlacement();
    if (!o.noReport) {
      ReportLauncher.check(o.reportsJar);
    }
    Instant start = Instant.now();
    RunFolder folder =
        o.resume != null ? RunFolder.existing(o.resume) : RunFolder.create(o.out, start);
    ObjectNode metadata = RunMetadata.collect(start);
    SweepState state = restoreOrStart(folder, plan, setting, metadata);
    folder.writeCutTables(o.models, o.batch);
    console.printf(
        Locale.ROOT,
        "paretopipe sweep: %d points (%s), setting %s, budget %s, run folder %s%n",
        plan.size(),
        o.describe(),
        setting.name(),
        setting.budget() == null ? "none" : Progress.clock(setting.budget().toSeconds()),
        folder.root().toAbsolutePath());
    if (!o.grpcTunings().equals(List.of(PartitionConfig.DEFAULT_GRPC_TUNING))
        && !o.transports.contains(TransportKind.GRPC.toString())) {
      console.println(
          "note: --grpc-tuning "
              + o.grpcTuning()
              + " changes nothing here: it applies to grpc points, and --transports has none");
    }
    if (o.placement.deviceProfiles() != null) {
      throw new IllegalArgumentException(
          "--device-profiles: the sweep's JMH forks read device profiles from $"
              + io.paretopipe.netem.device.DeviceProfiles.FILE_ENV
              + "; set that instead");
    }
    String[] cpus = {o.placement.head().cpus().list(), o.placement.tail().cpus().list()};
    if (!o.placement.headDevice().equals(PartitionConfig.UNPINNED)) {
      cpus[0] = PlacementOptions.cpuSet("--head-cpus", o.placement.headCpus(), true).list();
    }
    if (!o.placement.tailDevice().equals(PartitionConfig.UNPINNED)) {
      cpus[1] = PlacementOptions.cpuSet("--tail-cpus", o.placement.tailCpus(), false).list();
    }
    List<String> failures = new ArrayList<>();
    Budget budget = new Budget(setting.budget(), state.spentBeforeSeconds(), System::nanoTime);
    try (SharedStageServers servers = sharedStageServers(tailQuota)) {
      servers.start(plan.transports());
      RunMetadata.recordSweep(metadata, o, setting, plan, servers, cpus, tailQuota);
      writeMetadata(folder, metadata, state, budget);
      if (!o.noUnitProfile) {
        profileUnits(folder, setting, cpus, failures);
      }
      PassRunner runner =
          new PassRunner(
              new PassRunner.PointParams(
                  o.batch,
                  o.depth,
                  o.placement.headThreads(),
                  o.placement.tailThreads(),
                  cpus[0],
                  cpus[1],
                  o.placement.headDevice(),
                  o.placement.tailDevice(),
                  energy),
              setting,
              folder,
              servers,
              console,
              o.verbose);
      new PassLoop(
              plan,
              setting,
              folder,
              servers,
              runner,
              state,
              budget,
              o.noReport ? null : new ReportLauncher(o.reportsJar, console),
              o.batch,
              () -> writeMetadata(folder, metadata, state, budget),
              console,
              o.groupWarmup())
          .run();
      servers.describeInto(metadata.putObject("stage_servers"));
    }
    metadata.put("end_time", Instant.now().toString());
    failures.addAll(state.failures());
    ArrayNode failed = metadata.putArray("failed_points");
    failures.forEach(failed::add);
    writeMetadata(folder, metadata, state, budget);
    int code = failures.isEmpty() ? 0 : 1;
    if (!failures.isEmpty()) {
      console.println(failures.size() + " trial(s) or profile(s) failed:");
      failures.forEach(f -> console.println("  " + f));
    }
    boolean anyMeasured = state.passes().stream().anyMatch(gp -> !gp.measuredSplits().isEmpty());
    if (!o.noReport && anyMeasured) {
      code =
          Math.max(
              code,
              new ReportLauncher(o.reportsJar, console).report(folder.root(), folder.report()));
      try {
        FrontierSummary.lines(folder.report().resolve("frontier.json")).forEach(console::println);
      } catch (IOException e) {
        console.println("frontier summary: " + e.getMessage());
      }
    }
    console.println("run folder: " + folder.root().toAbsolutePath());
    return code;
  }

  /**
   * The shared stage servers, not yet started, for the caller to own: on the tail CPUs and threads,
   * with {@code --stage-dispatch}, {@code --stage-jvm-options}, {@code --grpc-tuning} and the
   * environment's shared secret.
   *
   * @param tailQuota their CPU quota in percent of one CPU, null for none
   */
  SharedStageServers sharedStageServers(Integer tailQuota) {
    io.paretopipe.harness.placement.Placement tail = o.placement.tail();
    return new SharedStageServers(
        new SharedStageServers.Placement(
            tail.cpus(),
            tail.threads(),
            tailQuota,
            modelDirectories(),
            o.stageDispatch(),
            o.stageJvmOptions()),
        Credentials.fromEnvironment().secret().orElse(null),
        console);
  }

  private SweepState restoreOrStart(
      RunFolder folder, SweepPlan plan, SweepSetting setting, ObjectNode metadata)
      throws IOException {
    if (o.resume == null) {
      return new SweepState(plan);
    }
    var completed = folder.completedPasses(plan);
    JsonNode previous =
        Files.isRegularFile(folder.metadataFile())
            ? new ObjectMapper().readTree(folder.metadataFile().toFile())
            : new ObjectMapper().createObjectNode();
    JsonNode sweep = previous.path("sweep");
    for (String[] same :
        List.of(
            new String[] {"setting", setting.name()},
            new String[] {"batch", Integer.toString(o.batch)},
            new String[] {"depth", Integer.toString(o.depth)},
            new String[] {"grpc_tuning", o.grpcTuning()})) {
      if (sweep.has(same[0]) && !sweep.path(same[0]).asText().equals(same[1])) {
        throw new IllegalArgumentException(
            "--resume: the interrupted sweep ran with "
                + same[0]
                + " "
                + sweep.path(same[0]).asText()
                + ", not "
                + same[1]
                + ": give the same options");
      }
    }
    if (previous.has("start_time")) {
      metadata.set("start_time", previous.get("start_time"));
    }
    ArrayNode resumed = metadata.putArray("resumed_at");
    previous.path("resumed_at").forEach(resumed::add);
    resumed.add(Instant.now().toString());
    SweepState state = SweepRecord.restore(plan, sweep, completed, folder);
    console.printf(
        Locale.ROOT,
        "resuming: %d group pass(es) kept, %.0f s of the budget spent before%n",
        state.passes().size(),
        state.spentBeforeSeconds());
    return state;
  }

  private void writeMetadata(RunFolder folder, ObjectNode metadata, SweepState state, Budget budget)
      throws IOException {
    if (metadata.get("sweep") instanceof ObjectNode sweep) {
      SweepRecord.writeInto(state, sweep, folder, budget.spentSeconds());
    }
    RunMetadata.write(folder.metadataFile(), metadata);
  }

  private void profileUnits(
      RunFolder folder, SweepSetting setting, String[] cpus, List<String> failures) {
    UnitProfiler profiler =
        new UnitProfiler(
            o.placement.headDevice(),
            o.placement.headThreads(),
            o.placement.tailDevice(),
            o.placement.tailThreads(),
            cpus[0],
            o.batch,
            console,
            o.verbose);
    for (String model : o.models) {
      try {
        profiler.profile(model, setting, folder.unitProfile(model));
      } catch (Exception e) {
        failures.add("unit profile of " + model + ": " + PassRunner.rootMessage(e));
        console.println("unit profile of " + model + " FAILED: " + PassRunner.rootMessage(e));
      }
    }
  }

  /**
   * Checks the placement options before anything starts.
   *
   * @return the CPU quota of the shared stage servers, null for none
   */
  private Integer validatePlacement() {
    PartitionConfig.builder(o.models.get(0), "0", "nio")
        .devices(o.placement.headDevice(), o.placement.tailDevice())
        .build()
        .validate();
    if (!o.placement.tailDevice().equals(PartitionConfig.UNPINNED)
            && (!o.placement.tailCpus().equals(PartitionConfig.AUTO)
                || o.placement.tailThreads() != 1)
        || !o.placement.headDevice().equals(PartitionConfig.UNPINNED)
            && (!o.placement.headCpus().equals(PartitionConfig.AUTO)
                || o.placement.headThreads() != 1)) {
      throw new IllegalArgumentException(
          "a device profile sets CPUs and threads itself: leave --head-cpus/"
              + "--tail-cpus at auto and --head-threads/--tail-threads at 1 when giving --head-device/--tail-device");
    }
    Integer quota = o.tailCpuQuotaPercent();
    if (quota != null) {
      CpuQuota.unavailableReason()
          .ifPresent(
              why -> {
                throw new IllegalArgumentException(
                    "a tail CPU quota of "
                        + quota
                        + "% needs cgroups, which this machine cannot set: "
                        + why);
              });
    }
    return quota;
  }

  /** The exported model directories among the models, for the shared servers' --models-dir. */
  private List<Path> modelDirectories() {
    return o.models.stream()
        .map(ModelCatalog::blueprint)
        .filter(ModelBlueprint::isDirectory)
        .map(b -> Path.of(b.name()))
        .toList();
  }
}
