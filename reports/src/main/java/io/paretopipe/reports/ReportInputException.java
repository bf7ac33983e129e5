package io.paretopipe.reports;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Bad input: a file that is missing, empty, not JSON, or not in the expected schema. The message is
 * one line that names the file and the problem, e.g. {@code "runs/a/jmh/r.json: not JSON:
 * Unexpected character ('x' ...) at line 1, column 1"}; the CLI prints it as is and exits with
 * status 2.
 */
public final class ReportInputException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String problem;

  /**
   * @param file the offending file or folder (never null)
   * @param problem what is wrong and, where possible, what is valid; must be a single line
   */
  public ReportInputException(Path file, String problem) {
    this(file, problem, null);
  }

  /**
   * @param file the offending file or folder (never null)
   * @param problem what is wrong, one line
   * @param cause the underlying exception, shown only with {@code --verbose}
   */
  public ReportInputException(Path file, String problem, Throwable cause) {
    super(Objects.requireNonNull(file, "file") + ": " + oneLine(problem), cause);
    this.file = file;
    this.problem = oneLine(problem);
  }

  /**
   * @return the file or folder the problem is in
   */
  public Path file() {
    return file;
  }

  /**
   * @return the problem without the file name
   */
  public String problem() {
    return problem;
  }

  /** Collapses line breaks so that every message the CLI prints fits on one line. */
  static String oneLine(String text) {
    return text == null ? "unknown problem" : text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
