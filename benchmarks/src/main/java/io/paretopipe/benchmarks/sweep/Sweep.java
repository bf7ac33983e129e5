package io.paretopipe.benchmarks.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.benchmarks.PartitionBenchmark;
import io.paretopipe.benchmarks.PartitionConfig;
import io.paretopipe.benchmarks.sweep.PassPlanner.Budget;
import io.paretopipe.benchmarks.sweep.StoppingRule.StopReason;
import io.paretopipe.benchmarks.sweep.SweepPlan.Group;
import io.paretopipe.benchmarks.sweep.SweepState.GroupPass;
import io.paretopipe.harness.driver.Credentials;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.netem.device.CpuQuota;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
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

  @Mixin SweepOptions o = new SweepOptions();

  private final PrintStream console = System.out;

  public static void main(String[] args) {
    int code = new CommandLine(new Sweep()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    System.exit(code);
  }

  /** Every point, validated before anything runs. */
  SweepPlan plan() {
    return SweepPlan.of(o.models, o.transports, o.links, o.splits);
  }

  @Override
  public Integer call() throws Exception {
    SweepSetting setting = o.setting();
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
    String[] cpus = PartitionConfig.resolveCpus(o.headCpus, o.tailCpus);
    List<String> failures = new ArrayList<>();
    Budget budget = new Budget(setting.budget(), state.spentBeforeSeconds(), System::nanoTime);
    try (SharedStageServers servers =
        new SharedStageServers(
            new SharedStageServers.Placement(
                tailPlacementCpus(cpus), tailPlacementThreads(), tailQuota, modelDirectories()),
            Credentials.fromEnvironment().secret().orElse(null),
            console)) {
      servers.start(o.transports);
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
                  o.headThreads,
                  o.tailThreads,
                  cpus[0],
                  cpus[1],
                  o.headDevice,
                  o.tailDevice),
              setting,
              folder,
              servers,
              console,
              o.verbose);
      runPasses(plan, setting, folder, servers, runner, state, budget, metadata);
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
    }
    console.println("run folder: " + folder.root().toAbsolutePath());
    return code;
  }

  /**
   * The passes: plan, run each group's call, record; after each pass (from the setting's first
   * decision pass on) the verdicts; until every point stopped, the budget is spent or the setting's
   * passes are done.
   */
  private void runPasses(
      SweepPlan plan,
      SweepSetting setting,
      RunFolder folder,
      SharedStageServers servers,
      PassRunner runner,
      SweepState state,
      Budget budget,
      ObjectNode metadata)
      throws IOException, InterruptedException {
    PassPlanner planner = new PassPlanner(setting);
    state.passes().forEach(planner::observe);
    Progress progress = new Progress(console, System::nanoTime);
    ReportLauncher launcher = new ReportLauncher(o.reportsJar, console);
    boolean decide = setting.adaptive() && !o.noReport;
    if (setting.adaptive() && o.noReport) {
      console.println("--no-report: no verdicts between passes, every point runs until the budget");
    }
    boolean unsupportedSaid = false;
    int pass = state.lastDecidedPass() + 1;
    while (state.activeCount() > 0) {
      if (setting.maxPasses() > 0 && pass > setting.maxPasses()) {
        state.stopAll(StopReason.PASSES, pass - 1);
        break;
      }
      boolean decideAfter = decide && pass >= setting.firstDecisionPass();
      double reserve = decideAfter ? planner.decisionSeconds() : 0;
      Map<Group, List<String>> planned =
          planner.plan(pass, plan, state, budget.remainingSeconds() - reserve);
      final int p = pass;
      boolean resumedPass = state.passes().stream().anyMatch(gp -> gp.pass() == p);
      planned.keySet().removeIf(g -> doneIn(state, p, g));
      if (planned.isEmpty() && !resumedPass) {
        state.stopAll(StopReason.BUDGET, pass - 1);
        break;
      }
      int points = planned.values().stream().mapToInt(List::size).sum();
      double estimate =
          planned.entrySet().stream()
              .mapToDouble(e -> planner.estimate(e.getKey(), e.getValue().size()))
              .sum();
      console.printf(
          Locale.ROOT,
          "pass %d: %d points (%s), estimated %s%s%n",
          pass,
          points,
          planned.entrySet().stream()
              .map(e -> e.getKey().transport() + " " + e.getValue().size())
              .collect(Collectors.joining(", ")),
          Progress.clock(estimate),
          budget.limited() ? ", budget left " + Progress.clock(budget.remainingSeconds()) : "");
      if (pass == 1 && estimate > budget.remainingSeconds()) {
        console.println(
            "note: one pass over every point takes longer than the budget; every point gets one");
      }
      progress.startPass(pass, 2 * points, budget::remainingSeconds);
      for (Map.Entry<Group, List<String>> e : planned.entrySet()) {
        List<String> splits = e.getValue();
        if (pass > 1) {
          splits =
              planner.trim(
                  pass, plan, e.getKey(), splits, state, budget.remainingSeconds() - reserve);
        }
        if (splits.isEmpty()) {
          continue;
        }
        servers.restartIfDead(e.getKey().transport());
        GroupPass gp = runner.run(pass, e.getKey(), splits, progress);
        state.record(gp);
        planner.observe(gp);
        writeMetadata(folder, metadata, state, budget);
      }
      if (decideAfter && state.activeCount() > 0) {
        unsupportedSaid |= decide(pass, folder, launcher, state, planner, unsupportedSaid);
      } else {
        state.skipDecision(pass);
      }
      writeMetadata(folder, metadata, state, budget);
      if (budget.remainingSeconds() <= 0 && state.activeCount() > 0) {
        state.stopAll(StopReason.BUDGET, pass);
      }
      pass++;
    }
    writeMetadata(folder, metadata, state, budget);
    console.println(summary(state, budget));
  }

  /**
   * Runs the post-processor on what the run has and applies its verdicts.
   *
   * @return whether it said that the post-processor gives no verdicts
   */
  private boolean decide(
      int pass,
      RunFolder folder,
      ReportLauncher launcher,
      SweepState state,
      PassPlanner planner,
      boolean unsupportedSaid)
      throws InterruptedException {
    long t0 = System.nanoTime();
    try {
      Path frontier = launcher.decide(folder.root(), folder.decisionReport(pass));
      FrontierVerdicts verdicts = FrontierVerdicts.read(frontier, o.batch);
      double seconds = (System.nanoTime() - t0) / 1e9;
      planner.observeDecision(seconds);
      Map<StopReason, Integer> stopped =
          state.decide(
              pass,
              verdicts,
              Instant.now(),
              seconds,
              folder.root().relativize(folder.decisionReport(pass)).toString());
      console.printf(
          Locale.ROOT,
          "after pass %d (verdicts in %.1f s): %d dominated, %d converged stop; %d points go on%n",
          pass,
          seconds,
          stopped.getOrDefault(StopReason.DOMINATED, 0),
          stopped.getOrDefault(StopReason.CONVERGED, 0),
          state.activeCount());
      if (!verdicts.supported() && !unsupportedSaid) {
        console.println(
            "note: the post-processor gives no frontier_class/converged: no point stops early");
        return true;
      }
    } catch (IOException | RuntimeException e) {
      state.skipDecision(pass);
      console.println(
          "after pass "
              + pass
              + ": no verdicts ("
              + PassRunner.rootMessage(e)
              + "); every point goes on");
    }
    return false;
  }

  private static boolean doneIn(SweepState state, int pass, Group g) {
    return state.passes().stream().anyMatch(gp -> gp.pass() == pass && gp.group().equals(g));
  }

  private static String summary(SweepState state, Budget budget) {
    int[] passes = state.passes().stream().mapToInt(GroupPass::pass).max().stream().toArray();
    Map<String, Long> reasons = new java.util.TreeMap<>();
    List<Integer> perPoint = new ArrayList<>();
    state
        .pointStates()
        .forEach(
            s -> {
              reasons.merge(s.stopped == null ? "active" : s.stopped.label(), 1L, Long::sum);
              perPoint.add(s.passes);
            });
    perPoint.sort(null);
    return String.format(
        Locale.ROOT,
        "measured in %d pass(es), %s: passes per point min %d, median %d, max %d; stopped: %s",
        passes.length == 0 ? 0 : passes[0],
        Progress.clock(budget.spentSeconds()),
        perPoint.isEmpty() ? 0 : perPoint.get(0),
        perPoint.isEmpty() ? 0 : perPoint.get(perPoint.size() / 2),
        perPoint.isEmpty() ? 0 : perPoint.get(perPoint.size() - 1),
        reasons.entrySet().stream()
            .map(e -> e.getValue() + " " + e.getKey())
            .collect(Collectors.joining(", ")));
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
            new String[] {"depth", Integer.toString(o.depth)})) {
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
    SweepState state = SweepState.restore(plan, sweep, completed, folder);
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
      state.writeInto(sweep, folder, budget.spentSeconds());
    }
    RunMetadata.write(folder.metadataFile(), metadata);
  }

  private void profileUnits(
      RunFolder folder, SweepSetting setting, String[] cpus, List<String> failures) {
    UnitProfiler profiler =
        new UnitProfiler(
            o.headDevice,
            o.headThreads,
            o.tailDevice,
            o.tailThreads,
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
    PartitionConfig.defaults(o.models.get(0), "0", "nio")
        .withCpus(PartitionConfig.AUTO, PartitionConfig.AUTO)
        .withDevices(o.headDevice, o.tailDevice)
        .withTail(PartitionConfig.SPAWN)
        .validate();
    if (!o.tailDevice.equals(PartitionConfig.UNPINNED)
            && (!o.tailCpus.equals(PartitionConfig.AUTO) || o.tailThreads != 1)
        || !o.headDevice.equals(PartitionConfig.UNPINNED)
            && (!o.headCpus.equals(PartitionConfig.AUTO) || o.headThreads != 1)) {
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

  /** The shared servers' CPUs: the tail device profile's, else the resolved tail CPUs. */
  private String tailPlacementCpus(String[] cpus) {
    return o.tailDevice.equals(PartitionConfig.UNPINNED)
        ? cpus[1]
        : io.paretopipe.netem.device.DeviceProfiles.standard(null).get(o.tailDevice).cpuSet();
  }

  private int tailPlacementThreads() {
    return o.tailDevice.equals(PartitionConfig.UNPINNED)
        ? o.tailThreads
        : io.paretopipe.netem.device.DeviceProfiles.standard(null).get(o.tailDevice).threads();
  }

  /** The exported model directories among the models, for the shared servers' --models-dir. */
  private List<Path> modelDirectories() {
    return o.models.stream()
        .filter(ModelCatalog::isDirectory)
        .map(m -> Path.of(ModelCatalog.define(m).name()))
        .toList();
  }
}
