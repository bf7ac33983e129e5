package io.paretopipe.reports.cli;

import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.run.RunLoader;
import io.paretopipe.reports.server.ClosedLoopFrontier;
import io.paretopipe.reports.server.ServerScenarioFile;
import io.paretopipe.reports.server.ServerScenarioReport;
import io.paretopipe.reports.server.ServiceTimeSpread;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code server RUN... [--out DIR]}: the Server scenario's report of a sweep run with {@code
 * --scenario server}: per split the peak rate meeting the SLO, its bracket, flags and predicted
 * peak, the search's bracket and its recheck, the drift, the SLO frontier and the
 * latency-vs-offered-load curves (docs/OPEN-LOOP.md).
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Reports a server-scenario sweep (server-scenario.json in RUN): per split the peak Poisson"
          + " rate meeting the SLO with its bracket and validity, the peak predicted from the"
          + " bottleneck stage (M/G/1 with --closed-loop's service-time spread, else M/D/1) and how well it agrees, the search's bracket against the"
          + " interval after the second-seed recheck, the one-at-a-time drift over the search, the"
          + " warm-up and allocator flags, the SLO frontier beside the closed-loop one, and latency"
          + " against offered load with each probe's seed and whether drops decided it. Writes"
          + " server-scenario.md, server-knee.csv and server-peaks.csv into DIR, or prints the"
          + " Markdown without --out."
    })
final class ServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "RUN",
      description =
          "Run folders or their server-scenario.json, of the same SLO; their points are reported"
              + " together.")
  List<Path> runs;

  @Option(names = "--out", paramLabel = "DIR", description = "Where the files go.")
  Path out;

  @Option(
      names = "--closed-loop",
      paramLabel = "JMHRUN",
      description =
          "A PartitionBenchmark run (folder with jmh/*.json) of the same model, batch, transport"
              + " and link: its closed-loop frontier (the pareto report's: latency with one in"
              + " flight, throughput at depth) beside the SLO frontier, split by split, with which"
              + " splits are on one but not the other; its hlogs' service-time spread makes the"
              + " predicted peaks M/G/1 (M/D/1 without it).")
  Path closedLoop;

  @Override
  public Integer call() throws Exception {
    List<ServerScenarioFile> files = new ArrayList<>();
    for (Path run : runs) {
      Path file = Files.isDirectory(run) ? run.resolve(ServerScenarioFile.FILE) : run;
      if (!Files.isRegularFile(file)) {
        throw new ReportInputException(
            file, "not found: give a run folder of a sweep with --scenario server, or its file");
      }
      ServerScenarioFile read = ServerScenarioFile.read(file);
      if (!files.isEmpty() && !files.get(0).slo().equals(read.slo())) {
        throw new ReportInputException(
            file,
            "its SLO "
                + read.slo()
                + " differs from "
                + files.get(0).slo()
                + " of the first run: report runs of one SLO together");
      }
      files.add(read);
    }
    List<ServerScenarioFile.Point> points = new ArrayList<>();
    files.forEach(f -> points.addAll(f.points()));
    ServerScenarioFile first = files.get(0);
    ClosedLoopFrontier closed = null;
    ServiceTimeSpread spread = ServiceTimeSpread.NONE;
    if (closedLoop != null) {
      Run run = new RunLoader().load(List.of(closedLoop));
      try {
        closed = ClosedLoopFrontier.of(closedLoop.toString(), run, points, first.batch());
      } catch (IllegalArgumentException e) {
        throw new ReportInputException(closedLoop, e.getMessage(), e);
      }
      spread = ServiceTimeSpread.read(closedLoop, points.get(0).model(), first.batch());
    }
    ServerScenarioReport report =
        new ServerScenarioReport(
            new ServerScenarioFile(
                first.slo(), first.percentile(), first.boundMs(), first.batch(), points),
            closed,
            spread);
    if (out == null) {
      spec.commandLine().getOut().print(report.markdown());
      spec.commandLine().getOut().flush();
    } else {
      report.write(out);
    }
    return ExitCodes.OK;
  }
}
