package io.paretopipe.benchmarks.sweep;

import io.paretopipe.benchmarks.PartitionConfig;
import io.paretopipe.harness.cli.PlacementOptions;
import io.paretopipe.harness.energy.EnergyMeters;
import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.transport.TransportKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Every command-line option of the sweep, in one place (a picocli mixin of {@link Sweep}); the
 * {@code bench.*} Maven properties of {@code benchmarks/bench-run} map onto them one to one. Parsed
 * values are checked where they are used ({@link SweepPlan}, {@link #setting()}, {@link
 * #tailCpuQuotaPercent()}).
 */
public final class SweepOptions {

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
      description =
          "quick (9-minute budget, 1 s per method and pass), confident (28 minutes, 2 s) or"
              + " full (3 forks x 5 x 5 s, one pass) (default: ${DEFAULT-VALUE}).")
  String setting;

  @Option(
      names = "--budget",
      defaultValue = "default",
      description =
          "Wall time for the unit profiles and the passes: 'default' (the setting's), 'none', or"
              + " a duration like 9m, 90s, 1h30m. The report comes after it.")
  String budget;

  @Option(
      names = "--max-passes",
      defaultValue = "default",
      description =
          "Passes at most: 'default' (the setting's: 1 for full, else as many as the budget"
              + " allows) or a number >= 1.")
  String maxPasses;

  @Option(
      names = "--group-warmup",
      defaultValue = "default",
      description =
          "Before a group's first pass, send it traffic for this long at its lowest and at its"
              + " highest split, not measured (warms both JVMs' code and every layer on both"
              + " sides): 'default' (none), 0s for none, or a duration like 5s.")
  String groupWarmup;

  @Option(
      names = "--forks",
      defaultValue = "default",
      description = "JMH forks per trial: 'default' (the setting's) or a number, 0 = in this JVM.")
  String forks;

  @Option(names = "--batch", defaultValue = "8", description = "Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--depth",
      defaultValue = "4",
      description = "Requests in flight for throughput (default: ${DEFAULT-VALUE}).")
  int depth;

  /**
   * {@code --head-threads}, {@code --tail-threads}, {@code --head-cpus}, {@code --tail-cpus}
   * (default {@code auto} both), {@code --head-device}, {@code --tail-device} (the shared stage
   * servers' profile, and a point param): the placement options {@code run} and the soak take too.
   */
  @Mixin
  PlacementOptions placement = new PlacementOptions(PartitionConfig.AUTO, PartitionConfig.AUTO);

  @Option(
      names = "--tail-cpu-quota",
      defaultValue = "none",
      description =
          "Cap the shared stage servers at PERCENT of one CPU (a cgroup, root only) without changing"
              + " any point's params, e.g. 50 to play a slower tail against a baseline run"
              + " (default: ${DEFAULT-VALUE}).")
  String tailCpuQuota;

  @Option(
      names = "--energy",
      defaultValue = "auto",
      description =
          "How every point's energy per image is had, a run --energy value: auto, rapl, perf,"
              + " csv:FILE[@OFFSET_S], model, model:NAME (pi4, pi5), off (docs/ENERGY.md; default:"
              + " ${DEFAULT-VALUE}). CPU time per stage is always recorded.")
  String energy;

  @Option(
      names = "--stage-dispatch",
      defaultValue = "run-to-completion",
      description =
          "How the shared stage servers dispatch a request, a serve --dispatch value:"
              + " run-to-completion (an idle stage computes and answers on the thread that read it),"
              + " pipelined (always handed to the compute thread) (-Dbench.stageDispatch; default:"
              + " ${DEFAULT-VALUE}).")
  String stageDispatch;

  @Option(
      names = "--stage-jvm-options",
      defaultValue = StageServerProcess.JVM_OPTIONS_NONE,
      description =
          "JVM options of the shared stage servers, as run --stage-jvm-options takes them: none"
              + " (HotSpot's tiered JIT: the servers live for the whole sweep, long enough for C2),"
              + " auto (the spawned stages' default, nio: C1 only, "
              + StageServerProcess.C1_ONLY
              + "; grpc: none; or what -D"
              + StageServerProcess.JVM_OPTIONS_PROPERTY
              + " on the sweep's JVM sets), or options in one argument, for example"
              + " '-XX:TieredStopAtLevel=1 -Xlog:gc' (-Dbench.stageJvmOptions; default:"
              + " ${DEFAULT-VALUE}; docs/OVERHEAD.md measures both).")
  String stageJvmOptions;

  @Option(
      names = "--grpc-tuning",
      split = ",",
      defaultValue = PartitionConfig.DEFAULT_GRPC_TUNING,
      description =
          "HTTP/2 settings of the grpc points (their shared grpc server and each head's channel),"
              + " serve --grpc-tuning values: default (grpc-java's), tuned (docs/TRANSPORT.md) or"
              + " one knob; several, comma-separated, measure grpc once per tuning, interleaved, a"
              + " server each. Other than default a tuning is the grpc points' grpcTuning param, so"
              + " they are compared only with points of the same tuning (-Dbench.grpcTuning;"
              + " default: ${DEFAULT-VALUE}).")
  List<String> grpcTuning;

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
          "Continue an interrupted sweep in its run folder RUN (give the same options): complete"
              + " passes are kept, the sweep goes on from there with what is left of the budget.")
  Path resume;

  @Option(names = "--no-report", description = "Measure only; do not run the post-processor.")
  boolean noReport;

  @Option(
      names = "--verbose",
      description = "Show JMH's own output and a line for every trial on the console too.")
  boolean verbose;

  @Option(
      names = "--scenario",
      defaultValue = "closed",
      description =
          "closed (JMH's latency and throughput passes) or server (MLPerf's Server scenario: per"
              + " point the peak Poisson rate meeting --slo, and its latency-vs-load curve, in"
              + " server-scenario.json) (default: ${DEFAULT-VALUE}).")
  String scenario;

  @Option(
      names = "--slo",
      defaultValue = "none",
      description = "The server scenario's SLO, e.g. p99:500ms (default: ${DEFAULT-VALUE}).")
  String slo;

  @Option(
      names = "--rate",
      defaultValue = "auto",
      description =
          "Start rate of each peak search, e.g. 12/s, or auto (what one request at a time"
              + " sustains) (default: ${DEFAULT-VALUE}).")
  String rate;

  @Option(
      names = "--probe-duration",
      defaultValue = "10s",
      description =
          "Each probe's minimum schedule (LoadGen's min duration), e.g. 10s, 1m (default: ${DEFAULT-VALUE}).")
  String probeDuration;

  @Option(
      names = "--min-queries",
      defaultValue = "auto",
      description =
          "Each probe's minimum arrivals, or auto (LoadGen's early-stopping floor for the SLO's"
              + " percentile: 662 for p99, 64 for p90) (default: ${DEFAULT-VALUE}).")
  String minQueries;

  @Option(
      names = "--peak-precision",
      defaultValue = "0.1",
      description =
          "Stop a peak search when (failing - passing) / passing <= this (default: ${DEFAULT-VALUE}).")
  double peakPrecision;

  @Option(
      names = "--warmup-requests",
      defaultValue = "0",
      description =
          "Server scenario: requests sent one at a time before the settling blocks of the warm-up,"
              + " on top of the 3 that always go first (default: ${DEFAULT-VALUE}).")
  int warmupRequests;

  @Option(
      names = "--warmup-load",
      defaultValue = "10s",
      description =
          "Server scenario: before the settling blocks, Poisson load at the one-at-a-time rate for"
              + " this long (e.g. 10s, 0s to skip), so the pipeline warms up under load, as the"
              + " search will run it (default: ${DEFAULT-VALUE}).")
  String warmupLoad;

  /**
   * @return {@code --warmup-load} as a duration, >= 0
   * @throws IllegalArgumentException naming the value and the accepted form
   */
  java.time.Duration warmupLoad() {
    return durationOrZero("--warmup-load", warmupLoad, "a duration such as 10s, 1m, or 0s to skip");
  }

  /**
   * {@code value} as a duration, zero for {@code 0} or {@code 0s}.
   *
   * @throws IllegalArgumentException "OPTION 'VALUE' (expected: EXPECTED)" for anything else
   */
  private static Duration durationOrZero(String option, String value, String expected) {
    String t = value.trim();
    if (t.equals("0") || t.equals("0s")) {
      return Duration.ZERO;
    }
    try {
      Duration d = SweepSetting.parseBudget(t);
      if (d != null) {
        return d;
      }
    } catch (IllegalArgumentException e) {
      // the message below names the option and the accepted forms
    }
    throw new IllegalArgumentException(option + " '" + value + "' (expected: " + expected + ")");
  }

  @Option(
      names = "--max-outstanding",
      defaultValue = "64",
      description =
          "Server scenario: requests released and unanswered at most (beyond, an arrival is"
              + " dropped and counts as infinitely late); the spawned stage servers get the same"
              + " --max-in-flight (default: ${DEFAULT-VALUE}).")
  int maxOutstanding;

  @Option(
      names = "--fail-fast",
      arity = "1",
      defaultValue = "true",
      paramLabel = "true|false",
      description =
          "Server scenario: stop a probe as soon as it can no longer meet --slo, whatever its"
              + " remaining requests do; its verdict is the full probe's, server-scenario.json marks"
              + " it stopped_early (-Dbench.failFast; default: ${DEFAULT-VALUE}).")
  boolean failFast;

  @Option(
      names = "--no-fail-fast",
      description = "Server scenario: run every probe to its end (the same as --fail-fast=false).")
  boolean noFailFast;

  /**
   * Whether probes stop as soon as their failure is certain: {@code --fail-fast}, not opted out.
   */
  boolean failFast() {
    return failFast && !noFailFast;
  }

  @Option(
      names = "--max-probes",
      defaultValue = "8",
      description = "Probes per peak search at most, 1..16 (default: ${DEFAULT-VALUE}).")
  int maxProbes;

  /**
   * @return whether {@code --scenario server}
   * @throws IllegalArgumentException for another value than closed or server
   */
  boolean serverScenario() {
    return io.paretopipe.benchmarks.ServerScenario.validate(
        scenario, "1", slo == null || slo.trim().equals("none") ? "none" : slo);
  }

  /**
   * @throws IllegalArgumentException when {@code --slo} is missing or malformed
   */
  io.paretopipe.harness.driver.LatencySlo serverSlo() {
    io.paretopipe.harness.driver.LatencySlo parsed =
        io.paretopipe.benchmarks.ServerScenario.parseSlo(slo);
    if (parsed == null) {
      throw new IllegalArgumentException(
          "--scenario server needs --slo (-Dbench.slo), e.g. p99:500ms");
    }
    return parsed;
  }

  Duration probeDuration() {
    try {
      return SweepSetting.parseBudget(probeDuration);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--probe-duration '" + probeDuration + "' (expected: a duration such as 10s, 1m)");
    }
  }

  long minQueries(io.paretopipe.harness.driver.LatencySlo objective) {
    String t = minQueries.trim();
    if (t.equals("auto")) {
      return io.paretopipe.benchmarks.ServerScenario.minQueries(objective);
    }
    try {
      long n = Long.parseLong(t);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // falls through to the message
    }
    throw new IllegalArgumentException(
        "--min-queries '" + minQueries + "' (expected: auto or a number >= 1)");
  }

  /** {@code --rate}, NaN for auto. */
  double startRate() {
    return rate.trim().equals("auto")
        ? Double.NaN
        : io.paretopipe.harness.driver.ArrivalSchedule.parseRate(rate);
  }

  /**
   * {@code --group-warmup}: each group's warm-up per end split, zero for none.
   *
   * @throws IllegalArgumentException naming the value and the accepted forms
   */
  Duration groupWarmup() {
    if (groupWarmup.trim().equals("default")) {
      return Duration.ZERO;
    }
    return durationOrZero(
        "--group-warmup", groupWarmup, "'default', a duration such as 5s, 1m, or 0s for none");
  }

  /** The setting with {@code --forks}, {@code --max-passes} and {@code --budget} applied. */
  SweepSetting setting() {
    SweepSetting chosen = SweepSetting.parse(setting);
    if (!forks.trim().equals("default")) {
      try {
        chosen = chosen.withForks(Integer.parseInt(forks.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "forks '" + forks + "' (expected: 'default' or a number >= 0)");
      }
    }
    if (!maxPasses.trim().equals("default")) {
      int n;
      try {
        n = Integer.parseInt(maxPasses.trim());
      } catch (NumberFormatException e) {
        n = 0;
      }
      if (n < 1) {
        throw new IllegalArgumentException(
            "--max-passes '" + maxPasses + "' (expected: 'default' or a number >= 1)");
      }
      chosen = chosen.withMaxPasses(n);
    }
    if (!budget.trim().equals("default")) {
      Duration d = SweepSetting.parseBudget(budget);
      chosen = chosen.withBudget(d);
    }
    if (chosen.budget() == null && chosen.maxPasses() == 0) {
      throw new IllegalArgumentException(
          "--budget none with setting "
              + chosen.name()
              + " would measure until every point stopped, which may be never: give a budget"
              + " or --max-passes N");
    }
    return chosen;
  }

  /**
   * The CPU quota of the shared stage servers: {@code --tail-cpu-quota}, else the {@code
   * --tail-device} profile's, else null.
   *
   * @throws IllegalArgumentException for a bad value, or both a quota and a profile with one
   */
  Integer tailCpuQuotaPercent() {
    Integer profile =
        placement.tailDevice().equals(PartitionConfig.UNPINNED)
            ? null
            : io.paretopipe.netem.device.DeviceProfiles.standard(null)
                .get(placement.tailDevice())
                .cpuQuotaPercent();
    String t = tailCpuQuota.trim();
    if (t.equals("none")) {
      return profile;
    }
    int percent;
    try {
      percent = Integer.parseInt(t.endsWith("%") ? t.substring(0, t.length() - 1) : t);
    } catch (NumberFormatException e) {
      percent = -1;
    }
    if (percent < 1 || percent > 100_000) {
      throw new IllegalArgumentException(
          "--tail-cpu-quota '"
              + tailCpuQuota
              + "' (expected: none, or 1..100000, percent of one CPU)");
    }
    if (profile != null) {
      throw new IllegalArgumentException(
          "--tail-cpu-quota "
              + percent
              + " and --tail-device "
              + placement.tailDevice()
              + " (a "
              + profile
              + "% quota) both cap the stage servers: give one of them");
    }
    return percent;
  }

  /**
   * {@code --energy}, checked before any pass.
   *
   * @throws IllegalArgumentException naming the valid values
   */
  String energy() {
    String e = energy.trim();
    if (!(e.equals("auto")
        || e.equals("rapl")
        || e.equals("perf")
        || e.equals("off")
        || e.equals("model")
        || e.startsWith("model:")
        || e.startsWith("csv:"))) {
      throw new IllegalArgumentException(
          "--energy '" + energy + "' (expected: " + EnergyMeters.VALID + ")");
    }
    return e;
  }

  /**
   * {@code --stage-dispatch}, checked before any server starts.
   *
   * @throws IllegalArgumentException naming the valid values
   */
  String stageDispatch() {
    String d = stageDispatch.trim();
    try {
      io.paretopipe.harness.server.DispatchStrategy.named(d);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--stage-dispatch: " + e.getMessage(), e);
    }
    return d;
  }

  /**
   * {@code --grpc-tuning}, checked before any server starts.
   *
   * @return the tunings' {@link io.paretopipe.harness.server.GrpcTuning#cliName()}s, in the given
   *     order, each once
   * @throws IllegalArgumentException naming the valid values
   */
  List<String> grpcTunings() {
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
    for (String t : grpcTuning) {
      try {
        names.add(io.paretopipe.harness.server.GrpcTuning.parse(t.trim()).cliName());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--grpc-tuning: " + e.getMessage(), e);
      }
    }
    return List.copyOf(names);
  }

  /** {@link #grpcTunings()} comma-separated, as run-metadata.json records them. */
  String grpcTuning() {
    return String.join(",", grpcTunings());
  }

  /**
   * {@code --stage-jvm-options}, checked before any server starts: {@value
   * StageServerProcess#JVM_OPTIONS_AUTO}, {@value StageServerProcess#JVM_OPTIONS_NONE} or JVM
   * options separated by whitespace, as {@link StageServerProcess#parseJvmOptions} reads them.
   *
   * @throws IllegalArgumentException naming what is valid
   */
  String stageJvmOptions() {
    String options = stageJvmOptions.strip();
    try {
      StageServerProcess.parseJvmOptions(options, TransportKind.NIO);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--stage-jvm-options: " + e.getMessage(), e);
    }
    return options;
  }

  /** {@code models ... x transports ... x links ... x splits ...}, for the console. */
  String describe() {
    return "models "
        + String.join(",", models)
        + " x transports "
        + String.join(",", transports)
        + (grpcTunings().equals(List.of(PartitionConfig.DEFAULT_GRPC_TUNING))
                || !transports.contains("grpc")
            ? ""
            : " (grpc tuning " + grpcTuning() + ")")
        + " x links "
        + String.join(",", links)
        + " x splits "
        + splits;
  }
}
