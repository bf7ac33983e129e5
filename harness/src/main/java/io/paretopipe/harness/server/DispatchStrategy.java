package io.paretopipe.harness.server;

import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.transport.StageSession;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * How a decoded request reaches the compute. It is called on the connection's reading thread, in
 * arrival order, once per admitted request; whatever it produces (or throws) becomes exactly one
 * answer through {@link Outcomes}, written by the thread that completes the request.
 *
 * <ul>
 *   <li>{@link #PIPELINED} hands every request to {@link StageSession#process}: the session's
 *       compute thread works while the reader reads the next request (one thread hand-off per
 *       request).
 *   <li>{@link #RUN_TO_COMPLETION} (the default, {@link RunToCompletion}) computes and answers a
 *       request on the reading thread when the session is idle, and falls back to the pipelined
 *       path when requests queue.
 * </ul>
 *
 * Chosen with {@link StageServerOptions.Builder#optDispatch}; {@code serve --dispatch NAME}.
 */
@FunctionalInterface
public interface DispatchStrategy {
  /** Every request goes to {@link StageSession#process}. */
  DispatchStrategy PIPELINED = StageSession::process;

  /** The reading thread computes when the session is idle; see {@link RunToCompletion}. */
  DispatchStrategy RUN_TO_COMPLETION = RunToCompletion.INSTANCE;

  /** The names {@link #named} accepts, as {@code serve --dispatch} spells them. */
  String NAMES = "run-to-completion, pipelined";

  /**
   * Starts work on {@code request} for {@code session}, which owns the request's tensor from now
   * on.
   *
   * @return completes with the result, or exceptionally ({@code StageException} for a typed error)
   */
  CompletableFuture<InferenceResult> start(StageSession session, InferenceRequest request);

  /**
   * Starts work on {@code request} and completes {@code outcome} with its result or error. {@code
   * outcome} already carries the answer's callback, so a strategy that computes on the calling
   * thread answers before it frees the request's temporaries. The default relays {@link #start}.
   *
   * @param inputWaiting true if requests queue on this connection: the transport saw more input
   *     already waiting behind or before this request, or {@link RequestFlow} saw the head pipeline
   *     within its last {@value RequestFlow#PIPELINING_HEAD_WINDOW} requests; false if neither
   */
  default void dispatch(
      StageSession session,
      InferenceRequest request,
      boolean inputWaiting,
      CompletableFuture<InferenceResult> outcome) {
    CompletableFuture<InferenceResult> future;
    try {
      future = start(session, request);
    } catch (RuntimeException e) {
      outcome.completeExceptionally(e);
      return;
    }
    if (future == null) {
      outcome.completeExceptionally(new NullPointerException("StageSession.process returned null"));
      return;
    }
    future.whenComplete(
        (result, error) -> {
          if (error != null) {
            outcome.completeExceptionally(error);
          } else {
            outcome.complete(result);
          }
        });
  }

  /**
   * The strategy called {@code name} ({@value #NAMES}), case-insensitive.
   *
   * @throws IllegalArgumentException naming the valid names
   */
  static DispatchStrategy named(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "run-to-completion" -> RUN_TO_COMPLETION;
      case "pipelined" -> PIPELINED;
      default ->
          throw new IllegalArgumentException(
              "dispatch \"" + name + "\" is unknown: valid names are " + NAMES);
    };
  }
}
