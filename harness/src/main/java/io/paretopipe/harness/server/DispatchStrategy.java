package io.paretopipe.harness.server;

import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.transport.StageSession;
import java.util.concurrent.CompletableFuture;

/**
 * How a decoded request reaches the compute: the seam for a second dispatch path. It is called on
 * the connection's reading thread, in arrival order, once per admitted request; whatever it returns
 * (or throws) becomes exactly one answer through {@link Outcomes}, written by the thread that
 * completes the future.
 *
 * <p>{@link #PIPELINED}, the only strategy today, hands the request to {@link
 * StageSession#process}: the session's compute thread works while the reader reads the next
 * request. A run-to-completion strategy (compute on the reading thread when the session is idle,
 * falling back to the pipelined path when requests queue) would be a second implementation, chosen
 * with {@link StageServerOptions.Builder#optDispatch}.
 */
@FunctionalInterface
public interface DispatchStrategy {
  /** Every request goes to {@link StageSession#process}. */
  DispatchStrategy PIPELINED = StageSession::process;

  /**
   * Starts work on {@code request} for {@code session}, which owns the request's tensor from now
   * on.
   *
   * @return completes with the result, or exceptionally ({@code StageException} for a typed error)
   */
  CompletableFuture<InferenceResult> start(StageSession session, InferenceRequest request);
}
