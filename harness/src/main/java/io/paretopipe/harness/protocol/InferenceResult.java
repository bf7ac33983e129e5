package io.paretopipe.harness.protocol;

import java.util.List;
import java.util.Objects;

/**
 * Stage to head: the output of the request with the same id.
 *
 * @param requestId the id of the request this answers
 * @param tensor the output of the last stage of the pipeline
 * @param stageTimings one entry per remote stage in pipeline order (first remote stage first); a
 *     middle stage prepends its own timing to the list its downstream returned; copied
 */
public record InferenceResult(long requestId, Tensor tensor, List<StageTiming> stageTimings)
    implements Message {
  public InferenceResult {
    Objects.requireNonNull(tensor, "tensor");
    stageTimings = List.copyOf(Objects.requireNonNull(stageTimings, "stageTimings"));
  }
}
