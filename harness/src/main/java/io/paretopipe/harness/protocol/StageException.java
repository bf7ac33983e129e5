package io.paretopipe.harness.protocol;

/**
 * A typed failure reported by a stage or detected by the protocol: an {@link ErrorCode}, a message
 * for humans, and the id of the request it concerns ({@link #NO_REQUEST}, i.e. -1, when it concerns
 * the whole connection, e.g. a rejected handshake).
 *
 * <p>On a stage, throwing (or completing a future with) a {@code StageException} makes the
 * transport send an ERROR frame with exactly this code, message and request id; on the head,
 * receiving an ERROR frame raises a {@code StageException} with the same three values.
 */
public class StageException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The request id of errors that concern the connection rather than one request. */
  public static final long NO_REQUEST = -1L;

  private final ErrorCode code;
  private final long requestId;

  /** A connection-level error (request id {@link #NO_REQUEST}). */
  public StageException(ErrorCode code, String message) {
    this(code, message, NO_REQUEST, null);
  }

  /** An error about one request. */
  public StageException(ErrorCode code, String message, long requestId) {
    this(code, message, requestId, null);
  }

  /**
   * The general form.
   *
   * @param code why; never null
   * @param message for humans; names what was wrong and what is valid
   * @param requestId the request concerned, or {@link #NO_REQUEST}
   * @param cause the underlying exception, or null
   */
  public StageException(ErrorCode code, String message, long requestId, Throwable cause) {
    super(message, cause);
    if (code == null) {
      throw new NullPointerException("code");
    }
    this.code = code;
    this.requestId = requestId;
  }

  /** Why the stage refused; never null. */
  public ErrorCode code() {
    return code;
  }

  /** The request this error concerns, or {@link #NO_REQUEST} (-1) for connection-level errors. */
  public long requestId() {
    return requestId;
  }

  /** This error as the ERROR message that carries it over the wire. */
  public ErrorReport toReport() {
    return new ErrorReport(requestId, code, String.valueOf(getMessage()));
  }

  @Override
  public String toString() {
    String head =
        getClass().getName()
            + " ["
            + code
            + (requestId == NO_REQUEST ? "" : ", request " + requestId)
            + "]";
    return getMessage() == null ? head : head + ": " + getMessage();
  }
}
