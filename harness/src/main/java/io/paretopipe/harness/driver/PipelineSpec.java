package io.paretopipe.harness.driver;

import io.paretopipe.format.NetworkCondition;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.models.ModelOptions;
import io.paretopipe.netem.device.DeviceProfile;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything that defines one pipeline: which model, where it is cut, over which transport the
 * stages talk, where the remote stages run, and how the head computes. Immutable.
 *
 * @param model catalog model name
 * @param options classes, input and seed
 * @param split {@code k} or {@code k1:k2:...}
 * @param transport how the head reaches the remote stages
 * @param tails {@code ["spawn"]} to spawn every remote stage on this machine, or one {@code
 *     HOST:PORT} per remote stage (a running {@code paretopipe serve})
 * @param batch images per request
 * @param headThreads torch threads of the head (this process)
 * @param tailThreads torch threads of each spawned stage server
 * @param headCpus CPUs to pin this process to ("" = leave as is)
 * @param tailCpus CPUs to pin spawned stage servers to ("" = not pinned)
 * @param timeout how long any one request or handshake may take before the run fails
 * @param link the network condition between the head and the first remote stage, applied by a
 *     {@link io.paretopipe.netem.link.UserSpaceLink} proxy; {@code NONE} connects directly
 * @param headCpuQuotaPercent CPU cap of this process in percent of one CPU (a cgroup, root only),
 *     null = none
 * @param tailCpuQuotaPercent CPU cap of each spawned stage server in percent of one CPU, null =
 *     none
 */
public record PipelineSpec(
    String model,
    ModelOptions options,
    String split,
    TransportKind transport,
    List<String> tails,
    int batch,
    int headThreads,
    int tailThreads,
    String headCpus,
    String tailCpus,
    Duration timeout,
    NetworkCondition link,
    Integer headCpuQuotaPercent,
    Integer tailCpuQuotaPercent) {

  public PipelineSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(transport, "transport");
    tails = List.copyOf(tails);
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " (expected: >= 1)");
    }
    if (headThreads < 1 || tailThreads < 1) {
      throw new IllegalArgumentException(
          "threads: head " + headThreads + ", tail " + tailThreads + " (expected: >= 1)");
    }
    headCpus = headCpus == null ? "" : headCpus;
    tailCpus = tailCpus == null ? "" : tailCpus;
    Objects.requireNonNull(timeout, "timeout");
    link = link == null ? NetworkCondition.NONE : link;
    for (Integer q : new Integer[] {headCpuQuotaPercent, tailCpuQuotaPercent}) {
      if (q != null && q < 1) {
        throw new IllegalArgumentException(
            "CPU quota: " + q + "% (expected: >= 1, percent of one CPU)");
      }
    }
  }

  /**
   * Defaults: 10 classes, seed 42, nio, spawned tail, batch 8, one thread per stage, 30 s timeout.
   */
  public static PipelineSpec defaults(String model, String split) {
    return new PipelineSpec(
        model,
        ModelOptions.builder().build(),
        split,
        TransportKind.NIO,
        List.of("spawn"),
        8,
        1,
        1,
        "",
        "",
        Duration.ofSeconds(30),
        NetworkCondition.NONE,
        null,
        null);
  }

  public PipelineSpec withTransport(TransportKind t) {
    return new PipelineSpec(
        model,
        options,
        split,
        t,
        tails,
        batch,
        headThreads,
        tailThreads,
        headCpus,
        tailCpus,
        timeout,
        link,
        headCpuQuotaPercent,
        tailCpuQuotaPercent);
  }

  public PipelineSpec withBatch(int b) {
    return new PipelineSpec(
        model,
        options,
        split,
        transport,
        tails,
        b,
        headThreads,
        tailThreads,
        headCpus,
        tailCpus,
        timeout,
        link,
        headCpuQuotaPercent,
        tailCpuQuotaPercent);
  }

  public PipelineSpec withTails(List<String> t) {
    return new PipelineSpec(
        model,
        options,
        split,
        transport,
        t,
        batch,
        headThreads,
        tailThreads,
        headCpus,
        tailCpus,
        timeout,
        link,
        headCpuQuotaPercent,
        tailCpuQuotaPercent);
  }

  public PipelineSpec withPlacement(
      int headThreads, String headCpus, int tailThreads, String tailCpus) {
    return new PipelineSpec(
        model,
        options,
        split,
        transport,
        tails,
        batch,
        headThreads,
        tailThreads,
        headCpus,
        tailCpus,
        timeout,
        link,
        headCpuQuotaPercent,
        tailCpuQuotaPercent);
  }

  public PipelineSpec withOptions(ModelOptions o) {
    return new PipelineSpec(
        model,
        o,
        split,
        transport,
        tails,
        batch,
        headThreads,
        tailThreads,
        headCpus,
        tailCpus,
        timeout,
        link,
        headCpuQuotaPercent,
        tailCpuQuotaPercent);
  }

  /** This spec with a network condition between the head and the first remote stage. */
  public PipelineSpec withLink(NetworkCondition l) {
    return new PipelineSpec(
        model,
        options,
        split,
        transport,
        tails,
        batch,
        headThreads,
        tailThreads,
        headCpus,
        tailCpus,
        timeout,
        l,
        headCpuQuotaPercent,
        tailCpuQuotaPercent);
  }

  public PipelineSpec withTimeout(Duration t) {
    return new PipelineSpec(
        model,
        options,
        split,
        transport,
        tails,
        batch,
        headThreads,
        tailThreads,
        headCpus,
        tailCpus,
        t,
        link,
        headCpuQuotaPercent,
        tailCpuQuotaPercent);
  }

  /**
   * This spec with CPU caps (percent of one CPU; null = none) for the head and each spawned stage
   * server.
   */
  public PipelineSpec withCpuQuotas(Integer head, Integer tail) {
    return new PipelineSpec(
        model,
        options,
        split,
        transport,
        tails,
        batch,
        headThreads,
        tailThreads,
        headCpus,
        tailCpus,
        timeout,
        link,
        head,
        tail);
  }

  /**
   * This spec with the head and spawned stage servers placed as device profiles say: CPU set,
   * threads and CPU quota. A null profile leaves that side as it is.
   */
  public PipelineSpec withDevices(DeviceProfile head, DeviceProfile tail) {
    PipelineSpec s = this;
    if (head != null) {
      s =
          s.withPlacement(head.threads(), head.cpuSet(), s.tailThreads(), s.tailCpus())
              .withCpuQuotas(head.cpuQuotaPercent(), s.tailCpuQuotaPercent());
    }
    if (tail != null) {
      s =
          s.withPlacement(s.headThreads(), s.headCpus(), tail.threads(), tail.cpuSet())
              .withCpuQuotas(s.headCpuQuotaPercent(), tail.cpuQuotaPercent());
    }
    return s;
  }
}
