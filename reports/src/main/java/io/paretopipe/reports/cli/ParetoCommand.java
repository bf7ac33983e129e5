package io.paretopipe.reports.cli;

import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.pareto.Convergence;
import io.paretopipe.reports.pareto.Frontier;
import io.paretopipe.reports.pareto.FrontierClass;
import io.paretopipe.reports.pareto.LatencyStatistic;
import io.paretopipe.reports.pareto.Objective;
import io.paretopipe.reports.predict.PredictedVsMeasured;
import io.paretopipe.reports.render.Numbers;
import io.paretopipe.reports.render.ParetoReport;
import io.paretopipe.reports.render.Renderer;
import io.paretopipe.reports.render.ReportWriter;
import io.paretopipe.reports.run.RunLoader;
import io.paretopipe.reports.stats.IntervalMethod;
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
          + "index.html and charts/*.png into DIR. Every point carries its sample counts, 95%% intervals, "
          + "its probability of being on the frontier (seeded bootstrap) and its class (frontier, possible, "
          + "dominated). When the run also holds UnitProfileBenchmark results (e.g. "
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
          "Objectives, any subset of: latency, throughput, cpu (CPU ms per image), energy (J per"
              + " image), bytes, head_compute (default: ${DEFAULT-VALUE}).")
  List<String> objectives;

  @Option(
      names = "--epsilon",
      description =
          "Epsilon-dominance: differences within the measurement error (confidence intervals) do not count."
              + " Implies --frontier exact.")
  boolean epsilon;

  @Option(
      names = "--frontier",
      paramLabel = "METHOD",
      description =
          "probabilistic (default): on_frontier = not dominated beyond doubt, from a bootstrap of every"
              + " point's samples; exact: exact dominance of the estimates (as before). Both report"
              + " frontier_probability and frontier_class.")
  String frontierMethod;

  @Option(
      names = "--resamples",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Bootstrap resamples per group, >= 1000 (default: ${DEFAULT-VALUE}).")
  int resamples;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description =
          "Bootstrap seed (default: ${DEFAULT-VALUE}): the same inputs and seed give the same answer.")
  long seed;

  @Option(
      names = "--target-half-width",
      paramLabel = "PCT",
      defaultValue = "3%",
      description =
          "A point converged when the 95%% half widths of its mean latency and throughput are at most"
              + " this share of the estimate (default: ${DEFAULT-VALUE}) and --required-percentiles are"
              + " supported.")
  String targetHalfWidth;

  @Option(
      names = "--required-percentiles",
      paramLabel = "LIST",
      split = ",",
      defaultValue = "p50,p90",
      description =
          "Percentiles the samples must support for a point to converge (default: ${DEFAULT-VALUE});"
              + " 'none' for none. The --latency statistic is always required when it is a percentile.")
  List<String> requiredPercentiles;

  @Mixin IntervalOption intervalOption;

  @Option(
      names = "--formats",
      paramLabel = "LIST",
      split = ",",
      defaultValue = "csv,json,md,html",
      description =
          "What to write: csv (points.csv, frontier.csv), json (frontier.json), md (summary.md), html"
              + " (index.html and charts/) (default: ${DEFAULT-VALUE}). --formats json is the fast one"
              + " a sweep calls between passes.")
  List<String> formats;

  @Override
  public Integer call() throws ReportInputException {
    LatencyStatistic statistic;
    List<Objective> chosen = new ArrayList<>();
    Frontier.Method method;
    Convergence convergence;
    List<Renderer<ParetoReport>> renderers;
    IntervalMethod intervalMethod;
    try {
      statistic = LatencyStatistic.parse(latency);
      for (String name : objectives) {
        chosen.add(Objective.parse(name, statistic));
      }
      if (frontierMethod == null) {
        method = epsilon ? Frontier.Method.EXACT : Frontier.Method.PROBABILISTIC;
      } else {
        method = Frontier.Method.parse(frontierMethod);
        if (epsilon && method != Frontier.Method.EXACT) {
          throw new IllegalArgumentException("--epsilon applies to --frontier exact only");
        }
      }
      if (resamples < 1000) {
        throw new IllegalArgumentException("--resamples: " + resamples + " (expected: >= 1000)");
      }
      List<Double> required = new ArrayList<>();
      for (String q : requiredPercentiles) {
        if (q.trim().equalsIgnoreCase("none")) {
          continue;
        }
        LatencyStatistic s = LatencyStatistic.parse(q);
        if (s == LatencyStatistic.MEAN) {
          throw new IllegalArgumentException(
              "--required-percentiles: \"mean\" is not a percentile (expected: p50, p90, p99, p99.9 or none)");
        }
        required.add(s.percentile());
      }
      if (statistic != LatencyStatistic.MEAN && !required.contains(statistic.percentile())) {
        required.add(statistic.percentile());
      }
      convergence = new Convergence(CompareCommand.parsePercent(targetHalfWidth), required);
      intervalMethod = intervalOption.method();
      renderers = ReportWriter.paretoRenderers(formats);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Run run = new RunLoader(intervalMethod).load(inputs);
    if (run.points().isEmpty()) {
      throw new ReportInputException(
          inputs.get(0),
          "no PartitionBenchmark latency or throughput results ("
              + run.results().size()
              + " results of other benchmarks): nothing to draw a frontier from");
    }
    Frontier frontier =
        Frontier.compute(run.pointsByGroup(), chosen, method, epsilon, resamples, seed);
    PredictedVsMeasured prediction = PredictedVsMeasured.of(run);
    try {
      ReportWriter.write(
          new ParetoReport(run, frontier, statistic, prediction, convergence), renderers, out);
    } catch (IOException e) {
      throw new ReportInputException(out, "cannot write the report: " + e, e);
    }
    PrintWriter stdout = spec.commandLine().getOut();
    if (common.verbose) {
      run.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
      prediction.notes().forEach(n -> spec.commandLine().getErr().println("warning: " + n));
    }
    long certain =
        frontier.confidence().values().stream()
            .filter(c -> c.frontierClass() == FrontierClass.FRONTIER)
            .count();
    long dominated =
        frontier.confidence().values().stream()
            .filter(c -> c.frontierClass() == FrontierClass.DOMINATED)
            .count();
    long possible =
        frontier.confidence().values().stream()
            .filter(c -> c.frontierClass() == FrontierClass.POSSIBLE)
            .count();
    long converged = run.points().stream().filter(convergence::converged).count();
    String onFrontier =
        method == Frontier.Method.PROBABILISTIC
            ? "frontier (probabilistic): "
                + certain
                + " frontier with P >= 0.95, "
                + possible
                + " possible, "
            : frontier.frontierByGroup().values().stream().mapToInt(List::size).sum()
                + " on a frontier ("
                + method.label()
                + "): "
                + certain
                + " frontier with P >= 0.95, ";
    stdout.println(
        "wrote "
            + (formats.stream().anyMatch(f -> f.trim().equalsIgnoreCase("html"))
                ? out.resolve("index.html")
                : out)
            + " ("
            + run.points().size()
            + " points, "
            + frontier.frontierByGroup().size()
            + " groups, "
            + onFrontier
            + dominated
            + " dominated beyond doubt; "
            + converged
            + " converged)");
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
    prediction
        .costs()
        .overall()
        .ifPresent(
            a ->
                stdout.println(
                    "predicted CPU time and energy: median absolute error "
                        + Numbers.fixed(a.medianAbsCpuErrorPct(), 1)
                        + "% CPU ms/image ("
                        + a.cpuPoints()
                        + " points), "
                        + Numbers.fixed(a.medianAbsEnergyErrorPct(), 1)
                        + "% J/image ("
                        + a.energyPoints()
                        + " points)"));
    return ExitCodes.OK;
  }
}
