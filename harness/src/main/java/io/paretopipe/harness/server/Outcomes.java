package io.paretopipe.harness.server;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.transport.StageSession;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * How every transport turns a request handed to a {@link StageSession} into exactly one message for
 * the head: the result, or an error report carrying the request's id. The stage servers use it
 * through {@link RequestFlow}; the {@code local} transport, which has no server, directly.
 */
public final class Outcomes {
  private Outcomes() {}

  /**
   * Starts {@code request} with {@code strategy} and hands exactly one message about it to {@code
   * answer}, on the thread that completes it (possibly this one): whatever the session does
   * (throws, returns null, completes with another request's result), the head gets one answer.
   */
  public static void dispatch(
      DispatchStrategy strategy,
      StageSession session,
      InferenceRequest request,
      Consumer<Message> answer) {
    dispatch(strategy, session, request, false, answer);
  }

  /**
   * As {@link #dispatch(DispatchStrategy, StageSession, InferenceRequest, Consumer)}, telling the
   * strategy whether the transport saw more input waiting ({@link DispatchStrategy#dispatch}).
   */
  public static void dispatch(
      DispatchStrategy strategy,
      StageSession session,
      InferenceRequest request,
      boolean inputWaiting,
      Consumer<Message> answer) {
    long requestId = request.requestId();
    CompletableFuture<InferenceResult> outcome = new CompletableFuture<>();
    outcome.whenComplete((result, error) -> answer.accept(of(requestId, result, error)));
    try {
      strategy.dispatch(session, request, inputWaiting, outcome);
    } catch (RuntimeException e) {
      outcome.completeExceptionally(e);
    }
  }

  /**
   * The message for the head: the result if it answers {@code requestId}, otherwise an error report
   * carrying {@code requestId} (a {@link StageException}'s code and message, or INTERNAL).
   */
  public static Message of(long requestId, InferenceResult result, Throwable error) {
    if (error == null && result == null) {
      return new ErrorReport(
          requestId,
          ErrorCode.INTERNAL,
          "stage session completed request " + requestId + " with a null result");
    }
    if (error == null) {
      if (result.requestId() != requestId) {
        return new ErrorReport(
            requestId,
            ErrorCode.INTERNAL,
            "stage session answered request "
                + requestId
                + " with a result for request "
                + result.requestId());
      }
      return result;
    }
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof StageException se) {
      return new ErrorReport(requestId, se.code(), String.valueOf(se.getMessage()));
    }
    return new ErrorReport(
        requestId, ErrorCode.INTERNAL, "stage failed on request " + requestId + ": " + cause);
  }
}
