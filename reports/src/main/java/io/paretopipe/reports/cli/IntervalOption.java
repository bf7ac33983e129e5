package io.paretopipe.reports.cli;

import io.paretopipe.reports.stats.IntervalMethod;
import picocli.CommandLine.Option;

/** The {@code --intervals} option of the subcommands that compute mean intervals. */
public final class IntervalOption {
  @Option(
      names = "--intervals",
      paramLabel = "METHOD",
      defaultValue = "moderated",
      description =
          "Where a mean's interval takes its variance from: moderated (its own units pooled with the"
              + " other splits measured alike: docs/REPORTS.md, Statistics) or own (its units"
              + " only). Default: ${DEFAULT-VALUE}.")
  String intervals;

  /**
   * @return the parsed method
   * @throws IllegalArgumentException naming the value and the valid ones
   */
  IntervalMethod method() {
    return IntervalMethod.parse(intervals);
  }
}
