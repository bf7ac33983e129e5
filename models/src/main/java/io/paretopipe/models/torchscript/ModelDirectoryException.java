package io.paretopipe.models.torchscript;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A TorchScript model directory that cannot be used: a malformed or inconsistent {@code
 * manifest.json}, a missing or changed unit file, a unit PyTorch cannot load. The message starts
 * with the manifest's path and names the piece, the file and the problem, e.g. {@code
 * /m/resnet18/manifest.json: unit block3: file unit-02-block3.pt has sha256 cd34.. but the manifest
 * expects ab12..}. It is an {@link IllegalArgumentException} because the directory is the caller's
 * input, like an unknown catalog name.
 */
public final class ModelDirectoryException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /**
   * @param file the file with the problem: the manifest itself or the unit file it names
   * @param message the full message, already naming the file and the problem
   */
  public ModelDirectoryException(Path file, String message) {
    super(message);
    this.file = Objects.requireNonNull(file, "file");
  }

  public ModelDirectoryException(Path file, String message, Throwable cause) {
    super(message, cause);
    this.file = Objects.requireNonNull(file, "file");
  }

  /**
   * The file with the problem: {@code manifest.json} or a unit, prefix, suffix or reference file.
   */
  public Path file() {
    return file;
  }
}
