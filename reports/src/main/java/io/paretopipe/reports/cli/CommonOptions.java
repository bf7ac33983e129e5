package io.paretopipe.reports.cli;

import picocli.CommandLine.Option;

/** Options every subcommand has. */
public final class CommonOptions {
  @Option(
      names = {"-v", "--verbose"},
      description = "Print ignored inputs and, on errors, the stack trace.")
  boolean verbose;
}
