package io.paretopipe.harness.driver;

import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.server.DispatchStrategy;
import io.paretopipe.harness.server.GrpcTuning;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.TransportKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Pipeline} asks its spawned stage servers to serve and tunes its own grpc channel:
 * the stages' dispatch ({@code serve --dispatch}, a {@link DispatchStrategy} name) and the grpc
 * HTTP/2 tuning of both ends ({@code serve --grpc-tuning}) and the per-connection in-flight limit
 * ({@code serve --max-in-flight}). {@code run --dispatch} and {@code run --grpc-tuning} set the
 * first two; an open-loop driver that keeps more than {@value
 * StageServerOptions#DEFAULT_MAX_IN_FLIGHT} requests outstanding needs the third (else the stage
 * answers {@code BUSY}). {@code run --spin-wait} sets the fourth, which concerns the head alone;
 * {@code run --stage-jvm-options} the fifth, the spawned servers' JVM options.
 *
 * @param dispatch a {@link DispatchStrategy#named} name
 * @param maxInFlight requests one connection may have unanswered at a stage, >= 1
 * @param spinForAnswers whether the head's nio channel spins for answers in a short window around
 *     their expected arrival (decided by {@link SpinWaitPolicy}; false by default)
 * @param stageJvmOptions the spawned servers' JVM options as {@link
 *     StageServerProcess#parseJvmOptions} reads them; {@value StageServerProcess#JVM_OPTIONS_AUTO}
 *     (default) leaves them to {@link StageServerProcess.Builder}: the system property {@value
 *     StageServerProcess#JVM_OPTIONS_PROPERTY}, else the transport's default
 */
public record ServeSettings(
    String dispatch,
    GrpcTuning grpcTuning,
    int maxInFlight,
    boolean spinForAnswers,
    String stageJvmOptions) {
  /** What {@code serve} does without options: run to completion, grpc-java's defaults. */
  public static final ServeSettings DEFAULT =
      new ServeSettings("run-to-completion", GrpcTuning.DEFAULT);

  /**
   * @throws IllegalArgumentException if {@code dispatch} names no strategy, {@code maxInFlight} is
   *     below 1 or {@code stageJvmOptions} lists something that is not a JVM option
   */
  public ServeSettings {
    Objects.requireNonNull(grpcTuning, "grpcTuning");
    StageServerProcess.parseJvmOptions(
        Objects.requireNonNull(stageJvmOptions, "stageJvmOptions"), TransportKind.NIO);
    DispatchStrategy.named(Objects.requireNonNull(dispatch, "dispatch"));
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 1)");
    }
  }

  /** With the spawned servers' JVM options left to {@link StageServerProcess.Builder}. */
  public ServeSettings(
      String dispatch, GrpcTuning grpcTuning, int maxInFlight, boolean spinForAnswers) {
    this(dispatch, grpcTuning, maxInFlight, spinForAnswers, StageServerProcess.JVM_OPTIONS_AUTO);
  }

  /** Without spinning for answers. */
  public ServeSettings(String dispatch, GrpcTuning grpcTuning, int maxInFlight) {
    this(dispatch, grpcTuning, maxInFlight, false);
  }

  /** With the stage server's default in-flight limit, without spinning for answers. */
  public ServeSettings(String dispatch, GrpcTuning grpcTuning) {
    this(dispatch, grpcTuning, StageServerOptions.DEFAULT_MAX_IN_FLIGHT);
  }

  /** The same settings with another per-connection in-flight limit. */
  public ServeSettings withMaxInFlight(int limit) {
    return new ServeSettings(dispatch, grpcTuning, limit, spinForAnswers, stageJvmOptions);
  }

  /** The same settings with the head's channel spinning for answers or not. */
  public ServeSettings withSpinForAnswers(boolean spin) {
    return new ServeSettings(dispatch, grpcTuning, maxInFlight, spin, stageJvmOptions);
  }

  /** The same settings with other JVM options for the spawned servers. */
  public ServeSettings withStageJvmOptions(String options) {
    return new ServeSettings(dispatch, grpcTuning, maxInFlight, spinForAnswers, options);
  }

  /**
   * The JVM options to give a spawned server of {@code transport}, or empty to leave them to {@link
   * StageServerProcess.Builder} ({@value StageServerProcess#JVM_OPTIONS_AUTO}).
   */
  public java.util.Optional<List<String>> stageJvmOptions(TransportKind transport) {
    return stageJvmOptions.strip().equals(StageServerProcess.JVM_OPTIONS_AUTO)
        ? java.util.Optional.empty()
        : java.util.Optional.of(StageServerProcess.parseJvmOptions(stageJvmOptions, transport));
  }

  /** The {@code serve} options that ask for these settings; empty for {@link #DEFAULT}. */
  public List<String> serveOptions() {
    List<String> options = new ArrayList<>();
    if (!dispatch.equals(DEFAULT.dispatch())) {
      options.addAll(List.of("--dispatch", dispatch));
    }
    if (grpcTuning != GrpcTuning.DEFAULT) {
      options.addAll(List.of("--grpc-tuning", grpcTuning.cliName()));
    }
    if (maxInFlight != StageServerOptions.DEFAULT_MAX_IN_FLIGHT) {
      options.addAll(List.of("--max-in-flight", Integer.toString(maxInFlight)));
    }
    return options;
  }
}
