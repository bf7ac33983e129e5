package io.paretopipe.harness.protocol;

import java.util.Objects;

/**
 * The content of an ERROR frame: a {@link StageException} in transit.
 *
 * @param requestId the request concerned, or {@link StageException#NO_REQUEST} (-1) for the
 *     connection
 * @param code why
 * @param message for humans
 */
public record ErrorReport(long requestId, ErrorCode code, String message) implements Message {
  public ErrorReport {
    Objects.requireNonNull(code, "code");
    message = message == null ? "" : message;
  }

  /** The exception this report stands for, to be thrown on the receiving side. */
  public StageException toException() {
    return new StageException(code, message, requestId);
  }
}
