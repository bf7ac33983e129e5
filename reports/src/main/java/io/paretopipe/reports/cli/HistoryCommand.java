package io.paretopipe.reports.cli;

import io.paretopipe.format.RunFolder;
import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.history.ChangePointDetector;
import io.paretopipe.reports.history.HistoryCheck;
import io.paretopipe.reports.history.HistoryDatabase;
import io.paretopipe.reports.history.HistoryReport;
import io.paretopipe.reports.history.HistorySummary;
import io.paretopipe.reports.history.RunImporter;
import io.paretopipe.reports.history.RunRecord;
import io.paretopipe.reports.render.ReportWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code history add | check | report}: the nightly results database (docs/REPORTS.md, History).
 */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = {
      "The nightly results database: 'add' stores runs, 'check' finds change points over the runs and exits 1"
          + " on an open regression, 'report' writes the trend pages. Default database: "
          + HistoryDatabase.DEFAULT_URL
          + "; --db takes jdbc:sqlite:PATH or jdbc:postgresql://HOST[:PORT]/DB."
    },
    subcommands = {
      HistoryCommand.Add.class,
      HistoryCommand.Check.class,
      HistoryCommand.Report.class,
      CommandLine.HelpCommand.class
    })
final class HistoryCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine()
        .getErr()
        .println(
            "error: missing subcommand: use history add, check or report (see history --help)");
    return ExitCodes.BAD_INPUT;
  }

  /** The database option of every subcommand. */
  static final class DbOption {
    @Option(
        names = "--db",
        paramLabel = "URL",
        defaultValue = HistoryDatabase.DEFAULT_URL,
        description =
            "jdbc:sqlite:PATH (or a file path), or jdbc:postgresql://HOST[:PORT]/DB?user=U"
                + " (default: ${DEFAULT-VALUE}).")
    String url;
  }

  /** The detection options of check and report. */
  static final class DetectionOptions {
    @Option(
        names = "--alpha",
        paramLabel = "P",
        defaultValue = ChangePointDetector.Settings.DEFAULT_ALPHA,
        description = "Significance level of the t test (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(
        names = "--min-change",
        paramLabel = "PCT",
        defaultValue = "5%",
        description = "Smallest relative change that counts (default: ${DEFAULT-VALUE}).")
    String minChange;

    @Option(
        names = "--persistence",
        paramLabel = "N",
        defaultValue = "2",
        description =
            "Runs a worse level must last to be a regression (default: ${DEFAULT-VALUE}).")
    int persistence;

    @Option(
        names = "--buffer",
        paramLabel = "N",
        defaultValue = "5",
        description =
            "First runs of each series (and host) that are only a baseline (default: ${DEFAULT-VALUE}).")
    int buffer;

    @Option(
        names = "--window",
        paramLabel = "N",
        defaultValue = "30",
        description = "Runs per sliding window of the detection (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(
        names = "--figures",
        paramLabel = "NAMES",
        split = ",",
        defaultValue = "latency_mean_ms,throughput_img_s",
        description =
            "Figures to check (points.csv column names), or 'all' (default: ${DEFAULT-VALUE}).")
    List<String> figures;

    HistoryCheck.Options options(CommandSpec spec) {
      try {
        double magnitude = CompareCommand.parsePercent(minChange) / 100;
        return new HistoryCheck.Options(
            new ChangePointDetector.Settings(alpha, magnitude, window, buffer),
            persistence,
            figures.contains("all") ? List.of() : figures);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Adds runs (run folders, folders of JMH JSON files or JMH JSON files) to the history, each in one"
            + " transaction: every point with its figures, intervals, sample counts and frontier class, the run's"
            + " time, commit and host fingerprint. A run already there (same content digest) adds nothing. Every"
            + " run is read and checked before anything is written: a bad one is refused and nothing is added."
      })
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;
    @Mixin DbOption db;

    @Parameters(arity = "0..*", paramLabel = "RUN", description = "Runs to add.")
    List<Path> runs = new ArrayList<>();

    @Option(
        names = "--runs-dir",
        paramLabel = "DIR",
        description =
            "Also add every finished run folder in DIR (e.g. runs/): folders with jmh/ whose"
                + " run-metadata.json has an end_time; unfinished or unreadable ones are skipped with a"
                + " note (what -Dbench.history does after each sweep).")
    Path runsDir;

    @Override
    public Integer call() throws ReportInputException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (runs.isEmpty() && runsDir == null) {
        throw new ParameterException(
            spec.commandLine(), "give at least one RUN (or --runs-dir DIR)");
      }
      RunImporter importer = new RunImporter();
      List<RunRecord> records = new ArrayList<>();
      for (Path input : runs) {
        records.add(importer.read(input));
      }
      if (runsDir != null) {
        for (Path input : finishedRuns(runsDir, err)) {
          try {
            records.add(importer.read(input));
          } catch (ReportInputException e) {
            err.println("warning: skipped " + input + ": " + e.getMessage());
          }
        }
      }
      if (records.isEmpty()) {
        out.println("no finished run in " + runsDir + ": nothing to add");
        return ExitCodes.OK;
      }
      try (HistoryDatabase database = HistoryDatabase.open(db.url, true)) {
        for (RunRecord record : records) {
          record.notes().forEach(n -> err.println("note: " + n));
          int total = record.figureCount();
          HistoryDatabase.AddResult result =
              database.add(
                  record,
                  total >= 10 * 1000
                      ? (written, all) -> {
                        err.println(
                            record.source() + ": " + written + " of " + all + " figures written");
                        err.flush();
                      }
                      : null);
          if (result.added()) {
            out.printf(
                Locale.ROOT,
                "added %s: %d points, %d figures (run %d, host %s, started %s, commit %s)%n",
                record.source(),
                result.points(),
                result.figures(),
                result.runId(),
                record.host().id(),
                record.startedAt(),
                record.commit() == null ? "unknown" : record.commit());
          } else {
            out.printf(
                Locale.ROOT,
                "%s: already in the history (run %d, same content): nothing added%n",
                record.source(),
                result.runId());
          }
        }
        out.println("history: " + database.url());
      }
      return ExitCodes.OK;
    }

    private static List<Path> finishedRuns(Path dir, PrintWriter err) throws ReportInputException {
      if (!Files.isDirectory(dir)) {
        throw new ReportInputException(
            dir,
            Files.exists(dir)
                ? "not a folder: --runs-dir needs a folder of run folders"
                : "no such folder");
      }
      List<Path> found = new ArrayList<>();
      try (Stream<Path> list = Files.list(dir)) {
        for (Path p : list.sorted().toList()) {
          if (!Files.isDirectory(p.resolve(RunFolder.JMH))
              || p.getFileName().toString().startsWith(".")) {
            continue;
          }
          Path metadata = p.resolve(RunFolder.METADATA_FILE);
          if (Files.isRegularFile(metadata)
              && !Files.readString(metadata).contains("\"end_time\"")) {
            err.println("note: skipped " + p + ": the run has not finished (no end_time)");
            continue;
          }
          found.add(p);
        }
      } catch (IOException e) {
        throw new ReportInputException(dir, "cannot list folder: " + e, e);
      }
      return found;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Finds change points in every series (one figure of one point on one host fingerprint, one value per"
            + " run): E-divisive means with a t test, significance --alpha, at least --min-change, the first"
            + " --buffer runs a baseline; the t test's variance is moderated by what the same figure of the"
            + " other points on the host says about run-to-run noise. A change in the worse direction (from the unit) lasting --persistence"
            + " runs is a regression; so is a point whose frontier class dropped. Exit 0: no open regression,"
            + " 1: open regressions (listed), 2: bad input."
      })
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;
    @Mixin DbOption db;
    @Mixin DetectionOptions detection;

    @Override
    public Integer call() throws ReportInputException {
      HistoryCheck.Options options = detection.options(spec);
      HistoryCheck.Result result;
      String url;
      try (HistoryDatabase database = HistoryDatabase.open(db.url, false)) {
        result = HistoryCheck.run(database, options);
        url = database.url();
      }
      PrintWriter out = spec.commandLine().getOut();
      for (String line : HistorySummary.lines(result, url)) {
        out.println(line);
      }
      return result.regressed() ? ExitCodes.REGRESSION : ExitCodes.OK;
    }
  }

  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      description = {
        "Writes the trend pages into DIR: index.html (open regressions first, then per series a trend chart"
            + " with intervals, change points and the commit range each falls in; opens from disk),"
            + " change-points.csv, change-points.json, series.json and charts/*.png."
      })
  static final class Report implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;
    @Mixin DbOption db;
    @Mixin DetectionOptions detection;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description =
            "Output folder; written to a temporary folder first and replaced when complete.")
    Path out;

    @Override
    public Integer call() throws ReportInputException {
      HistoryCheck.Options options = detection.options(spec);
      HistoryReport report;
      try (HistoryDatabase database = HistoryDatabase.open(db.url, false)) {
        report = new HistoryReport(HistoryCheck.run(database, options), database.url());
      }
      try {
        ReportWriter.write(report, HistoryReport.renderers(), out);
      } catch (IOException e) {
        throw new ReportInputException(out, "cannot write the history report: " + e, e);
      }
      PrintWriter stdout = spec.commandLine().getOut();
      List<String> lines = HistorySummary.lines(report.result(), report.url());
      stdout.println(lines.get(0));
      stdout.println("wrote " + out.resolve(HistoryReport.HTML));
      return ExitCodes.OK;
    }
  }
}
