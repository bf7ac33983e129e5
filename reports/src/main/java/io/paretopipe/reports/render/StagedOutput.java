package io.paretopipe.reports.render;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A staging folder beside the final output folder: everything is written into {@link #dir()}, and
 * {@link #commit()} renames it into place (replacing a previous output folder of the same name);
 * {@link #close()} without a commit deletes it, so a failure leaves nothing partial behind. Not
 * thread-safe; closing twice is harmless.
 */
public final class StagedOutput implements AutoCloseable {
  private final Path target;
  private final Path staging;
  private boolean done;

  private StagedOutput(Path target, Path staging) {
    this.target = target;
    this.staging = staging;
  }

  /**
   * @param target the output folder; its parent folders are created if missing; if it exists it
   *     must be a folder, and it is replaced on commit
   * @return a new staging folder on the same file system as {@code target}
   * @throws IOException when the staging folder cannot be created or the target is a file
   */
  public static StagedOutput create(Path target) throws IOException {
    Path absolute = target.toAbsolutePath().normalize();
    if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
      throw new FileAlreadyExistsException(absolute.toString(), null, "exists and is not a folder");
    }
    Path parent = absolute.getParent();
    Files.createDirectories(parent);
    Path staging = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".tmp-");
    return new StagedOutput(absolute, staging);
  }

  /**
   * @return the staging folder to write into
   */
  public Path dir() {
    if (done) {
      throw new IllegalStateException(
          "staged output for " + target + " is already committed or closed");
    }
    return staging;
  }

  /**
   * @return the final folder
   */
  public Path target() {
    return target;
  }

  /**
   * Moves the staging folder to the target, replacing an existing target folder.
   *
   * @throws IOException when the move fails; the staging folder is then deleted by {@link #close()}
   */
  public void commit() throws IOException {
    dir();
    Path old = null;
    if (Files.exists(target)) {
      old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
      Files.delete(old);
      move(target, old);
    }
    try {
      move(staging, target);
    } catch (IOException e) {
      if (old != null) {
        move(old, target);
      }
      throw e;
    }
    done = true;
    if (old != null) {
      deleteRecursively(old);
    }
  }

  @Override
  public void close() throws IOException {
    if (!done) {
      done = true;
      deleteRecursively(staging);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  /** Deletes a file or folder tree; a missing path is fine. */
  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
