package io.paretopipe.harness.transport;

import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** The stage side of one connection, created by {@link StageService#open}. */
public interface StageSession extends AutoCloseable {
  /**
   * What the stage loaded; sent to the head once, right after {@link StageService#open} returns.
   */
  HandshakeReply reply();

  /**
   * Starts work on one request. Called on the connection's reader thread, in arrival order; it
   * should return quickly (hand compute to another thread) so the next request can be read while
   * this one runs.
   *
   * <p>The session completes the future from any thread, possibly out of order; the transport then
   * writes the result back on its own writer thread (writes are serialized by the transport, and
   * the completing thread never blocks on the network). Completing exceptionally with a {@link
   * io.paretopipe.harness.protocol.StageException} sends an ERROR frame with its code and message
   * and the request's id; any other exception is sent as {@code INTERNAL}. Request-level errors
   * leave the connection open. A result whose request id differs from the request's is sent as an
   * {@code INTERNAL} error instead.
   *
   * <p>The request's tensor is owned by the session from this call on (on {@code nio} it is a fresh
   * direct buffer nobody else references).
   */
  CompletableFuture<InferenceResult> process(InferenceRequest request);

  /**
   * Computes {@code request} on the calling thread if the session is idle (no request queued or
   * computing), completing {@code outcome} with its result or error; {@code outcome} carries the
   * answer's callback, so the answer is written before the request's temporaries are freed. A last
   * stage completes {@code outcome} before returning; a middle stage when the next stage answers.
   * Called like {@link #process}: on the connection's reading thread, in arrival order.
   *
   * @return false, without touching {@code request} or {@code outcome}, if the session is busy or
   *     cannot compute on other threads; the caller then uses {@link #process}. Default false.
   */
  default boolean tryProcessInline(
      InferenceRequest request, CompletableFuture<InferenceResult> outcome) {
    return false;
  }

  /**
   * True while the session has no request queued or computing and is only freeing the temporaries
   * of requests it has already answered: it will be idle within a fraction of a millisecond.
   * Default false.
   */
  default boolean onlyFinishing() {
    return false;
  }

  /**
   * Releases what the session holds. Called exactly once by the transport when the connection ends
   * for any reason, possibly while futures are still pending; must be idempotent anyway. Every
   * future still pending must complete soon after (normally exceptionally, {@code CLOSED}): the
   * {@code nio} server keeps a request's share of the stage's request memory until its future
   * completes.
   */
  @Override
  void close();

  /**
   * True if this session no longer references a request tensor's memory (neither the buffer nor an
   * NDArray wrapping it) once the future returned by {@link #process} has completed. The transport
   * may then reuse that memory for a later request's payload after the answer has been written,
   * which saves allocating (and zeroing) a new direct buffer per request. Default false: every
   * request gets fresh memory.
   */
  default boolean releasesRequestTensorOnCompletion() {
    return false;
  }

  /**
   * A session whose whole behaviour is one function: it replies {@code reply}, answers each request
   * with {@code process} (called as {@link #process} is, on the connection's reading thread) and
   * holds nothing else; {@link #close} does nothing. For echo and test stages and benchmark tails.
   *
   * @param releasesRequestTensor what {@link #releasesRequestTensorOnCompletion()} answers: true
   *     only if {@code process} keeps no reference to the request's tensor once its future
   *     completed
   */
  static StageSession of(
      HandshakeReply reply,
      Function<InferenceRequest, CompletableFuture<InferenceResult>> process,
      boolean releasesRequestTensor) {
    return of(reply, process, releasesRequestTensor, () -> {});
  }

  /**
   * As {@link #of(HandshakeReply, Function, boolean)}, and {@link #close} runs {@code onClose}
   * (every time it is called, so {@code onClose} must be idempotent), e.g. to stop the executor
   * {@code process} hands its work to.
   */
  static StageSession of(
      HandshakeReply reply,
      Function<InferenceRequest, CompletableFuture<InferenceResult>> process,
      boolean releasesRequestTensor,
      Runnable onClose) {
    return new StageSession() {
      @Override
      public HandshakeReply reply() {
        return reply;
      }

      @Override
      public CompletableFuture<InferenceResult> process(InferenceRequest request) {
        return process.apply(request);
      }

      @Override
      public boolean releasesRequestTensorOnCompletion() {
        return releasesRequestTensor;
      }

      @Override
      public void close() {
        onClose.run();
      }
    };
  }
}
