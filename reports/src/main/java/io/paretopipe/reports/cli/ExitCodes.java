package io.paretopipe.reports.cli;

/** The exit codes of the CLI. */
public final class ExitCodes {
  /** Success; for {@code compare}: no regression. */
  public static final int OK = 0;

  /**
   * {@code compare} found a regression, or {@code history check} an open one or a frontier drop.
   */
  public static final int REGRESSION = 1;

  /** Bad input: usage error, missing/empty/malformed file, unwritable output folder. */
  public static final int BAD_INPUT = 2;

  /** A bug in this program (an unexpected exception). */
  public static final int INTERNAL_ERROR = 3;

  private ExitCodes() {}
}
