package io.paretopipe.models.torchscript;

import io.paretopipe.models.Shapes;
import java.util.Arrays;
import java.util.Objects;

/**
 * One piece of a TorchScript model directory as its manifest describes it: the prefix, a split unit
 * or the suffix. Shapes are per image (no batch dimension), float32.
 *
 * @param role {@code prefix}, {@code unit} or {@code suffix}
 * @param name the piece's name, e.g. {@code block3}; unique within the model
 * @param file the TorchScript file, a plain file name inside the directory
 * @param sha256 lower-case hex SHA-256 of that file
 * @param fileBytes size of that file in bytes
 * @param inputShape per-image input shape
 * @param outputShape per-image output shape
 * @param params trainable parameters (torch's {@code parameters()}; BatchNorm running statistics
 *     excluded)
 * @param macs multiply-accumulates of its Conv and Linear layers for one image, or {@code -1} if
 *     the exporter could not count them (a piece given as a scripted module)
 */
public record TorchScriptPiece(
    String role,
    String name,
    String file,
    String sha256,
    long fileBytes,
    long[] inputShape,
    long[] outputShape,
    long params,
    long macs) {

  public TorchScriptPiece {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(sha256, "sha256");
    inputShape = inputShape.clone();
    outputShape = outputShape.clone();
  }

  @Override
  public long[] inputShape() {
    return inputShape.clone();
  }

  @Override
  public long[] outputShape() {
    return outputShape.clone();
  }

  /** float32 bytes of this piece's output for one image. */
  public long outputBytesPerImage() {
    long n = 4;
    for (long d : outputShape) {
      n *= d;
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TorchScriptPiece p
        && role.equals(p.role)
        && name.equals(p.name)
        && file.equals(p.file)
        && sha256.equals(p.sha256)
        && fileBytes == p.fileBytes
        && Arrays.equals(inputShape, p.inputShape)
        && Arrays.equals(outputShape, p.outputShape)
        && params == p.params
        && macs == p.macs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(role, name, file, sha256) * 31 + Arrays.hashCode(outputShape);
  }

  /** E.g. {@code unit block3}. */
  public String label() {
    return role + " " + name;
  }

  @Override
  public String toString() {
    return label()
        + " ("
        + file
        + ", "
        + Shapes.chw(inputShape)
        + " -> "
        + Shapes.chw(outputShape)
        + ")";
  }
}
