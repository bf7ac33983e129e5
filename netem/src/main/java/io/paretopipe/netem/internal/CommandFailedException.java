package io.paretopipe.netem.internal;

/**
 * A command such as {@code tc} or {@code ip} exited with a non-zero status; the message holds its
 * stderr.
 */
public final class CommandFailedException extends RuntimeException {

  private final transient CommandResult result;

  /** Wraps a failed result. */
  public CommandFailedException(CommandResult result) {
    super(
        "'"
            + result.commandLine()
            + "' failed with exit status "
            + result.exitCode()
            + (result.stderr().isBlank() ? "" : ": " + result.stderr().strip()));
    this.result = result;
  }

  /** The failed result, {@code null} after deserialization. */
  public CommandResult result() {
    return result;
  }
}
