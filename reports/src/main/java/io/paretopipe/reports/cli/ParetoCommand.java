package io.paretopipe.reports.cli;

import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.pareto.Frontier;
import io.paretopipe.reports.pareto.LatencyStatistic;
import io.paretopipe.reports.pareto.Objective;
import io.paretopipe.reports.predict.PredictedVsMeasured;
import io.paretopipe.reports.render.Numbers;
import io.paretopipe.reports.render.ParetoReport;
import io.paretopipe.reports.render.ReportWriter;
import io.paretopipe.reports.run.RunLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pareto RESULTS... --out DIR}: points, frontier, CSV/JSON/Markdown/HTML/PNG report. */
@Command(
    name = "pareto",
    mixinStandardHelpOptions = true,
    description = {
      "Merges JMH JSON results and HdrHistogram logs into partition points, computes the Pareto frontier per "
          + "(model, transport, link, batch) and writes points.csv, frontier.csv, frontier.json, summary.md, "
          + "index.html and charts/*.png into DIR. When the run also holds UnitProfileBenchmark results (e.g. "
          + "RUN/jmh/unit-profile.json), every point is predicted too and shown next to its measurement."
    })
final class ParetoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(
      arity = "1..*",
      paramLabel = "RESULTS",
      description = "JMH JSON files or run folders (with jmh/*.json, hlog/, cuts/).")
  List<Path> inputs;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description =
          "Output folder; written to a temporary folder first and replaced only when complete.")
  Path out;

  @Option(
      names = "--latency",
      paramLabel = "STAT",
      defaultValue = "mean",
      description =
          "Latency statistic of the latency objective: mean, p50, p90, p99, p99.9 (default: ${DEFAULT-VALUE}).")
  String latency;

  @Option(
      names = "--objectives",
      paramLabel = "LIST",
      split = ",",
      defaultValue = "latency,throughput",
      description =
          "Objectives: latency, throughput, bytes, head_compute (default: ${DEFAULT-VALUE}).")
  List<String> objectives;

  @Option(
      names = "--epsilon",
      description =
          "Epsilon-dominance: differences within the measurement error (confidence intervals) do not count.")
  boolean epsilon;

  @Override
  public Integer call() throws ReportInputException {
    LatencyStatistic statistic;
    List<Objective> chosen = new ArrayList<>();
    try {
      statistic = LatencyStatistic.parse(latency);
      for (String name : objectives) {
        chosen.add(Objective.parse(name, statistic));
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Run run = new RunLoader().load(inputs);
    if (run.points().isEmpty()) {
      throw new ReportInputException(
          inputs.get(0),
          "no PartitionBenchmark latency or throughput results ("
              + run.results().size()
              + " results of other benchmarks): nothing to draw a frontier from");
    }
    Frontier frontier = Frontier.compute(run.pointsByGroup(), chosen, epsilon);
    PredictedVsMeasured prediction = PredictedVsMeasured.of(run);
    try {
      ReportWriter.write(
          new ParetoReport(run, frontier, statistic, prediction),
          ReportWriter.paretoRenderers(),
          out);
    } catch (IOException e) {
      throw new ReportInputException(out, "cannot write the report: " + e, e);
    }
    PrintWriter stdout = spec.commandLine().getOut();
    if (common.verbose) {
      run.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
      prediction.notes().forEach(n -> spec.commandLine().getErr().println("warning: " + n));
    }
    stdout.println(
        "wrote "
            + out.resolve("index.html")
            + " ("
            + run.points().size()
            + " points, "
            + frontier.frontierByGroup().size()
            + " groups, "
            + frontier.frontierByGroup().values().stream().mapToInt(List::size).sum()
            + " on a frontier)");
    prediction
        .overall()
        .ifPresent(
            a ->
                stdout.println(
                    "predicted from unit profiles: median absolute error "
                        + Numbers.fixed(a.medianAbsLatencyErrorPct(), 1)
                        + "% latency ("
                        + a.latencyPoints()
                        + " points), "
                        + Numbers.fixed(a.medianAbsThroughputErrorPct(), 1)
                        + "% throughput ("
                        + a.throughputPoints()
                        + " points)"));
    return ExitCodes.OK;
  }
}
