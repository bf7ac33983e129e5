package io.paretopipe.harness.driver;

import io.paretopipe.harness.server.DispatchStrategy;
import io.paretopipe.harness.server.GrpcTuning;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Pipeline} asks its spawned stage servers to serve and tunes its own grpc channel:
 * the stages' dispatch ({@code serve --dispatch}, a {@link DispatchStrategy} name) and the grpc
 * HTTP/2 tuning of both ends ({@code serve --grpc-tuning}). {@code run --dispatch} and {@code run
 * --grpc-tuning} set it.
 *
 * @param dispatch a {@link DispatchStrategy#named} name
 */
public record ServeSettings(String dispatch, GrpcTuning grpcTuning) {
  /** What {@code serve} does without options: run to completion, grpc-java's defaults. */
  public static final ServeSettings DEFAULT =
      new ServeSettings("run-to-completion", GrpcTuning.DEFAULT);

  /**
   * @throws IllegalArgumentException if {@code dispatch} names no strategy
   */
  public ServeSettings {
    Objects.requireNonNull(grpcTuning, "grpcTuning");
    DispatchStrategy.named(Objects.requireNonNull(dispatch, "dispatch"));
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
    return options;
  }
}
