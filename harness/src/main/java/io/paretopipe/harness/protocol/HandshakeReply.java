package io.paretopipe.harness.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A stage's answer to a successful {@link Handshake}: what it loaded and where it runs.
 *
 * @param model the model it loaded
 * @param unitNames names of the units it runs, in order; copied
 * @param expectedInputShape shape of request tensors, batch dimension included; copied
 * @param outputShape shape of result tensors, batch dimension included; copied
 * @param parameterCount number of parameters of the loaded units
 * @param pid process id of the stage
 * @param cpusAllowed the stage's CPU set as Linux prints it (e.g. "2-3"), "" if unknown
 * @param threads intra-op threads the stage uses
 * @param engine engine name and version, e.g. "PyTorch 2.5.1"
 */
public record HandshakeReply(
    String model,
    List<String> unitNames,
    long[] expectedInputShape,
    long[] outputShape,
    long parameterCount,
    long pid,
    String cpusAllowed,
    int threads,
    String engine)
    implements Message {

  public HandshakeReply {
    Objects.requireNonNull(model, "model");
    unitNames = List.copyOf(Objects.requireNonNull(unitNames, "unitNames"));
    expectedInputShape = Objects.requireNonNull(expectedInputShape, "expectedInputShape").clone();
    outputShape = Objects.requireNonNull(outputShape, "outputShape").clone();
    if (expectedInputShape.length > Tensor.MAX_RANK || outputShape.length > Tensor.MAX_RANK) {
      throw new IllegalArgumentException(
          "handshake reply shapes "
              + Arrays.toString(expectedInputShape)
              + " -> "
              + Arrays.toString(outputShape)
              + " exceed rank "
              + Tensor.MAX_RANK);
    }
    cpusAllowed = cpusAllowed == null ? "" : cpusAllowed;
    engine = engine == null ? "" : engine;
  }

  /** A copy of the request shape, batch included. */
  @Override
  public long[] expectedInputShape() {
    return expectedInputShape.clone();
  }

  /** A copy of the result shape, batch included. */
  @Override
  public long[] outputShape() {
    return outputShape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HandshakeReply r
        && model.equals(r.model)
        && unitNames.equals(r.unitNames)
        && Arrays.equals(expectedInputShape, r.expectedInputShape)
        && Arrays.equals(outputShape, r.outputShape)
        && parameterCount == r.parameterCount
        && pid == r.pid
        && cpusAllowed.equals(r.cpusAllowed)
        && threads == r.threads
        && engine.equals(r.engine);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        model,
        unitNames,
        Arrays.hashCode(expectedInputShape),
        Arrays.hashCode(outputShape),
        parameterCount,
        pid,
        cpusAllowed,
        threads,
        engine);
  }

  @Override
  public String toString() {
    return "HandshakeReply[model="
        + model
        + ", unitNames="
        + unitNames
        + ", expectedInputShape="
        + Arrays.toString(expectedInputShape)
        + ", outputShape="
        + Arrays.toString(outputShape)
        + ", parameterCount="
        + parameterCount
        + ", pid="
        + pid
        + ", cpusAllowed="
        + cpusAllowed
        + ", threads="
        + threads
        + ", engine="
        + engine
        + "]";
  }
}
