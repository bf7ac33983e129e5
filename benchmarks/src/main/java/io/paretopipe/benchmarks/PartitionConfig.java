package io.paretopipe.benchmarks;

import io.paretopipe.format.NetworkCondition;
import io.paretopipe.harness.cli.PlacementOptions;
import io.paretopipe.harness.placement.Placement;
import io.paretopipe.harness.server.GrpcTuning;
import io.paretopipe.harness.transport.HostPort;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.models.ModelBlueprint;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.models.Partition;
import io.paretopipe.netem.device.CpuQuota;
import io.paretopipe.netem.device.DeviceProfile;
import io.paretopipe.netem.device.DeviceProfiles;
import java.util.List;
import java.util.Objects;

/**
 * One partition point as {@link PartitionBenchmark}'s parameters name it, validated before anything
 * heavy starts. Immutable.
 *
 * @param model catalog model name
 * @param split {@code K} or {@code K1:K2} (colon-separated cuts; JMH splits {@code -p} values on
 *     commas)
 * @param transport {@code nio}, {@code grpc} or {@code local}
 * @param link {@code none}, a preset name of {@link NetworkCondition#presetNames()} or a spec such
 *     as {@code delay:20ms+rate:50mbit}
 * @param batch images per request, >= 1
 * @param depth requests in flight of the throughput method, >= 1
 * @param tail {@code spawn}; {@code shared}, the stage server a sweep shares among the points of
 *     this transport ({@link SharedTail}); or {@code HOST:PORT} of a running stage server, one per
 *     remote stage separated by {@code /}
 * @param headThreads torch threads of the head (the benchmark's JVM), >= 1
 * @param tailThreads torch threads of each spawned stage server, >= 1
 * @param headCpus CPUs to pin the head to (taskset list), {@code auto} or {@code none}
 * @param tailCpus CPUs to pin spawned stage servers to (taskset list), {@code auto} or {@code none}
 * @param headDevice a device profile for the head ({@code none}: use headCpus and headThreads); see
 *     {@link DeviceProfiles#standard}
 * @param tailDevice a device profile for each spawned stage server ({@code none}: use tailCpus and
 *     tailThreads)
 * @param grpcTuning the HTTP/2 settings ({@link GrpcTuning} name) of the head's grpc channel and of
 *     the stage servers it spawns; {@value #DEFAULT_GRPC_TUNING} (grpc-java's) when null or blank.
 *     Ignored by the other transports; a shared or running server keeps its own
 */
public record PartitionConfig(
    String model,
    String split,
    String transport,
    String link,
    int batch,
    int depth,
    String tail,
    int headThreads,
    int tailThreads,
    String headCpus,
    String tailCpus,
    String headDevice,
    String tailDevice,
    String grpcTuning) {

  /**
   * Pins the head to CPU 0 and the stage servers to every other CPU; unpinned on a one-CPU machine.
   */
  public static final String AUTO = PlacementOptions.AUTO;

  /** Leaves a process unpinned. */
  public static final String UNPINNED = PlacementOptions.NONE;

  /** The {@code tail} value that spawns the stage servers on this machine. */
  public static final String SPAWN = "spawn";

  /** The {@code tail} value that reaches the sweep's shared stage server ({@link SharedTail}). */
  public static final String SHARED = SharedTail.VALUE;

  /** The {@code grpcTuning} value of grpc-java's own settings, the param's default. */
  public static final String DEFAULT_GRPC_TUNING = "default";

  public PartitionConfig {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(link, "link");
    Objects.requireNonNull(tail, "tail");
    headCpus = headCpus == null || headCpus.isBlank() ? UNPINNED : headCpus.trim();
    tailCpus = tailCpus == null || tailCpus.isBlank() ? UNPINNED : tailCpus.trim();
    headDevice = headDevice == null || headDevice.isBlank() ? UNPINNED : headDevice.trim();
    tailDevice = tailDevice == null || tailDevice.isBlank() ? UNPINNED : tailDevice.trim();
    grpcTuning =
        grpcTuning == null || grpcTuning.isBlank() ? DEFAULT_GRPC_TUNING : grpcTuning.trim();
  }

  /** The defaults of {@link PartitionBenchmark} at one split. */
  public static PartitionConfig defaults(String model, String split, String transport) {
    return builder(model, split, transport).build();
  }

  /** A builder holding {@link PartitionBenchmark}'s defaults at one split. */
  public static Builder builder(String model, String split, String transport) {
    return new Builder(model, split, transport);
  }

  /** A builder holding every component of this config. */
  public Builder toBuilder() {
    return new Builder(model, split, transport)
        .link(link)
        .batch(batch)
        .depth(depth)
        .tail(tail)
        .threads(headThreads, tailThreads)
        .cpus(headCpus, tailCpus)
        .devices(headDevice, tailDevice)
        .grpcTuning(grpcTuning);
  }

  public PartitionConfig withTail(String newTail) {
    return toBuilder().tail(newTail).build();
  }

  public PartitionConfig withLink(String newLink) {
    return toBuilder().link(newLink).build();
  }

  public PartitionConfig withDevices(String newHeadDevice, String newTailDevice) {
    return toBuilder().devices(newHeadDevice, newTailDevice).build();
  }

  public PartitionConfig withGrpcTuning(String newGrpcTuning) {
    return toBuilder().grpcTuning(newGrpcTuning).build();
  }

  public PartitionConfig withCpus(String newHeadCpus, String newTailCpus) {
    return toBuilder().cpus(newHeadCpus, newTailCpus).build();
  }

  /**
   * Sets components by name, starting from {@link PartitionBenchmark}'s defaults: link {@code
   * none}, batch 8, depth 4, tail {@link #SPAWN}, one torch thread per side, both sides {@link
   * #AUTO}-pinned, no device profiles, grpc tuning {@value #DEFAULT_GRPC_TUNING}. Not thread-safe;
   * {@link #build} does not validate (see {@link PartitionConfig#validate}).
   */
  public static final class Builder {
    private final String model;
    private final String split;
    private final String transport;
    private String link = "none";
    private int batch = 8;
    private int depth = 4;
    private String tail = SPAWN;
    private int headThreads = 1;
    private int tailThreads = 1;
    private String headCpus = AUTO;
    private String tailCpus = AUTO;
    private String headDevice = UNPINNED;
    private String tailDevice = UNPINNED;
    private String grpcTuning = DEFAULT_GRPC_TUNING;

    private Builder(String model, String split, String transport) {
      this.model = model;
      this.split = split;
      this.transport = transport;
    }

    public Builder link(String value) {
      link = value;
      return this;
    }

    public Builder batch(int value) {
      batch = value;
      return this;
    }

    public Builder depth(int value) {
      depth = value;
      return this;
    }

    public Builder tail(String value) {
      tail = value;
      return this;
    }

    public Builder threads(int head, int tail) {
      headThreads = head;
      tailThreads = tail;
      return this;
    }

    public Builder cpus(String head, String tail) {
      headCpus = head;
      tailCpus = tail;
      return this;
    }

    public Builder devices(String head, String tail) {
      headDevice = head;
      tailDevice = tail;
      return this;
    }

    public Builder grpcTuning(String value) {
      grpcTuning = value;
      return this;
    }

    public PartitionConfig build() {
      return new PartitionConfig(
          model,
          split,
          transport,
          link,
          batch,
          depth,
          tail,
          headThreads,
          tailThreads,
          headCpus,
          tailCpus,
          headDevice,
          tailDevice,
          grpcTuning);
    }
  }

  /**
   * Checks every parameter without loading a model or starting a process.
   *
   * @return the parsed split and network condition
   * @throws IllegalArgumentException naming the parameter, its value and what is valid, e.g. "split
   *     25 is out of range for mobilenetv2: valid splits are 0..19"
   */
  public Validated validate() {
    TransportKind kind = TransportKind.parse(transport);
    GrpcTuning tuning;
    try {
      tuning = GrpcTuning.parse(grpcTuning);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("grpcTuning: " + e.getMessage(), e);
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " (expected: >= 1)");
    }
    if (depth < 1) {
      throw new IllegalArgumentException("depth: " + depth + " (expected: >= 1)");
    }
    if (headThreads < 1 || tailThreads < 1) {
      throw new IllegalArgumentException(
          "headThreads " + headThreads + ", tailThreads " + tailThreads + " (expected: >= 1)");
    }
    ModelBlueprint blueprint = ModelCatalog.blueprint(model);
    Partition partition = blueprint.partition(split);
    NetworkCondition condition;
    try {
      condition = NetworkCondition.parse(link);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("link '" + link + "': " + e.getMessage(), e);
    }
    if (!condition.isNone() && !kind.network()) {
      throw new IllegalArgumentException(
          "link '"
              + link
              + "' needs a network transport: 'local' runs both"
              + " stages in one process with no network; use link=none with local, or transport=nio");
    }
    List<String> tails = tails();
    int remote = partition.stageCount() - 1;
    boolean shared = tails.equals(List.of(SHARED));
    if (shared) {
      if (!kind.network()) {
        throw new IllegalArgumentException(
            "tail 'shared' needs a network transport (nio or grpc): 'local' has no stage server");
      }
      HostPort.parse(SharedTail.address(sharedKey()));
    } else if (!tails.equals(List.of(SPAWN))) {
      for (String t : tails) {
        HostPort.parse(t);
      }
      if (kind.network() && tails.size() != remote) {
        throw new IllegalArgumentException(
            "tail '"
                + tail
                + "' names "
                + tails.size()
                + " stage server(s) but"
                + " split "
                + split
                + " has "
                + remote
                + " remote stage(s): give 'spawn' or one HOST:PORT per"
                + " remote stage, separated by '/'");
      }
    }
    DeviceProfile head =
        device("headDevice", headDevice, headCpus, headThreads, "headCpus", "headThreads");
    DeviceProfile tailProfile =
        device("tailDevice", tailDevice, tailCpus, tailThreads, "tailCpus", "tailThreads");
    if (tailProfile != null
        && tailProfile.cpuQuotaPercent() != null
        && (!kind.network() || !(tails.equals(List.of(SPAWN)) || shared))) {
      throw new IllegalArgumentException(
          "tailDevice '"
              + tailDevice
              + "' has a CPU quota, which applies to"
              + " stage servers started on this machine only: use tail=spawn (or a sweep's"
              + " tail=shared) with nio or grpc, or a profile without a quota");
    }
    return new Validated(
        kind,
        tuning,
        blueprint,
        partition,
        condition,
        head != null
            ? Placement.of(head)
            : Placement.of(PlacementOptions.cpuSet("headCpus", headCpus, true), headThreads),
        tailProfile != null
            ? Placement.of(tailProfile)
            : Placement.of(PlacementOptions.cpuSet("tailCpus", tailCpus, false), tailThreads));
  }

  /**
   * The named profile, or null for {@code none}; refuses a profile combined with explicit
   * cpus/threads.
   */
  private static DeviceProfile device(
      String param, String name, String cpus, int threads, String cpusParam, String threadsParam) {
    if (name.equals(UNPINNED)) {
      return null;
    }
    if (!cpus.equals(AUTO) || threads != 1) {
      throw new IllegalArgumentException(
          param
              + " '"
              + name
              + "' sets CPUs and threads itself: leave "
              + cpusParam
              + " at auto and "
              + threadsParam
              + " at 1 (got "
              + cpus
              + ", "
              + threads
              + ")");
    }
    DeviceProfile profile;
    try {
      profile = DeviceProfiles.standard(null).get(name);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw new IllegalArgumentException(param + ": " + e.getMessage(), e);
    }
    if (profile.cpuQuotaPercent() != null) {
      java.util.Optional<String> why = CpuQuota.unavailableReason();
      if (why.isPresent()) {
        throw new IllegalArgumentException(
            param
                + " '"
                + name
                + "' needs a CPU quota ("
                + profile.cpuQuotaPercent()
                + "% of one CPU), which this machine cannot set: "
                + why.get());
      }
    }
    return profile;
  }

  /** The tail param split on {@code /}: {@code [spawn]}, {@code [shared]} or addresses. */
  public List<String> tails() {
    return List.of(tail.trim().split("/"));
  }

  /** The name of the sweep's shared server this point reaches: {@link SharedTail#key}. */
  public String sharedKey() {
    return SharedTail.key(transport, grpcTuning);
  }

  /** Whether {@code tail} is {@link #SHARED}. */
  public boolean sharedTail() {
    return tails().equals(List.of(SHARED));
  }

  /**
   * What the pipeline connects to: {@code [spawn]}, one {@code HOST:PORT} per remote stage, and for
   * {@code shared} the sweep's server of this transport once per remote stage.
   *
   * @throws IllegalArgumentException for {@code shared} outside a sweep ({@link SharedTail})
   */
  public List<String> tailAddresses() {
    if (!sharedTail()) {
      return tails();
    }
    int remote = ModelCatalog.blueprint(model).partition(split).stageCount() - 1;
    return java.util.Collections.nCopies(remote, SharedTail.address(sharedKey()));
  }

  /** The unit count of a model ({@code valid splits are 0..n}), from its blueprint. */
  public static int unitCount(String model) {
    return ModelCatalog.blueprint(model).unitCount();
  }

  /** What {@link #validate()} parsed. */
  public record Validated(
      TransportKind transport,
      GrpcTuning grpcTuning,
      ModelBlueprint model,
      Partition partition,
      NetworkCondition condition,
      Placement head,
      Placement tail) {}
}
