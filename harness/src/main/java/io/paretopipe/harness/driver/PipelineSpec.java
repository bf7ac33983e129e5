package io.paretopipe.harness.driver;

import io.paretopipe.format.NetworkCondition;
import io.paretopipe.harness.placement.Placement;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.models.ModelBlueprint;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.models.Partition;
import io.paretopipe.netem.device.DeviceProfile;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything that defines one pipeline, parsed and typed: which model (its blueprint, built once),
 * where it is cut, over which transport the stages talk, where the remote stages run, and how the
 * head and the spawned stage servers compute. Strings stop at the edges that build it ({@code run},
 * {@code PartitionConfig}, the soak); everything inward takes these types. Immutable.
 *
 * @param model the model for its options (classes, input, seed)
 * @param partition the cuts, validated against {@code model}'s units
 * @param transport how the head reaches the remote stages
 * @param tails {@code ["spawn"]} to spawn every remote stage on this machine, or one {@code
 *     HOST:PORT} per remote stage (a running {@code paretopipe serve})
 * @param batch images per request
 * @param head where and how this process computes
 * @param tail where and how each spawned stage server computes (a quota needs spawned servers)
 * @param timeout how long any one request or handshake may take before the run fails
 * @param link the network condition between the head and the first remote stage, applied by a
 *     {@link io.paretopipe.netem.link.UserSpaceLink} proxy; {@code NONE} connects directly
 */
public record PipelineSpec(
    ModelBlueprint model,
    Partition partition,
    TransportKind transport,
    List<String> tails,
    int batch,
    Placement head,
    Placement tail,
    Duration timeout,
    NetworkCondition link) {

  /** The {@code tails} value that spawns the stage servers on this machine. */
  public static final List<String> SPAWN = List.of("spawn");

  public PipelineSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(partition, "partition");
    if (partition.unitCount() != model.unitCount()) {
      throw new IllegalArgumentException(
          "partition "
              + partition
              + " has "
              + partition.unitCount()
              + " units but "
              + model.name()
              + " has "
              + model.unitCount());
    }
    Objects.requireNonNull(transport, "transport");
    tails = List.copyOf(tails);
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " (expected: >= 1)");
    }
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(tail, "tail");
    Objects.requireNonNull(timeout, "timeout");
    link = link == null ? NetworkCondition.NONE : link;
  }

  /**
   * Defaults: nio, spawned tail, batch 8, both sides unpinned with one thread, 30 s timeout, no
   * link.
   */
  public static PipelineSpec defaults(ModelBlueprint model, Partition partition) {
    return new PipelineSpec(
        model,
        partition,
        TransportKind.NIO,
        SPAWN,
        8,
        Placement.DEFAULT,
        Placement.DEFAULT,
        Duration.ofSeconds(30),
        NetworkCondition.NONE);
  }

  /**
   * {@link #defaults(ModelBlueprint, Partition)} for a model with default options (10 classes, its
   * default input, seed 42) and a split written {@code k} or {@code k1:k2}.
   *
   * @throws IllegalArgumentException for an unknown model or a split it does not have
   */
  public static PipelineSpec defaults(String model, String split) {
    ModelBlueprint blueprint = ModelCatalog.blueprint(model);
    return defaults(blueprint, blueprint.partition(split));
  }

  /** The split in its colon form, e.g. {@code 3} or {@code 3:9}. */
  public String split() {
    return Partition.format(partition.cuts());
  }

  /** Whether the remote stages are spawned on this machine ({@link #SPAWN}). */
  public boolean spawnsTails() {
    return tails.equals(SPAWN);
  }

  public PipelineSpec withTransport(TransportKind t) {
    return new PipelineSpec(model, partition, t, tails, batch, head, tail, timeout, link);
  }

  public PipelineSpec withBatch(int b) {
    return new PipelineSpec(model, partition, transport, tails, b, head, tail, timeout, link);
  }

  public PipelineSpec withTails(List<String> t) {
    return new PipelineSpec(model, partition, transport, t, batch, head, tail, timeout, link);
  }

  /** This spec with the head and the spawned stage servers placed as given. */
  public PipelineSpec withPlacement(Placement h, Placement t) {
    return new PipelineSpec(model, partition, transport, tails, batch, h, t, timeout, link);
  }

  /** This spec with a network condition between the head and the first remote stage. */
  public PipelineSpec withLink(NetworkCondition l) {
    return new PipelineSpec(model, partition, transport, tails, batch, head, tail, timeout, l);
  }

  public PipelineSpec withTimeout(Duration t) {
    return new PipelineSpec(model, partition, transport, tails, batch, head, tail, t, link);
  }

  /**
   * This spec with the head and spawned stage servers placed as device profiles say: CPU set,
   * threads and CPU quota. A null profile leaves that side as it is.
   */
  public PipelineSpec withDevices(DeviceProfile headDevice, DeviceProfile tailDevice) {
    return withPlacement(
        headDevice == null ? head : Placement.of(headDevice),
        tailDevice == null ? tail : Placement.of(tailDevice));
  }
}
