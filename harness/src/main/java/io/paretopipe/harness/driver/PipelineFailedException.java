package io.paretopipe.harness.driver;

import java.io.IOException;

/** A pipeline stopped delivering results: a stage failed, died, or did not answer in time. */
public final class PipelineFailedException extends IOException {
  private static final long serialVersionUID = 1L;

  public PipelineFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
