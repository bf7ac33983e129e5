package io.paretopipe.reports.cli;

import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.compare.Comparison;
import io.paretopipe.reports.compare.ConfigDifference;
import io.paretopipe.reports.compare.ResultComparison;
import io.paretopipe.reports.compare.RunComparator;
import io.paretopipe.reports.compare.RunConfiguration;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.render.CompareRenderers;
import io.paretopipe.reports.render.Numbers;
import io.paretopipe.reports.render.ReportWriter;
import io.paretopipe.reports.run.RunLoader;
import io.paretopipe.reports.stats.IntervalMethod;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code compare BASELINE CURRENT} or {@code compare --history DIR}: regression verdicts, exit 1 on
 * regression; the configuration differences of the runs' {@code run-metadata.json} beside them, as
 * information that never changes the exit code.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Compares two runs (JMH JSON files or run folders), or the newest run of a history folder with the runs "
          + "before it. Results are matched by benchmark, mode and params except tail, and pooled over every file "
          + "and fork of a run. Per result: ratio with its interval, Welch's t-test on the logs of the "
          + "per-iteration scores, Holm-corrected over all results, and a verdict; a regression is significant AND "
          + "worse by more than the threshold. Also reports whether the frontier splits changed. Exit 0: no "
          + "regression, 1: regression, 2: bad input, 4: less than --min-compared of the baseline compared. When both "
          + "runs are folders with a run-metadata.json, names the settings that differ (configuration differs: "
          + "KEY: BASE -> NEW; ...); they never change the exit code."
    })
final class CompareCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(
      arity = "0..2",
      paramLabel = "RUN",
      description = "BASELINE and CURRENT: JMH JSON files or run folders.")
  List<Path> runs = new ArrayList<>();

  @Option(
      names = "--history",
      paramLabel = "DIR",
      description =
          "A folder of runs (run folders or JMH JSON files), oldest first by name; compares the newest "
              + "with the pooled previous ones and draws a trend per result.")
  Path history;

  @Option(
      names = "--window",
      paramLabel = "N",
      defaultValue = "5",
      description =
          "With --history: how many previous runs form the baseline (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--threshold",
      paramLabel = "PCT",
      defaultValue = "5%",
      description =
          "How much worse a result must be to count, in percent (default: ${DEFAULT-VALUE}).")
  String threshold;

  @Option(
      names = "--alpha",
      paramLabel = "P",
      defaultValue = "0.05",
      description = "Significance level of the test (default: ${DEFAULT-VALUE}).")
  double alpha;

  @Option(
      names = "--min-compared",
      paramLabel = "PCT",
      defaultValue = "90%",
      description =
          "Share of the baseline's partition results (of all its results when it has none) that must get a"
              + " verdict; below it compare says so and exits 4 unless it found a regression"
              + " (default: ${DEFAULT-VALUE}).")
  String minCompared;

  @Mixin IntervalOption intervalOption;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Write compare.md, compare.html, compare.csv, compare.json (and trend charts) into DIR; "
              + "without it the Markdown goes to standard output.")
  Path out;

  @Override
  public Integer call() throws ReportInputException {
    RunComparator comparator;
    IntervalMethod method;
    try {
      method = intervalOption.method();
      comparator =
          new RunComparator(
              parsePercent(threshold), alpha, parsePercent(minCompared) / 100, method);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Comparison comparison;
    List<Path> baselinePaths;
    Path currentPath;
    if (history != null) {
      if (!runs.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(), "give either --history DIR or BASELINE CURRENT, not both");
      }
      if (window < 1) {
        throw new ParameterException(
            spec.commandLine(), "--window: " + window + " (expected: >= 1)");
      }
      List<Path> paths = historyRuns(history);
      List<Run> loaded = new ArrayList<>();
      for (Path run : paths) {
        loaded.add(new RunLoader(method).load(List.of(run)));
      }
      comparison = comparator.compareHistory(loaded, window);
      baselinePaths = RunComparator.baselineWindow(paths, window);
      currentPath = paths.get(paths.size() - 1);
    } else {
      if (runs.size() != 2) {
        throw new ParameterException(
            spec.commandLine(),
            "expected BASELINE and CURRENT (or --history DIR), got " + runs.size() + " path(s)");
      }
      Run baseline = new RunLoader(method).load(List.of(runs.get(0)));
      Run current = new RunLoader(method).load(List.of(runs.get(1)));
      comparison = comparator.compare(baseline, current);
      baselinePaths = List.of(runs.get(0));
      currentPath = runs.get(1);
    }
    PrintWriter stdout = spec.commandLine().getOut();
    comparison =
        comparison.withConfigDifferences(
            configDifferences(baselinePaths, currentPath, spec.commandLine().getErr()));
    if (comparison.tooLittleCompared()) {
      spec.commandLine().getErr().println("warning: " + CompareRenderers.coverageText(comparison));
    }
    for (String line : comparison.changedParams()) {
      spec.commandLine().getErr().println("note: " + line);
    }
    if (out != null) {
      try {
        ReportWriter.write(comparison, CompareRenderers.all(), out);
      } catch (IOException e) {
        throw new ReportInputException(out, "cannot write the comparison: " + e, e);
      }
      stdout.println(CompareRenderers.headline(comparison));
      String configuration = CompareRenderers.configurationLine(comparison);
      if (!configuration.isEmpty()) {
        stdout.println(configuration);
      }
      for (ResultComparison r : comparison.regressions()) {
        stdout.println("  " + r.label() + ": " + Numbers.fixed(r.worsePercent(), 1) + "% worse");
      }
      stdout.println("wrote " + out.resolve(CompareRenderers.HTML));
    } else {
      stdout.print(CompareRenderers.markdown(comparison));
    }
    if (!comparison.regressions().isEmpty()) {
      return ExitCodes.REGRESSION;
    }
    return comparison.tooLittleCompared() ? ExitCodes.TOO_LITTLE_COMPARED : ExitCodes.OK;
  }

  /**
   * The configuration differences of the runs' {@code run-metadata.json} ({@link
   * RunConfiguration#differences}) over the baseline runs that have one; {@code null} (not
   * compared) when the current run or every baseline run has none. A metadata file that cannot be
   * read is passed over with a warning on {@code err}: it never fails a comparison.
   */
  private static List<ConfigDifference> configDifferences(
      List<Path> baselines, Path current, PrintWriter err) {
    Optional<RunConfiguration> now = configuration(current, err);
    List<RunConfiguration> before = new ArrayList<>();
    for (Path baseline : baselines) {
      configuration(baseline, err).ifPresent(before::add);
    }
    if (now.isEmpty() || before.isEmpty()) {
      return null;
    }
    return RunConfiguration.differences(before, now.get());
  }

  private static Optional<RunConfiguration> configuration(Path run, PrintWriter err) {
    try {
      return RunConfiguration.read(run);
    } catch (ReportInputException e) {
      err.println("warning: " + e.getMessage() + ": its configuration is not compared");
      return Optional.empty();
    }
  }

  /** Parses {@code 5%}, {@code 5} or {@code 2.5%} as a percentage. */
  static double parsePercent(String text) {
    String t = text.trim();
    if (t.endsWith("%")) {
      t = t.substring(0, t.length() - 1).trim();
    }
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "threshold \"" + text + "\" is not a percentage such as 5% or 2.5%");
    }
  }

  private static List<Path> historyRuns(Path dir) throws ReportInputException {
    if (!Files.isDirectory(dir)) {
      throw new ReportInputException(
          dir,
          Files.exists(dir)
              ? "not a folder: --history needs a folder of runs"
              : "no such file or folder");
    }
    List<Path> runs;
    try (Stream<Path> list = Files.list(dir)) {
      runs =
          list.filter(p -> !p.getFileName().toString().startsWith("."))
              .filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(".json"))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new ReportInputException(dir, "cannot list folder: " + e, e);
    }
    if (runs.size() < 2) {
      throw new ReportInputException(
          dir,
          "a history needs at least 2 runs (run folders or JMH JSON files), found " + runs.size());
    }
    return runs;
  }
}
