package io.paretopipe.reports.cli;

import io.paretopipe.reports.ReportInputException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Entry point of {@code paretopipe-reports.jar}. Thin: option parsing and exit codes only.
 *
 * <p>Exit codes: {@link ExitCodes#OK 0}, {@link ExitCodes#REGRESSION 1} (compare found a
 * regression), {@link ExitCodes#BAD_INPUT 2} (bad usage or input: one line on stderr naming the
 * file and the problem, the stack trace only with {@code --verbose}), {@link
 * ExitCodes#INTERNAL_ERROR 3} (a bug), {@link ExitCodes#TOO_LITTLE_COMPARED 4} (compare could give
 * a verdict for too few of the baseline's results).
 */
@Command(
    name = "paretopipe-reports",
    mixinStandardHelpOptions = true,
    version = "paretopipe-reports 0.1",
    description =
        "JMH JSON + HdrHistogram logs -> Pareto frontier, report and regression verdicts; unit profiles ->"
            + " predicted frontier.",
    subcommands = {
      ParetoCommand.class,
      CompareCommand.class,
      PredictCommand.class,
      HistoryCommand.class,
      ServerCommand.class,
      RatioCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success (compare: no regression)",
      "1:compare or history check found a regression; ratio --at-most: a ratio fails",
      "2:bad usage or bad input",
      "3:internal error",
      "4:compare: no regression, but less than --min-compared of the baseline could be compared; ratio"
          + " --at-most: none fails, some undecided"
    })
public final class ReportsCli implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine()
        .getErr()
        .println(
            "error: missing subcommand: use pareto, compare, predict, history, server or ratio (see --help)");
    return ExitCodes.BAD_INPUT;
  }

  /** Runs the CLI and exits the JVM with its exit code. */
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(run(out, err, args));
  }

  /**
   * Runs the CLI without exiting, for tests and embedding.
   *
   * @param out standard output
   * @param err standard error
   * @param args the arguments
   * @return the exit code
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new ReportsCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("error: " + ex.getMessage().replaceAll("\\s*[\\r\\n]+\\s*", " ").trim());
          err.println(
              "Try '"
                  + ex.getCommandLine().getCommandSpec().qualifiedName()
                  + " --help' for usage.");
          err.flush();
          return ExitCodes.BAD_INPUT;
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          boolean verbose =
              Arrays.asList(args).contains("--verbose") || Arrays.asList(args).contains("-v");
          int code;
          if (ex instanceof ReportInputException) {
            err.println("error: " + ex.getMessage());
            code = ExitCodes.BAD_INPUT;
          } else {
            err.println("internal error: " + ex + " (please report it, with --verbose output)");
            code = ExitCodes.INTERNAL_ERROR;
          }
          if (verbose) {
            ex.printStackTrace(err);
          }
          err.flush();
          return code;
        });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }
}
