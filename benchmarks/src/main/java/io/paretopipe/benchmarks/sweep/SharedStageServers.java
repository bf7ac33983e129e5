package io.paretopipe.benchmarks.sweep;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.benchmarks.PartitionConfig;
import io.paretopipe.benchmarks.SharedTail;
import io.paretopipe.harness.auth.SharedSecret;
import io.paretopipe.harness.placement.CpuAffinity;
import io.paretopipe.harness.placement.CpuSet;
import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.netem.device.CpuQuota;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One stage server per network transport (per grpc tuning for grpc: each {@link SharedTail#key} is
 * a server), started once and shared by every point of that transport ({@code tail=shared}, {@link
 * SharedTail}): nothing restarts per split, and the server's stage cache keeps each split's tail
 * built across passes. Each server is pinned to the tail CPUs with the tail thread count and, with
 * a CPU quota, lives in a cgroup this object owns (a restarted server joins the same cgroup).
 *
 * <p>Owns the processes and cgroups: {@link #close()} ends them, keeping the first failure and
 * adding the rest as suppressed; idempotent. The servers also die with the sweep's JVM, even on
 * {@code kill -9} ({@link StageServerProcess}). One thread (the sweep's) uses it.
 */
final class SharedStageServers implements AutoCloseable {

  /**
   * Where and how the servers run.
   *
   * @param dispatch the servers' {@code serve --dispatch} (a {@code DispatchStrategy} name)
   * @param jvmOptions the servers' JVM options as {@link StageServerProcess#parseJvmOptions} reads
   *     them; {@value StageServerProcess#JVM_OPTIONS_AUTO} leaves them to {@link
   *     StageServerProcess.Builder}
   */
  record Placement(
      CpuSet cpus,
      int threads,
      Integer cpuQuotaPercent,
      List<Path> modelDirectories,
      String dispatch,
      String jvmOptions) {

    /** With the default dispatch, run to completion, and JVM options. */
    Placement(CpuSet cpus, int threads, Integer cpuQuotaPercent, List<Path> modelDirectories) {
      this(
          cpus,
          threads,
          cpuQuotaPercent,
          modelDirectories,
          io.paretopipe.harness.driver.ServeSettings.DEFAULT.dispatch());
    }

    /** With the sweep's default JVM options, {@value StageServerProcess#JVM_OPTIONS_NONE}. */
    Placement(
        CpuSet cpus,
        int threads,
        Integer cpuQuotaPercent,
        List<Path> modelDirectories,
        String dispatch) {
      this(
          cpus,
          threads,
          cpuQuotaPercent,
          modelDirectories,
          dispatch,
          StageServerProcess.JVM_OPTIONS_NONE);
    }
  }

  private final Placement placement;
  private final SharedSecret secret;
  private final PrintStream console;
  private final Map<String, StageServerProcess> servers = new LinkedHashMap<>();
  private final Map<String, CpuQuota> quotas = new LinkedHashMap<>();
  private final Map<String, Integer> restarts = new LinkedHashMap<>();
  private boolean closed;

  /**
   * @param secret what the servers require of the heads (the environment's shared secret), null =
   *     none
   */
  SharedStageServers(Placement placement, SharedSecret secret, PrintStream console) {
    this.placement = placement;
    this.secret = secret;
    this.console = console;
  }

  /**
   * Starts the server of each network transport among {@code transports} ({@link SharedTail#key}s,
   * {@code grpc@tuned} a grpc server with {@code serve --grpc-tuning tuned}; {@code local} has
   * none); with a quota, first removes the quota cgroups of owners that no longer run (a sweep
   * killed with {@code kill -9}).
   */
  void start(List<String> transports) throws IOException {
    if (placement.cpuQuotaPercent() != null) {
      for (String left : CpuQuota.clearLeftovers()) {
        console.println("removed the CPU quota cgroup of a sweep that is gone: " + left);
      }
    }
    for (String transport : transports) {
      if (!transport.equals("local") && !servers.containsKey(transport)) {
        servers.put(transport, spawn(transport));
        restarts.put(transport, 0);
        console.println("stage server (" + transport + "): " + describe(transport));
      }
    }
  }

  private StageServerProcess spawn(String transport) throws IOException {
    TransportKind kind = TransportKind.parse(SharedTail.transportOf(transport));
    var settings =
        new io.paretopipe.harness.driver.ServeSettings(
                placement.dispatch(),
                io.paretopipe.harness.server.GrpcTuning.parse(SharedTail.grpcTuningOf(transport)))
            .withStageJvmOptions(placement.jvmOptions());
    StageServerProcess.Builder builder =
        StageServerProcess.builder()
            .optCpus(placement.cpus())
            .optThreads(placement.threads())
            .optTransport(kind)
            .optModelDirectories(placement.modelDirectories())
            .optSecret(secret)
            .optServeOptions(settings.serveOptions());
    settings.stageJvmOptions(kind).ifPresent(builder::optJvmOptions);
    StageServerProcess server = builder.start();
    if (placement.cpuQuotaPercent() != null) {
      try {
        quotas
            .computeIfAbsent(transport, t -> CpuQuota.create(placement.cpuQuotaPercent()))
            .addProcess(server.pid());
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    }
    return server;
  }

  /** Whether {@code transport} has a shared server ({@code local} has none). */
  boolean has(String transport) {
    return servers.containsKey(transport);
  }

  /**
   * The system properties that tell {@code tail=shared} where the server of {@code transport} is
   * ({@link SharedTail#properties}); empty for {@code local}.
   */
  Map<String, String> properties(String transport) {
    StageServerProcess s = servers.get(transport);
    if (s == null) {
      return Map.of();
    }
    return SharedTail.properties(transport, s.address(), s.pid(), placement.cpuQuotaPercent());
  }

  /**
   * Replaces the server of {@code transport} if it has died (killed, crashed), so one lost server
   * fails only the trials it was serving, not every pass after them.
   *
   * @return whether it was restarted
   */
  boolean restartIfDead(String transport) throws IOException {
    StageServerProcess server = servers.get(transport);
    if (server == null || server.isAlive()) {
      return false;
    }
    server.close();
    StageServerProcess restarted = spawn(transport);
    servers.put(transport, restarted);
    restarts.merge(transport, 1, Integer::sum);
    console.println(
        "stage server ("
            + transport
            + ") had died "
            + (server.logWasEmpty() ? server.logName() : "(log: " + server.log() + ")")
            + "; restarted: "
            + describe(transport));
    return true;
  }

  private String describe(String transport) {
    Integer quota = placement.cpuQuotaPercent();
    String dispatch =
        placement.dispatch().equals(io.paretopipe.harness.driver.ServeSettings.DEFAULT.dispatch())
            ? ""
            : ", dispatch " + placement.dispatch();
    StageServerProcess server = servers.get(transport);
    String jvm = server.jvmOptions().isEmpty() ? "" : ", JVM options " + server.jvmOptionsSetting();
    String tuning = SharedTail.grpcTuningOf(transport);
    String grpc =
        tuning.equals(PartitionConfig.DEFAULT_GRPC_TUNING) ? "" : ", grpc tuning " + tuning;
    return server + (quota == null ? "" : ", CPU quota " + quota + "%") + dispatch + grpc + jvm;
  }

  /**
   * {@code {"nio": "-XX:TieredStopAtLevel=1", "grpc": "none"}} into {@code node}: the JVM options
   * each running server was started with, separated by a space, or {@value
   * StageServerProcess#JVM_OPTIONS_NONE}.
   */
  void jvmOptionsInto(ObjectNode node) {
    servers.forEach((transport, server) -> node.put(transport, server.jvmOptionsSetting()));
  }

  /**
   * {@code {"nio": {"address", "pid", "cpus_allowed", "threads", "cpu_quota_percent", "restarts"}}}
   * into {@code node}: what identifies the setup in run-metadata.json.
   */
  void describeInto(ObjectNode node) {
    for (Map.Entry<String, StageServerProcess> e : servers.entrySet()) {
      StageServerProcess server = e.getValue();
      ObjectNode stage = node.putObject(e.getKey());
      stage.put("tail_param", SharedTail.VALUE);
      stage.put("address", server.address());
      stage.put("pid", server.pid());
      stage.put("cpus_allowed", CpuAffinity.allowedCpus(server.pid()));
      stage.put("threads", server.threads());
      if (placement.cpuQuotaPercent() == null) {
        stage.putNull("cpu_quota_percent");
      } else {
        stage.put("cpu_quota_percent", placement.cpuQuotaPercent());
      }
      stage.put("restarts", restarts.getOrDefault(e.getKey(), 0));
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<AutoCloseable> all = new ArrayList<>(servers.values());
    all.addAll(quotas.values());
    RuntimeException first = null;
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = new IllegalStateException("closing the shared stage servers: " + e, e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    servers.clear();
    quotas.clear();
    if (first != null) {
      throw first;
    }
  }
}
