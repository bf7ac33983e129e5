/**
 * The command line ({@code java -jar paretopipe-reports.jar pareto | compare}): picocli commands that parse
 * options, call the testable logic in the other packages, and map outcomes to exit codes (0 ok, 1 regression,
 * 2 bad input, 3 internal error) and one-line error messages. A {@code predict} subcommand is planned; it will be
 * one more class registered in {@link io.paretopipe.reports.cli.ReportsCli}.
 */
package io.paretopipe.reports.cli;
