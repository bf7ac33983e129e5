package io.paretopipe.benchmarks.sweep;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the reports post-processor ({@code java -jar paretopipe-reports.jar pareto RUN --out DIR})
 * in its own JVM: between passes for the stopping rule's verdicts (quietly, its output in a log
 * beside the decision's report), and once at the end for the report. A run that does not end in
 * time is killed; nothing is left running.
 */
final class ReportLauncher {

  /**
   * Options of a decision run beyond {@code pareto RUN --out DIR}: only {@code frontier.json}
   * (fast), and a fixed bootstrap seed (the same run gives the same verdicts, also when resumed).
   */
  static final List<String> DECISION_OPTIONS = List.of("--formats", "json", "--seed", "1");

  private static final Duration FINAL_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration DECISION_TIMEOUT = Duration.ofMinutes(5);

  private final Path reportsJar;
  private final PrintStream console;

  ReportLauncher(Path reportsJar, PrintStream console) {
    this.reportsJar = reportsJar;
    this.console = console;
  }

  /**
   * @throws IllegalArgumentException when the jar is missing, with what to do
   */
  static void check(Path reportsJar) {
    if (!Files.isRegularFile(reportsJar)) {
      throw new IllegalArgumentException(
          "no post-processor at "
              + reportsJar.toAbsolutePath()
              + ": build it with 'mvn -pl reports package', pass --reports-jar PATH, or"
              + " --no-report");
    }
  }

  /**
   * The final report into {@code out}, its output on the console.
   *
   * @return 0 when written, 1 when the post-processor failed or timed out
   */
  int report(Path run, Path out) throws IOException, InterruptedException {
    List<String> command = command(run, out, List.of());
    console.println("report: " + String.join(" ", command));
    Process p = new ProcessBuilder(command).inheritIO().start();
    int code = await(p, FINAL_TIMEOUT);
    if (code != 0) {
      console.println(
          code == Integer.MIN_VALUE
              ? "the post-processor did not finish within " + FINAL_TIMEOUT.toMinutes() + " minutes"
              : "the post-processor failed (exit " + code + ")");
      return 1;
    }
    console.println("HTML report: " + out.resolve("index.html").toAbsolutePath());
    return 0;
  }

  /**
   * A decision run into {@code out}; its output goes to {@code out + ".log"}.
   *
   * @return {@code out/frontier.json}
   * @throws IOException naming the log when the post-processor failed or timed out
   */
  Path decide(Path run, Path out) throws IOException, InterruptedException {
    Path log = out.resolveSibling(out.getFileName() + ".log");
    Process p =
        new ProcessBuilder(command(run, out, DECISION_OPTIONS))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    int code = await(p, DECISION_TIMEOUT);
    if (code != 0) {
      throw new IOException(
          (code == Integer.MIN_VALUE
                  ? "the post-processor did not finish within "
                      + DECISION_TIMEOUT.toMinutes()
                      + " minutes"
                  : "the post-processor failed (exit " + code + ")")
              + "; its output: "
              + log);
    }
    return out.resolve("frontier.json");
  }

  private List<String> command(Path run, Path out, List<String> options) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true",
                "-jar",
                reportsJar.toString(),
                "pareto",
                run.toString(),
                "--out",
                out.toString()));
    command.addAll(options);
    return command;
  }

  /** The exit code, or {@code Integer.MIN_VALUE} after killing a run that took too long. */
  private static int await(Process p, Duration timeout) throws InterruptedException {
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return Integer.MIN_VALUE;
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      throw e;
    }
  }
}
