package io.paretopipe.harness.transport;

import java.io.IOException;

/**
 * A {@link StageChannel} was used after, or interrupted by, its own {@link StageChannel#close()}.
 */
public final class StageChannelClosedException extends IOException {
  private static final long serialVersionUID = 1L;

  public StageChannelClosedException(String message) {
    super(message);
  }
}
