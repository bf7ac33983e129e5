package io.paretopipe.harness.driver;

/**
 * The first failure of a driver's pipeline, kept for every later call: once the receive loop or a
 * sender has recorded one, each caller gets it again (as a new exception with the first as its
 * cause, so each stack trace shows where it was seen). Thread-safe.
 */
final class FirstFailure {
  private PipelineFailedException failure;

  /** Records the failure unless one is recorded already. */
  synchronized void record(String message, Throwable cause) {
    if (failure == null) {
      failure = new PipelineFailedException(message, cause);
    }
  }

  /**
   * Records the failure unless one is recorded already.
   *
   * @return the first failure, to throw
   */
  synchronized PipelineFailedException raise(String message, Throwable cause) {
    record(message, cause);
    return failure;
  }

  synchronized boolean isSet() {
    return failure != null;
  }

  /**
   * @throws PipelineFailedException carrying the first failure, if there is one
   */
  void check() throws PipelineFailedException {
    PipelineFailedException f;
    synchronized (this) {
      f = failure;
    }
    if (f != null) {
      throw new PipelineFailedException(f.getMessage(), f);
    }
  }
}
