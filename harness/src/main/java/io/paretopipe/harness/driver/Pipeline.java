package io.paretopipe.harness.driver;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.paretopipe.harness.placement.CpuAffinity;
import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Downstream;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.stage.ModelStageService;
import io.paretopipe.harness.transport.HostPort;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.Transport;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.harness.transport.local.LocalTransport;
import io.paretopipe.models.Engines;
import io.paretopipe.models.ModelBlueprint;
import io.paretopipe.models.Partition;
import io.paretopipe.models.StageModel;
import io.paretopipe.models.StageRange;
import io.paretopipe.netem.device.CpuQuota;
import io.paretopipe.netem.link.UserSpaceLink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeoutException;

/**
 * A live pipeline: the head stage loaded in this process, the remote stages up (spawned or reached)
 * and handshaken, and a seeded input batch; with a link, a user-space proxy shapes the first hop.
 * Owns the head's weights, the input, the channel, the link proxy and any stage servers it spawned;
 * {@link #close()} releases all of them, also after a failed start.
 */
public final class Pipeline implements AutoCloseable {

  private final PipelineSpec spec;
  private final Partition partition;
  private final List<AutoCloseable> owned = new ArrayList<>();
  private final List<StageServerProcess> servers = new ArrayList<>();
  private final java.util.Map<Long, java.nio.file.Path> quotaDirectories =
      new java.util.HashMap<>();
  private final Credentials credentials;
  private final ServeSettings serveSettings;
  private StageModel head;
  private NDManager manager;
  private NDArray input;
  private StageChannel channel;
  private UserSpaceLink link;
  private HandshakeReply reply;
  private long bytesPerRequest;
  private boolean closed;

  private Pipeline(
      PipelineSpec spec, Partition partition, Credentials credentials, ServeSettings settings) {
    this.spec = spec;
    this.partition = partition;
    this.credentials = credentials;
    this.serveSettings = settings;
  }

  /**
   * As {@link #open(PipelineSpec, Credentials)} with the shared secret the environment configures
   * ({@code PARETOPIPE_SECRET_FILE} or {@code PARETOPIPE_SECRET}; none if neither is set).
   *
   * @throws IllegalArgumentException also if the configured secret is unusable
   */
  public static Pipeline open(PipelineSpec spec) throws IOException, StageException {
    return open(spec, Credentials.fromEnvironment());
  }

  /**
   * Validates the spec, loads the head, brings up the remote stages and handshakes.
   *
   * @param credentials what the head proves to its stages; spawned stage servers get the same
   *     secret (TLS applies to remote grpc stages only)
   * @throws IllegalArgumentException for a bad model, split, transport or tail list (the message
   *     names what is valid)
   * @throws IOException if a stage cannot be started or reached
   * @throws StageException if a stage refuses the handshake
   */
  public static Pipeline open(PipelineSpec spec, Credentials credentials)
      throws IOException, StageException {
    return open(spec, credentials, ServeSettings.DEFAULT);
  }

  /**
   * As {@link #open(PipelineSpec, Credentials)}, with the stages' dispatch and the grpc tuning of
   * {@code settings}: the head's grpc channel uses its tuning, spawned stage servers get both as
   * {@code serve} options (remote stages keep what they were started with).
   */
  public static Pipeline open(PipelineSpec spec, Credentials credentials, ServeSettings settings)
      throws IOException, StageException {
    java.util.Objects.requireNonNull(credentials, "credentials");
    java.util.Objects.requireNonNull(settings, "settings");
    Partition partition = spec.partition();
    int remote = partition.stageCount() - 1;
    boolean spawn = spec.spawnsTails();
    boolean network = spec.transport().network();
    if (network && !spawn && spec.tails().size() != remote) {
      throw new IllegalArgumentException(
          "split "
              + spec.split()
              + " needs "
              + remote
              + " remote stage"
              + (remote == 1 ? "" : "s")
              + " but "
              + spec.tails().size()
              + " tail address"
              + (spec.tails().size() == 1 ? " was" : "es were")
              + " given: use 'spawn' or one HOST:PORT per stage"
              + " (separated by '/')");
    }
    if (spec.tail().cpuQuotaPercent() != null && (!network || !spawn)) {
      throw new IllegalArgumentException(
          "a tail CPU quota applies to spawned stage servers only: transport "
              + spec.transport()
              + " with tail "
              + String.join("/", spec.tails())
              + " spawns none (use nio or grpc"
              + " with tail 'spawn', or set the quota on the remote machine)");
    }
    if (credentials.tls().isPresent() && (spawn || spec.transport() != TransportKind.GRPC)) {
      throw new IllegalArgumentException(
          "TLS applies to remote grpc stages only: transport "
              + spec.transport()
              + " with tail "
              + String.join("/", spec.tails())
              + " (spawned stages listen on loopback without"
              + " TLS; nio has none)");
    }
    Pipeline p = new Pipeline(spec, partition, credentials, settings);
    try {
      p.start(spawn);
      return p;
    } catch (IOException e) {
      p.keepStageLogs();
      p.close();
      String note = p.stageLogsNote();
      throw note.isEmpty() ? e : new IOException(e.getMessage() + note, e);
    } catch (StageException e) {
      p.keepStageLogs();
      p.close();
      String note = p.stageLogsNote();
      throw note.isEmpty()
          ? e
          : new StageException(e.code(), e.getMessage() + note, e.requestId(), e);
    } catch (RuntimeException e) {
      p.keepStageLogs();
      p.close();
      throw e;
    }
  }

  /**
   * Keeps the logs of the spawned stage servers past {@link #close()}: the owner saw a failure they
   * may explain.
   *
   * @return their paths, in pipeline order (empty when none were spawned)
   */
  public List<java.nio.file.Path> keepStageLogs() {
    return servers.stream().map(StageServerProcess::keepLog).toList();
  }

  /**
   * The logs of the spawned stage servers for an error message: {@code "; stage log
   * /tmp/paretopipe-stage-1.log"} (or {@code logs A, B}), and {@code "; stage server pid 123 (log
   * empty)"} for each server whose log {@link #close()} deleted for being empty; empty for none.
   * Call it after {@link #keepStageLogs()} and {@link #close()}: only then is it known which logs
   * were empty.
   */
  public String stageLogsNote() {
    List<String> kept =
        servers.stream().filter(s -> !s.logWasEmpty()).map(s -> s.log().toString()).toList();
    StringBuilder note = new StringBuilder();
    if (!kept.isEmpty()) {
      note.append(kept.size() == 1 ? "; stage log " : "; stage logs ")
          .append(String.join(", ", kept));
    }
    for (StageServerProcess s : servers) {
      if (s.logWasEmpty()) {
        note.append("; stage server pid ").append(s.pid()).append(' ').append(s.logName());
      }
    }
    return note.toString();
  }

  private void start(boolean spawn) throws IOException, StageException {
    ModelBlueprint model = spec.model();
    Engines.setThreads(spec.head().threads());
    if (spec.head().cpus().pinned()) {
      CpuAffinity.pin(ProcessHandle.current().pid(), spec.head().cpus().list());
    }
    capCpu(spec.head().cpuQuotaPercent(), ProcessHandle.current().pid());
    List<StageRange> stages = partition.stages();
    head = StageModel.load(model.instantiate(), stages.get(0));
    owned.add(head);
    manager = NDManager.newBaseManager(Engines.pytorch().getEngineName());
    owned.add(manager);
    input = seededInput(manager, spec.batch(), model.options().seed(), head.inputShapePerImage());
    bytesPerRequest = model.cutTable(spec.batch()).cuts().get(stages.get(0).unitEnd()).bytes();

    Transport transport;
    List<String> addresses = new ArrayList<>();
    int tailThreadsInHandshake = 0;
    if (!spec.transport().network()) {
      ModelStageService local = ModelStageService.inProcess(spec.head().threads());
      owned.add(local);
      transport = new LocalTransport(local);
      for (int i = 1; i < stages.size(); i++) {
        addresses.add("local");
      }
    } else {
      transport =
          Transports.network(
              spec.transport(),
              credentials,
              serveSettings.grpcTuning(),
              serveSettings.spinForAnswers());
      if (spawn) {
        List<java.nio.file.Path> modelDirectories =
            model.isDirectory() ? List.of(java.nio.file.Path.of(model.name())) : List.of();
        for (int i = 1; i < stages.size(); i++) {
          StageServerProcess.Builder builder =
              StageServerProcess.builder()
                  .optCpus(spec.tail().cpus())
                  .optThreads(spec.tail().threads())
                  .optTransport(spec.transport())
                  .optModelDirectories(modelDirectories)
                  .optSecret(credentials.secret().orElse(null))
                  .optServeOptions(serveSettings.serveOptions());
          serveSettings.stageJvmOptions(spec.transport()).ifPresent(builder::optJvmOptions);
          StageServerProcess server = builder.start();
          servers.add(server);
          owned.add(server);
          capCpu(spec.tail().cpuQuotaPercent(), server.pid());
          addresses.add(server.address());
        }
        tailThreadsInHandshake = spec.tail().threads();
      } else {
        addresses.addAll(spec.tails());
      }
    }
    List<Downstream> downstream = new ArrayList<>();
    for (int i = 2; i < stages.size(); i++) {
      downstream.add(new Downstream(addresses.get(i - 1), stages.get(i).unitEnd()));
    }
    int[] in = model.options().input();
    Handshake handshake =
        new Handshake(
            model.name(),
            model.options().classes(),
            in,
            stages.get(1).unitStart(),
            stages.get(1).unitEnd(),
            spec.batch(),
            DType.FLOAT32,
            model.options().seed(),
            tailThreadsInHandshake,
            model.digest(),
            downstream);
    String first = addresses.get(0);
    if (!spec.link().isNone()) {
      if (!spec.transport().network()) {
        throw new IllegalArgumentException(
            "link "
                + spec.link().toSpec()
                + " needs a network transport:"
                + " local has no link to shape (use nio or grpc)");
      }
      java.net.InetSocketAddress target = HostPort.parse(first);
      link =
          UserSpaceLink.start(
              new java.net.InetSocketAddress(target.getHostString(), target.getPort()),
              spec.link());
      owned.add(link);
      first = "127.0.0.1:" + link.port();
    }
    channel = transport.connect(first, spec.timeout());
    owned.add(channel);
    try {
      reply = channel.handshake(handshake, spec.timeout());
    } catch (TimeoutException e) {
      throw new IOException(
          "stage at "
              + addresses.get(0)
              + " did not answer the handshake within "
              + spec.timeout().toMillis()
              + " ms");
    }
  }

  /**
   * Puts {@code pid} into a CPU-quota cgroup this pipeline owns; nothing when {@code percent} is
   * null.
   */
  private void capCpu(Integer percent, long pid) {
    if (percent != null) {
      CpuQuota quota = CpuQuota.create(percent);
      owned.add(quota);
      quota.addProcess(pid);
      quotaDirectories.put(pid, quota.directory());
    }
  }

  /** A standard-normal input batch that depends only on the seed. */
  static NDArray seededInput(NDManager manager, int batch, long seed, long[] perImage) {
    long size = batch;
    for (long d : perImage) {
      size *= d;
    }
    float[] values = new float[Math.toIntExact(size)];
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    for (int i = 0; i < values.length; i++) {
      double u1 = random.nextDouble();
      double u2 = random.nextDouble();
      values[i] = (float) (Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
    }
    long[] dims = new long[perImage.length + 1];
    dims[0] = batch;
    System.arraycopy(perImage, 0, dims, 1, perImage.length);
    return manager.create(values, new Shape(dims));
  }

  public PipelineSpec spec() {
    return spec;
  }

  /** What the head's channel and the stage servers this pipeline spawned were set up with. */
  public ServeSettings serveSettings() {
    return serveSettings;
  }

  public Partition partition() {
    return partition;
  }

  public StageModel head() {
    return head;
  }

  /** The input batch every request sends (owned by the pipeline). */
  public NDArray input() {
    return input;
  }

  /** The manager requests' temporaries live under. */
  NDManager manager() {
    return manager;
  }

  public StageChannel channel() {
    return channel;
  }

  /** What the first remote stage (and those behind it) loaded. */
  public HandshakeReply reply() {
    return reply;
  }

  /** What the head proves to its stages (the secret also went to the spawned stage servers). */
  public Credentials credentials() {
    return credentials;
  }

  /** Spawned stage servers, in pipeline order (empty when none were spawned). */
  public List<StageServerProcess> servers() {
    return List.copyOf(servers);
  }

  /**
   * The CPU-quota cgroup this pipeline put process {@code pid} in (the head's own pid or a spawned
   * server's), or empty when that process runs without a quota.
   */
  public java.util.Optional<java.nio.file.Path> cpuQuotaDirectory(long pid) {
    return java.util.Optional.ofNullable(quotaDirectories.get(pid));
  }

  /** The proxy shaping the first hop, or null when the spec's link is {@code none}. */
  public UserSpaceLink link() {
    return link;
  }

  /** Tensor bytes sent across the first cut per request (one batch). */
  public long bytesPerRequest() {
    return bytesPerRequest;
  }

  /** Releases everything in reverse order of acquisition; idempotent; keeps going past failures. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception ignored) {
        // closing the rest matters more
      }
    }
    owned.clear();
  }
}
