package io.paretopipe.netem.internal;

import java.util.List;

/**
 * The outcome of one finished command.
 *
 * @param argv the command as run
 * @param exitCode its exit status
 * @param stdout everything it wrote to standard output, decoded as UTF-8
 * @param stderr everything it wrote to standard error, decoded as UTF-8
 */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr) {

  /** True when the exit status is 0. */
  public boolean succeeded() {
    return exitCode == 0;
  }

  /** The command line as one string for messages. */
  public String commandLine() {
    return String.join(" ", argv);
  }

  /**
   * Returns this result when the command succeeded.
   *
   * @throws CommandFailedException with the command line, exit status and standard error otherwise
   */
  public CommandResult orThrow() {
    if (!succeeded()) {
      throw new CommandFailedException(this);
    }
    return this;
  }
}
