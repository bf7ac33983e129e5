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

  /**
   * {@code compare} found no regression but could give a verdict for less than {@code
   * --min-compared} of the baseline's results: nothing compared is never "OK".
   */
  public static final int TOO_LITTLE_COMPARED = 4;

  /** A bug in this program (an unexpected exception). */
  public static final int INTERNAL_ERROR = 3;

  private ExitCodes() {}
}
