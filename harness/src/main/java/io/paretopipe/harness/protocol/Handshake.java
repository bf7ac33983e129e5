package io.paretopipe.harness.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * First message of every connection, head to stage: which part of which model to run and how.
 *
 * <p>The stage loads units {@code [unitStart, unitEnd)} of {@code model}; {@code unitEnd} equal to
 * the model's unit count means it also runs the suffix (the prefix always stays on the head). An
 * empty {@code downstream} makes this the last stage; otherwise the stage forwards its output to
 * {@code downstream.get(0)}, passing on the rest of the list. The protocol version is in the frame
 * header, not here.
 *
 * @param model catalog name, e.g. "resnet18"
 * @param classes number of output classes of the model
 * @param inputShape per-image model input, C,H,W (batch not included); copied
 * @param unitStart first unit to run, &gt;= 0
 * @param unitEnd exclusive end of the unit range, &gt;= unitStart
 * @param batch images per request, &gt;= 1
 * @param dtype element type of request tensors
 * @param seed seed of the model's weight initialisation, so every stage builds the same weights
 * @param threads intra-op threads the stage should use; 0 = the stage's default
 * @param modelDigest digest of the weights the head expects, "" if none
 * @param downstream the stages after this one, in pipeline order; copied
 */
public record Handshake(
    String model,
    int classes,
    int[] inputShape,
    int unitStart,
    int unitEnd,
    int batch,
    DType dtype,
    long seed,
    int threads,
    String modelDigest,
    List<Downstream> downstream)
    implements Message {

  /**
   * @throws IllegalArgumentException naming the field, the value and what is valid
   */
  public Handshake {
    if (model == null || model.isEmpty()) {
      throw new IllegalArgumentException(
          "handshake model name is empty: name a catalog model, e.g. resnet18");
    }
    if (classes < 1) {
      throw new IllegalArgumentException("handshake classes " + classes + " must be >= 1");
    }
    Objects.requireNonNull(inputShape, "inputShape");
    inputShape = inputShape.clone();
    for (int d : inputShape) {
      if (d < 1) {
        throw new IllegalArgumentException(
            "handshake inputShape "
                + Arrays.toString(inputShape)
                + " has a dimension < 1: every dimension must be >= 1");
      }
    }
    if (unitStart < 0 || unitEnd < unitStart) {
      throw new IllegalArgumentException(
          "handshake unit range ["
              + unitStart
              + ", "
              + unitEnd
              + ") is invalid: need 0 <= unitStart <= unitEnd");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("handshake batch " + batch + " must be >= 1");
    }
    Objects.requireNonNull(dtype, "dtype");
    if (threads < 0) {
      throw new IllegalArgumentException(
          "handshake threads " + threads + " must be >= 0 (0 = stage default)");
    }
    modelDigest = modelDigest == null ? "" : modelDigest;
    downstream = List.copyOf(downstream == null ? List.of() : downstream);
  }

  /** A copy of the per-image input shape. */
  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Handshake h
        && model.equals(h.model)
        && classes == h.classes
        && Arrays.equals(inputShape, h.inputShape)
        && unitStart == h.unitStart
        && unitEnd == h.unitEnd
        && batch == h.batch
        && dtype == h.dtype
        && seed == h.seed
        && threads == h.threads
        && modelDigest.equals(h.modelDigest)
        && downstream.equals(h.downstream);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        model,
        classes,
        Arrays.hashCode(inputShape),
        unitStart,
        unitEnd,
        batch,
        dtype,
        seed,
        threads,
        modelDigest,
        downstream);
  }

  @Override
  public String toString() {
    return "Handshake[model="
        + model
        + ", classes="
        + classes
        + ", inputShape="
        + Arrays.toString(inputShape)
        + ", units=["
        + unitStart
        + ", "
        + unitEnd
        + "), batch="
        + batch
        + ", dtype="
        + dtype
        + ", seed="
        + seed
        + ", threads="
        + threads
        + ", modelDigest="
        + modelDigest
        + ", downstream="
        + downstream
        + "]";
  }
}
