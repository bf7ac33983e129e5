package io.paretopipe.harness.protocol;

import java.util.Objects;

/**
 * Head to stage: run the stage's units on {@code tensor}.
 *
 * @param requestId chosen by the head, echoed in the result or error; any value but -1 (which
 *     {@link StageException#NO_REQUEST} reserves for connection-level errors)
 * @param tensor the input, batch dimension included
 */
public record InferenceRequest(long requestId, Tensor tensor) implements Message {
  public InferenceRequest {
    if (requestId == StageException.NO_REQUEST) {
      throw new IllegalArgumentException(
          "request id -1 is reserved for connection-level errors: use any other id");
    }
    Objects.requireNonNull(tensor, "tensor");
  }
}
