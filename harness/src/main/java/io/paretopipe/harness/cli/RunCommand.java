package io.paretopipe.harness.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.format.NetworkCondition;
import io.paretopipe.harness.driver.Credentials;
import io.paretopipe.harness.driver.PhaseRecorder;
import io.paretopipe.harness.driver.Pipeline;
import io.paretopipe.harness.driver.PipelineDriver;
import io.paretopipe.harness.driver.PipelineSpec;
import io.paretopipe.harness.driver.RunSummary;
import io.paretopipe.harness.driver.ServeSettings;
import io.paretopipe.harness.driver.SpinWaitPolicy;
import io.paretopipe.harness.energy.PipelineCostMeter;
import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.harness.transport.grpc.GrpcClientTls;
import io.paretopipe.harness.transport.nio.NioStageChannel;
import io.paretopipe.models.Engines;
import io.paretopipe.models.ModelBlueprint;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.models.ModelOptions;
import io.paretopipe.models.Shapes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code run}: one configuration, no JMH; a quick check of a real setup before a sweep. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Run one configuration and print latency percentiles, throughput, the per-phase breakdown"
            + " and bytes per request.",
    footer = {
      "",
      "Environment:",
      "  PARETOPIPE_SECRET_FILE, PARETOPIPE_SECRET",
      "      the stages' shared secret (see --secret-file)",
      "  PARETOPIPE_DEVICE_PROFILES",
      "      more device profiles (see --device-profiles)",
      "  PARETOPIPE_STEP_TRACE=DIR",
      "      per-step timestamps of this process and its spawned stages,",
      "      written to DIR at exit (benchmarks/scripts/step-trace.py)",
      "  MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184",
      "  MALLOC_TOP_PAD_=536870912",
      "      glibc settings for a fair measurement (docs/PERFORMANCE.md);",
      "      spawned stages get them automatically"
    })
final class RunCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--model",
      defaultValue = "mobilenetv2",
      description = "Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(
      names = "--split",
      required = true,
      description = "K, or K1:K2 for three stages ('models cuts MODEL').")
  String split;

  @Option(
      names = "--transport",
      defaultValue = "nio",
      description = "nio, grpc or local (default: ${DEFAULT-VALUE}).")
  String transport;

  @Option(
      names = "--tail",
      defaultValue = "spawn",
      description =
          "spawn (stage servers on this machine) or HOST:PORT of 'serve', one per remote stage"
              + " separated by '/' (default: ${DEFAULT-VALUE}).")
  String tail;

  @Option(
      names = "--link",
      defaultValue = "none",
      description =
          "Network condition between head and first stage: none, a preset (lan, wifi, 4g, 3g, pi-link)"
              + " or a spec like delay:20ms+rate:50mbit, applied by a user-space proxy (default: ${DEFAULT-VALUE}).")
  String link;

  @Option(names = "--batch", defaultValue = "8", description = "Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--depth",
      defaultValue = "1",
      description = "Requests in flight (default: ${DEFAULT-VALUE}).")
  int depth;

  @Option(
      names = "--requests",
      defaultValue = "50",
      description = "Measured requests (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(
      names = "--warmup",
      defaultValue = "5",
      description =
          "Unmeasured requests first (default: ${DEFAULT-VALUE}). The JVMs compile the"
              + " per-request code only after a few hundred requests: below "
              + JIT_WARMUP_REQUESTS
              + " the transport overhead is a cold JVM's (about 1 ms more per round trip at 0.4 MB,"
              + " docs/OVERHEAD.md), and a note after the result says so.")
  int warmup;

  /**
   * Warm-up requests after which the per-request code of both JVMs (framing, dispatch, the engine
   * calls around a forward) is compiled by C1: measured on mobilenetv2 split 9 over 1,000 requests,
   * the median transport overhead fell from 2.0-2.2 ms per round trip (interpreted) to 0.9 ms
   * between requests 150 and 400 and stayed there. With the default tiered JIT, C2 still compiles
   * now and then after it, and a compilation on a pinned core delays the request it overlaps
   * (docs/OVERHEAD.md).
   */
  static final int JIT_WARMUP_REQUESTS = 500;

  /**
   * This JVM's JIT, for {@code head_jit}: {@code C1 only} with {@code -XX:TieredStopAtLevel=1}
   * (given on the command line or in {@code JAVA_TOOL_OPTIONS}), {@code tiered (C1 and C2)} with
   * HotSpot's default, else the level it stops at; {@code unknown} on a JVM without HotSpot's
   * diagnostic bean.
   */
  static String headJit() {
    String level;
    try {
      level =
          java.lang.management.ManagementFactory.getPlatformMXBean(
                  com.sun.management.HotSpotDiagnosticMXBean.class)
              .getVMOption("TieredStopAtLevel")
              .getValue();
    } catch (RuntimeException e) {
      return "unknown";
    }
    return switch (level) {
      case "1" -> "C1 only";
      case "4" -> "tiered (C1 and C2)";
      default -> "tiered up to level " + level;
    };
  }

  @Mixin PlacementOptions placement = new PlacementOptions();

  @Mixin OpenLoopOptions openLoop = new OpenLoopOptions();

  @Option(names = "--classes", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
  int classes;

  @Option(names = "--input", description = "Per-image input CxHxW (default: the model's).")
  String input;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Weight and input seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--timeout",
      defaultValue = "30",
      description = "Seconds a request may take (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(names = "--hlog", description = "Also write the per-phase histograms to this .hlog file.")
  Path hlog;

  @Option(names = "--json", description = "Print the stable JSON form (see docs/CLI.md).")
  boolean json;

  @Option(
      names = "--secret-file",
      paramLabel = "FILE",
      description =
          "The stages' shared secret (see 'serve --secret-file'); spawned stages get it too."
              + " Default: $PARETOPIPE_SECRET_FILE or $PARETOPIPE_SECRET if set, else none.")
  Path secretFile;

  @Option(
      names = "--tls-trust",
      paramLabel = "FILE",
      description =
          "grpc to a remote stage only: connect with TLS, trusting the PEM certificates in FILE"
              + " (the stage's own certificate, or its CA).")
  Path tlsTrust;

  @Option(
      names = "--tls-authority",
      paramLabel = "NAME",
      description =
          "With --tls-trust: the host name to check the stage's certificate against (default: the"
              + " host of --tail).")
  String tlsAuthority;

  @Option(
      names = "--keep-logs",
      description =
          "Keep the logs of the spawned stage servers (/tmp/paretopipe-stage-*.log) after a clean"
              + " run too; a failed run always keeps them and names them in the error. An empty"
              + " log is deleted either way (the error says '(log empty)').")
  boolean keepLogs;

  @Option(
      names = "--energy",
      defaultValue = "auto",
      description =
          "Energy per image: auto, rapl, perf, csv:FILE[@OFFSET_S], model, model:NAME (pi4, pi5)"
              + " or off; every figure is labelled measured, imported, estimated or unavailable"
              + " (docs/ENERGY.md; default: ${DEFAULT-VALUE}).")
  String energy;

  @Option(
      names = "--dispatch",
      defaultValue = "run-to-completion",
      description =
          "Spawned stages: how a request reaches the compute, run-to-completion or pipelined (see"
              + " 'serve --dispatch'; default: ${DEFAULT-VALUE}).")
  String dispatch;

  @Option(
      names = "--grpc-tuning",
      defaultValue = "default",
      description =
          "grpc: HTTP/2 settings of the head's channel and of spawned stages: default, tuned, window,"
              + " allocator, direct-executor, socket-buffers, recv-buffer, write-buffer,"
              + " tuned-recv-buffer, tuned-write-buffer, window-allocator, composite-cumulator,"
              + " tuned-composite, large-frames (see 'serve --grpc-tuning';"
              + " default: ${DEFAULT-VALUE}).")
  String grpcTuning;

  @Option(
      names = "--spin-wait",
      defaultValue = "auto",
      description =
          "nio: whether the head polls for an answer in a window of at most 1 ms around its"
              + " expected arrival instead of sleeping until it is readable: auto (only at depth 1"
              + " with no link and no head CPU quota, and every stage remote or the head pinned to"
              + " CPUs disjoint from the spawned stages': a spin never takes a computing thread's"
              + " core), on (always) or off (default: ${DEFAULT-VALUE}).")
  String spinWait;

  @Option(
      names = "--stage-jvm-options",
      defaultValue = StageServerProcess.JVM_OPTIONS_AUTO,
      description =
          "JVM options of the spawned stage servers: auto (nio: "
              + StageServerProcess.C1_ONLY
              + ", C1 only, so nothing compiles while requests are measured; grpc: none), none, or"
              + " options in one argument, e.g. '-XX:TieredStopAtLevel=1 -Xlog:gc' (see"
              + " docs/OVERHEAD.md; default: ${DEFAULT-VALUE}).")
  String stageJvmOptions;

  private SpinWaitPolicy.Decision spinDecision;

  @Override
  public Integer call() throws Exception {
    if (requests < 1 || warmup < 0) {
      throw new IllegalArgumentException(
          "--requests "
              + requests
              + " / --warmup "
              + warmup
              + " (expected: requests >= 1, warmup >= 0)");
    }
    if (openLoop.enabled()) {
      openLoop.validate();
    }
    ModelOptions options =
        ModelOptions.builder()
            .optClasses(classes)
            .optInput(input == null ? null : Shapes.parseChw(input))
            .optSeed(seed)
            .build();
    ModelBlueprint blueprint = ModelCatalog.blueprint(model, options);
    PipelineSpec pipelineSpec =
        PipelineSpec.defaults(blueprint, blueprint.partition(split))
            .withTransport(TransportKind.parse(transport))
            .withTails(List.of(tail.split("/")))
            .withBatch(batch)
            .withPlacement(placement.head(), placement.tail())
            .withTimeout(Duration.ofSeconds(timeoutSeconds))
            .withLink(NetworkCondition.parse(link));
    if (tlsAuthority != null && tlsTrust == null) {
      throw new IllegalArgumentException("--tls-authority needs --tls-trust");
    }
    Credentials credentials = Credentials.resolve(secretFile, System.getenv());
    if (tlsTrust != null) {
      credentials = credentials.withTls(GrpcClientTls.of(tlsTrust, tlsAuthority));
    }
    PrintWriter err = spec.commandLine().getErr();
    if (!json) {
      credentials
          .secret()
          .ifPresent(
              s ->
                  err.println(
                      "authentication: proving the shared secret "
                          + s.fingerprint()
                          + " ("
                          + s.source()
                          + ")"));
    }
    if (keepLogs) {
      System.setProperty(StageServerProcess.KEEP_LOGS_PROPERTY, "true");
    }
    spinDecision =
        SpinWaitPolicy.parse(spinWait)
            .decide(
                pipelineSpec.transport(),
                openLoop.enabled() ? 0 : depth,
                !pipelineSpec.link().isNone(),
                pipelineSpec.head(),
                pipelineSpec.tail(),
                pipelineSpec.spawnsTails());
    ServeSettings serveSettings =
        new ServeSettings(dispatch, io.paretopipe.harness.server.GrpcTuning.parse(grpcTuning))
            .withSpinForAnswers(spinDecision.spin());
    try {
      serveSettings = serveSettings.withStageJvmOptions(stageJvmOptions);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--stage-jvm-options: " + e.getMessage(), e);
    }
    if (openLoop.enabled()) {
      try (Pipeline pipeline = Pipeline.open(pipelineSpec, credentials, serveSettings)) {
        openLoop.run(pipeline, warmup, json, spec.commandLine().getOut(), err);
        spec.commandLine().getOut().flush();
      }
      return 0;
    }
    PhaseRecorder recorder = new PhaseRecorder();
    Pipeline pipeline = Pipeline.open(pipelineSpec, credentials, serveSettings);
    try {
      measure(pipeline, recorder, err);
    } catch (Exception e) {
      pipeline.keepStageLogs();
      pipeline.close();
      String note = pipeline.stageLogsNote();
      if (note.isEmpty()) {
        throw e;
      }
      throw new java.io.IOException(
          (e.getMessage() == null ? e.toString() : e.getMessage()) + note, e);
    } finally {
      pipeline.close();
    }
    if (keepLogs && !json) {
      for (StageServerProcess s : pipeline.servers()) {
        err.println(
            s.logWasEmpty()
                ? "stage log of pid " + s.pid() + " not kept " + s.logName()
                : "stage log kept: " + s.log());
      }
    }
    return 0;
  }

  private void measure(Pipeline pipeline, PhaseRecorder recorder, PrintWriter err)
      throws Exception {
    try (PipelineDriver driver = new PipelineDriver(pipeline, depth, recorder)) {
      if (!json) {
        err.println("warming up (" + warmup + " requests)...");
      }
      for (int i = 0; i < warmup; i++) {
        driver.submit();
      }
      driver.awaitIdle();
      recorder.reset();
      long[] spinCountsBefore = spinWaitCounts(pipeline);
      int stages = pipeline.partition().stageCount();
      PipelineCostMeter meters =
          PipelineCostMeter.open(
              pipeline,
              pipeline.servers().stream().map(StageServerProcess::pid).toList(),
              energy,
              PipelineCostMeter.devicesPerStage(
                  stages, placement.headDevice(), placement.tailDevice()),
              PipelineCostMeter.quotasPerStage(
                  stages,
                  pipeline.spec().head().cpuQuotaPercent(),
                  pipeline.spec().tail().cpuQuotaPercent()));
      long start = System.nanoTime();
      try {
        for (int i = 0; i < requests; i++) {
          driver.submit();
        }
        driver.awaitIdle();
      } catch (Exception | Error e) {
        meters.abandon();
        throw e;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      PipelineCostMeter.Result cost = meters.stop((long) requests * batch);
      long[] spinCounts = spinWaitCounts(pipeline);
      Map<String, String> config = config(pipeline);
      if (spinDecision.spin()) {
        config.put(
            "spin_wait_caught",
            (spinCounts[1] - spinCountsBefore[1]) + "/" + (spinCounts[0] - spinCountsBefore[0]));
      }
      RunSummary summary =
          RunSummary.of(config, recorder, batch, seconds, pipeline.bytesPerRequest());
      if (hlog != null) {
        recorder.writeLog(hlog, summary.config());
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(
            new ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(cost.addTo(summary.toJson())));
      } else {
        out.print(summary.toText());
        out.print(cost.toText());
      }
      out.flush();
      String note = warmupNote(warmup);
      if (!note.isEmpty()) {
        err.println(note);
      }
    }
  }

  /**
   * What a run with {@code warmup} warm-up requests must say about its overhead figures: "" from
   * {@link #JIT_WARMUP_REQUESTS} on, else a one-line note that they include interpreted code.
   */
  static String warmupNote(int warmup) {
    if (warmup >= JIT_WARMUP_REQUESTS) {
      return "";
    }
    return "note: "
        + warmup
        + " warm-up request"
        + (warmup == 1 ? "" : "s")
        + ": the JVMs had not compiled the per-request code yet, so overhead_ms is a cold JVM's"
        + " (about 1 ms more per round trip at 0.4 MB); --warmup "
        + JIT_WARMUP_REQUESTS
        + " for a JIT-warm one (docs/OVERHEAD.md)";
  }

  /**
   * The head's nio channel's {@code {answers, caught}} ({@link NioStageChannel#spinWaitCounts}).
   */
  private static long[] spinWaitCounts(Pipeline pipeline) {
    return pipeline.channel() instanceof NioStageChannel nio ? nio.spinWaitCounts() : new long[2];
  }

  private Map<String, String> config(Pipeline pipeline) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("model", model);
    c.put("split", split);
    c.put("transport", transport);
    c.put("tail", tail);
    c.put("link", pipeline.spec().link().isNone() ? "none" : pipeline.spec().link().toSpec());
    c.put("batch", Integer.toString(batch));
    c.put("depth", Integer.toString(depth));
    c.put("warmup", Integer.toString(warmup));
    c.put("head_threads", Integer.toString(pipeline.spec().head().threads()));
    c.put(
        "head_cpu_quota_percent",
        java.util.Objects.toString(pipeline.spec().head().cpuQuotaPercent(), "none"));
    c.put(
        "tail_cpu_quota_percent",
        java.util.Objects.toString(pipeline.spec().tail().cpuQuotaPercent(), "none"));
    c.put(
        "head_cpus",
        io.paretopipe.harness.placement.CpuAffinity.allowedCpus(ProcessHandle.current().pid()));
    List<StageServerProcess> servers = pipeline.servers();
    c.put("tail_threads", servers.isEmpty() ? "" : Integer.toString(servers.get(0).threads()));
    c.put(
        "tail_cpus",
        servers.isEmpty()
            ? ""
            : io.paretopipe.harness.placement.CpuAffinity.allowedCpus(servers.get(0).pid()));
    c.put("head_jit", headJit());
    c.put("stage_jvm_options", servers.isEmpty() ? "" : servers.get(0).jvmOptionsSetting());
    c.put(
        "grpc_tuning",
        pipeline.spec().transport() == io.paretopipe.harness.transport.TransportKind.GRPC
            ? io.paretopipe.harness.server.GrpcTuning.parse(grpcTuning).cliName()
            : "");
    c.put("stages", Arrays.toString(pipeline.partition().cuts()).replace(" ", ""));
    c.put("engine", Engines.versions());
    c.put(
        "authentication",
        pipeline
            .credentials()
            .secret()
            .map(s -> "shared secret " + s.fingerprint())
            .orElse("none"));
    c.put("tls", pipeline.credentials().tls().isPresent() ? "on" : "off");
    c.put("allocator", Engines.allocatorTuned() ? "tuned" : "default (see docs/PERFORMANCE.md)");
    c.put("spin_wait", spinDecision.value());
    c.put("spin_wait_reason", spinDecision.reason());
    return c;
  }
}
