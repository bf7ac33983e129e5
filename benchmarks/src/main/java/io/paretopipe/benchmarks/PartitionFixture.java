package io.paretopipe.benchmarks;

import io.paretopipe.harness.driver.PhaseRecorder;
import io.paretopipe.harness.driver.Pipeline;
import io.paretopipe.harness.driver.PipelineDriver;
import io.paretopipe.harness.driver.PipelineSpec;
import io.paretopipe.harness.energy.EnergyMeters;
import io.paretopipe.harness.energy.PipelineCostMeter;
import io.paretopipe.harness.placement.CpuAffinity;
import io.paretopipe.harness.placement.Placement;
import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.models.CutTable;
import io.paretopipe.models.Engines;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything one partition point needs for a JMH trial: a {@link Pipeline} (head loaded here, stage
 * servers spawned when {@code tail=spawn}, a user-space link in front of the first remote stage
 * when {@code link} is not {@code none}, handshake done), a {@link PipelineDriver} and its {@link
 * PhaseRecorder}.
 *
 * <p>Owns all of it: {@link #close()} ends the driver and the pipeline (which ends its link and
 * stage servers), also after a failed {@link #open}; closing twice is harmless. Not thread-safe:
 * one driving thread (JMH's benchmark thread) calls everything but {@link #close()}.
 */
public final class PartitionFixture implements AutoCloseable {

  /**
   * System property: seconds a request may take beyond what its link needs, default {@value
   * #DEFAULT_TIMEOUT_SECONDS}.
   */
  public static final String TIMEOUT_PROPERTY = "paretopipe.timeoutSeconds";

  /** Default of {@value #TIMEOUT_PROPERTY}. */
  public static final long DEFAULT_TIMEOUT_SECONDS = 30;

  /**
   * System property: how the energy of the measured window is had, a {@code run --energy} value
   * ({@link EnergyMeters#VALID}), default {@value #DEFAULT_ENERGY}; the sweep's {@code --energy}.
   */
  public static final String ENERGY_PROPERTY = "paretopipe.energy";

  /** Default of {@value #ENERGY_PROPERTY}. */
  public static final String DEFAULT_ENERGY = "auto";

  private final PartitionConfig config;
  private final PhaseRecorder recorder = new PhaseRecorder();
  private Pipeline pipeline;
  private PipelineDriver driver;
  private long bytesPerRequest;
  private String headCpus = "";
  private PipelineCostMeter costWindow;
  private PipelineCostMeter.Result costs;
  private boolean closed;

  private PartitionFixture(PartitionConfig config) {
    this.config = config;
  }

  /**
   * Validates {@code config}, brings the tail up, loads the head and handshakes.
   *
   * @param inFlight requests the driver keeps in flight (1 for latency, {@code depth} for
   *     throughput); 0 for no closed-loop driver (the open-loop {@link ServerScenario} receives on
   *     the pipeline's channel instead, and {@link #driver()} is null)
   * @throws IllegalArgumentException for a bad parameter, before anything is started
   */
  public static PartitionFixture open(PartitionConfig config, int inFlight)
      throws IOException, StageException {
    return open(
        config,
        inFlight,
        inFlight == 0
            ? ServerScenario.maxOutstanding()
            : io.paretopipe.harness.server.StageServerOptions.DEFAULT_MAX_IN_FLIGHT);
  }

  /**
   * As {@link #open(PartitionConfig, int)}, with spawned stage servers admitting {@code
   * stageMaxInFlight} unanswered requests per connection ({@code serve --max-in-flight}): an
   * open-loop driver with that many outstanding then drops beyond its own bound instead of failing
   * on a {@code BUSY}. The two-argument form uses {@value ServerScenario#MAX_OUTSTANDING_PROPERTY}
   * (default 16) for {@code inFlight} 0 and the stage default otherwise.
   */
  public static PartitionFixture open(PartitionConfig config, int inFlight, int stageMaxInFlight)
      throws IOException, StageException {
    PartitionConfig.Validated valid = config.validate();
    io.paretopipe.harness.driver.ServeSettings settings =
        new io.paretopipe.harness.driver.ServeSettings(
                io.paretopipe.harness.driver.ServeSettings.DEFAULT.dispatch(),
                valid.transport() == io.paretopipe.harness.transport.TransportKind.GRPC
                    ? valid.grpcTuning()
                    : io.paretopipe.harness.server.GrpcTuning.DEFAULT)
            .withMaxInFlight(stageMaxInFlight);
    PartitionFixture f = new PartitionFixture(config);
    try {
      f.start(valid, inFlight, settings);
      return f;
    } catch (IOException | StageException | RuntimeException e) {
      f.close();
      throw e;
    }
  }

  private void start(
      PartitionConfig.Validated valid,
      int inFlight,
      io.paretopipe.harness.driver.ServeSettings settings)
      throws IOException, StageException {
    PipelineSpec spec =
        PipelineSpec.defaults(valid.model(), valid.partition())
            .withTransport(valid.transport())
            .withTails(config.tailAddresses())
            .withLink(valid.condition())
            .withBatch(config.batch())
            .withPlacement(valid.head(), config.sharedTail() ? Placement.DEFAULT : valid.tail())
            .withTimeout(timeout(config, valid));
    pipeline =
        Pipeline.open(spec, io.paretopipe.harness.driver.Credentials.fromEnvironment(), settings);
    headCpus = CpuAffinity.allowedCpus(ProcessHandle.current().pid());
    int[] cutPoints = valid.partition().cuts();
    if (cutPoints.length == 1) {
      bytesPerRequest = pipeline.bytesPerRequest();
    } else {
      CutTable cuts = valid.model().cutTable(config.batch());
      for (int k : cutPoints) {
        bytesPerRequest += cuts.cuts().get(k).bytes();
      }
    }
    driver = inFlight == 0 ? null : new PipelineDriver(pipeline, inFlight, recorder);
  }

  /**
   * How long one request or handshake may take before the trial fails: {@value #TIMEOUT_PROPERTY}
   * seconds (default 30), plus, on a shaped link, the time the link itself needs for {@code depth}
   * requests queued behind each other (their bytes at the link's rate, and the round-trip delay),
   * so a slow link is not mistaken for a dead stage while a dead or stalled one still fails in
   * bounded time.
   *
   * @throws IllegalArgumentException if the property is not a positive whole number
   */
  static Duration timeout(PartitionConfig config, PartitionConfig.Validated valid) {
    String text =
        System.getProperty(TIMEOUT_PROPERTY, Long.toString(DEFAULT_TIMEOUT_SECONDS)).trim();
    long seconds;
    try {
      seconds = Long.parseLong(text);
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < 1) {
      throw new IllegalArgumentException(
          "-D" + TIMEOUT_PROPERTY + "=" + text + " (expected: whole seconds >= 1)");
    }
    Duration timeout = Duration.ofSeconds(seconds);
    io.paretopipe.format.NetworkCondition link = valid.condition();
    if (!link.isNone()) {
      CutTable cuts = valid.model().cutTable(config.batch());
      long bytes = cuts.cuts().get(valid.partition().cuts()[0]).bytes();
      double transferSeconds =
          link.rateBitsPerSecond() > 0 ? bytes * 8.0 / link.rateBitsPerSecond() : 0;
      double delaySeconds = 2 * (link.delayNanos() + link.jitterNanos()) / 1e9;
      timeout =
          timeout.plusMillis(
              (long) Math.ceil(1000 * config.depth() * (transferSeconds + delaySeconds)));
    }
    return timeout;
  }

  public PartitionConfig config() {
    return config;
  }

  public PipelineDriver driver() {
    return driver;
  }

  public PhaseRecorder recorder() {
    return recorder;
  }

  public Pipeline pipeline() {
    return pipeline;
  }

  /** Stage servers spawned for this point (empty for a remote tail or {@code local}). */
  public List<StageServerProcess> servers() {
    return pipeline.servers();
  }

  /** Tensor bytes sent across every cut per request (one batch), summed over the cuts. */
  public long bytesPerRequest() {
    return bytesPerRequest;
  }

  /**
   * The {@code #paretopipe.KEY=VALUE} comments of this point's {@code .hlog}: the given JMH params,
   * {@code bytes_per_request}, where the stages actually ran and with what.
   */
  public Map<String, String> comments(Map<String, String> params) {
    Map<String, String> c = new LinkedHashMap<>(params);
    c.put("bytes_per_request", Long.toString(bytesPerRequest));
    c.put("requests", Long.toString(recorder.count()));
    c.put("head_cpus_allowed", headCpus);
    List<Long> tailPids = pipeline.servers().stream().map(StageServerProcess::pid).toList();
    Integer tailQuota = pipeline.spec().tail().cpuQuotaPercent();
    if (config.sharedTail()) {
      tailPids = SharedTail.pid(config.sharedKey()).stream().toList();
      tailQuota = SharedTail.cpuQuotaPercent(config.sharedKey()).orElse(null);
    }
    c.put(
        "tail_cpus_allowed",
        tailPids.stream().map(CpuAffinity::allowedCpus).collect(Collectors.joining("/")));
    c.put("tail_pids", tailPids.stream().map(String::valueOf).collect(Collectors.joining("/")));
    c.put("tail_addresses", String.join("/", pipeline.spec().tails()));
    c.put(
        "head_cpu_quota_percent",
        java.util.Objects.toString(pipeline.spec().head().cpuQuotaPercent(), "none"));
    c.put("tail_cpu_quota_percent", java.util.Objects.toString(tailQuota, "none"));
    c.put(
        "link_condition", pipeline.link() == null ? "none" : pipeline.link().condition().toSpec());
    c.put("engine", Engines.versions());
    c.put("allocator", Engines.allocatorSettings().toString());
    if (costs != null) {
      c.putAll(costs.comments());
    }
    return c;
  }

  /**
   * Opens the CPU and energy window of the measured requests ({@link PipelineCostMeter}); a second
   * call while one is open does nothing.
   *
   * @throws IllegalArgumentException for a bad {@value #ENERGY_PROPERTY}
   */
  public void startCostWindow() throws IOException {
    if (costWindow != null) {
      return;
    }
    int stages = pipeline.partition().stageCount();
    List<Long> stagePids = pipeline.servers().stream().map(StageServerProcess::pid).toList();
    Integer tailQuota = pipeline.spec().tail().cpuQuotaPercent();
    if (config.sharedTail()) {
      stagePids = SharedTail.pid(config.sharedKey()).stream().toList();
      tailQuota = SharedTail.cpuQuotaPercent(config.sharedKey()).orElse(null);
    }
    costWindow =
        PipelineCostMeter.open(
            pipeline,
            stagePids,
            System.getProperty(ENERGY_PROPERTY, DEFAULT_ENERGY),
            PipelineCostMeter.devicesPerStage(stages, config.headDevice(), config.tailDevice()),
            PipelineCostMeter.quotasPerStage(
                stages, pipeline.spec().head().cpuQuotaPercent(), tailQuota));
  }

  /**
   * Closes the window over the images the recorder holds (call after the last request is back); its
   * figures go into the hlog's comments. Without recorded images the window is discarded.
   */
  public void stopCostWindow() {
    if (costWindow == null) {
      return;
    }
    long images = recorder.count() * config.batch();
    if (images > 0) {
      costs = costWindow.stop(images);
    } else {
      costWindow.abandon();
    }
    costWindow = null;
  }

  /** Writes the recorder's intervals to {@code file} (atomically) with {@link #comments}. */
  public void writeHlog(Path file, Map<String, String> params) throws IOException {
    recorder.writeLog(file, comments(params));
  }

  /**
   * Ends driver, pipeline, link and spawned stage servers; idempotent; keeps going past failures.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (costWindow != null) {
      costWindow.abandon();
      costWindow = null;
    }
    if (driver != null) {
      try {
        driver.awaitIdle();
      } catch (IOException | RuntimeException ignored) {
        // the pipeline is going away; what matters is that everything is released
      }
      driver.close();
    }
    if (pipeline != null) {
      pipeline.close();
    }
  }
}
