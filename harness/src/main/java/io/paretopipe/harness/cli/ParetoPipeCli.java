package io.paretopipe.harness.cli;

import io.paretopipe.netem.NetemTool;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar harness/target/paretopipe.jar COMMAND}. Exit codes: 0 success, 1 the work failed
 * (a stage died, a run timed out), 2 bad usage or input.
 */
@Command(
    name = "paretopipe",
    mixinStandardHelpOptions = true,
    versionProvider = ParetoPipeCli.Version.class,
    description =
        "Where to split a DNN across devices: the catalog, stage servers and single runs.",
    subcommands = {
      ModelsCommand.class,
      ServeCommand.class,
      RunCommand.class,
      ParetoPipeCli.NetemHelp.class
    })
public final class ParetoPipeCli implements Runnable {

  /** Bad usage or input. */
  public static final int EXIT_USAGE = 2;

  /** The work failed. */
  public static final int EXIT_FAILED = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (args.length > 0 && args[0].equals("netem")) {
      out.flush();
      return NetemTool.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
    }
    CommandLine cli = new CommandLine(new ParetoPipeCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          String message = e.getMessage() == null ? e.toString() : e.getMessage();
          if (e instanceof IllegalArgumentException
              || e instanceof io.paretopipe.harness.auth.SecretException) {
            commandLine.getErr().println("error: " + message);
            return EXIT_USAGE;
          }
          commandLine.getErr().println("error: " + message);
          if (Boolean.getBoolean("paretopipe.verbose")) {
            e.printStackTrace(commandLine.getErr());
          }
          return EXIT_FAILED;
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Listed in the help; the real work is {@link NetemTool}, reached before picocli parses. */
  @Command(
      name = "netem",
      description =
          "Network conditions: probe | apply IFACE SPEC | show [IFACE] | clear"
              + " (run 'netem --help').")
  static final class NetemHelp implements Runnable {
    @Override
    public void run() {
      NetemTool.run(new String[] {"--help"}, System.out, System.err);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ParetoPipeCli.class.getPackage().getImplementationVersion();
      return new String[] {"paretopipe " + (v == null ? "(development build)" : v)};
    }
  }
}
