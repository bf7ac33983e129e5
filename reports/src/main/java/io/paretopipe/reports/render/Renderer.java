package io.paretopipe.reports.render;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes one kind of output file(s) for a model of type {@code T} into a folder. Implementations
 * are stateless and thread-safe; they write only the files they name and overwrite them.
 *
 * @param <T> what is rendered, e.g. {@link ParetoReport}
 */
public interface Renderer<T> {
  /**
   * @param input what to render
   * @param dir an existing folder (a staging folder, normally)
   * @throws IOException when writing fails
   */
  void render(T input, Path dir) throws IOException;
}
