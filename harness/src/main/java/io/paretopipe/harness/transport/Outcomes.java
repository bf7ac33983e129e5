package io.paretopipe.harness.transport;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * How every transport turns the completion of {@link StageSession#process} into what the head
 * receives.
 */
public final class Outcomes {
  private Outcomes() {}

  /**
   * The message for the head: the result if it answers {@code requestId}, otherwise an error report
   * carrying {@code requestId} (a {@link StageException}'s code and message, or INTERNAL).
   */
  public static Object of(long requestId, InferenceResult result, Throwable error) {
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
