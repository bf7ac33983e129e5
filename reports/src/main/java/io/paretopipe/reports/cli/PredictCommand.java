package io.paretopipe.reports.cli;

import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.model.Run;
import io.paretopipe.reports.model.SplitOrder;
import io.paretopipe.reports.predict.Calibration;
import io.paretopipe.reports.predict.CostPrediction;
import io.paretopipe.reports.predict.DeviceProfiles;
import io.paretopipe.reports.predict.LinkSpec;
import io.paretopipe.reports.predict.Overhead;
import io.paretopipe.reports.predict.PeakRates;
import io.paretopipe.reports.predict.PredictionReport;
import io.paretopipe.reports.predict.PredictionReport.LinkPrediction;
import io.paretopipe.reports.predict.UnitProfile;
import io.paretopipe.reports.predict.UnitProfiles;
import io.paretopipe.reports.render.Numbers;
import io.paretopipe.reports.render.PredictedCosts;
import io.paretopipe.reports.render.PredictionRenderers;
import io.paretopipe.reports.render.Renderer;
import io.paretopipe.reports.render.ReportWriter;
import io.paretopipe.reports.run.RunLoader;
import io.paretopipe.reports.server.ServerScenarioFile;
import io.paretopipe.reports.server.ServiceTimeSpread;
import io.paretopipe.reports.server.Slo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code predict PROFILES --link SPEC [--devices N] [--out DIR]}: the predicted latency and
 * throughput of every cut combination from unit profiles, the predicted frontier per link, and the
 * best split(s) against bandwidth.
 */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
      "Predicts latency and pipelined throughput of every split (or cut combination over N devices) from per-unit "
          + "compute profiles (UnitProfileBenchmark JMH JSON) and a link, without measuring: latency = compute of "
          + "every stage + per hop (2 x delay + bytes / rate + overhead); throughput = batch / max(stage compute, "
          + "link time, latency / depth). Writes predicted.md, predicted.json, predicted.csv and charts/*.png into "
          + "DIR, or prints the Markdown without --out. See docs/PREDICTION.md."
    })
final class PredictCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(
      arity = "0..*",
      paramLabel = "PROFILES",
      description =
          "UnitProfileBenchmark results: JMH JSON files, run folders (jmh/*.json) or folders of JSON files;"
              + " the profiles of every stage unless --head/--middle/--tail say otherwise.")
  List<Path> profiles = new ArrayList<>();

  @Option(
      names = "--link",
      required = true,
      paramLabel = "SPEC",
      description =
          "Link of every hop: none, lan, wifi, 4g, 3g, pi-link, or e.g. delay:20ms+rate:50mbit. "
              + "Repeat for one frontier per link.")
  List<String> links;

  @Option(
      names = "--devices",
      paramLabel = "N",
      defaultValue = "2",
      description =
          "Number of devices (stages) (default: ${DEFAULT-VALUE}); N > 2 gives splits like 3:9.")
  int devices;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Output folder; written to a temporary folder first and replaced only when complete.")
  Path out;

  @Option(
      names = "--model",
      paramLabel = "MODEL",
      description = "The model, when the profiles hold several.")
  String model;

  @Option(
      names = "--batch",
      paramLabel = "B",
      description = "The batch, when the profiles hold several.")
  Integer batch;

  @Option(
      names = "--threads",
      paramLabel = "T",
      description = "Torch threads of every stage's profile, when the profiles hold several.")
  Integer threads;

  @Option(
      names = "--head-threads",
      paramLabel = "T",
      description = "Torch threads of the head's profile.")
  Integer headThreads;

  @Option(
      names = "--middle-threads",
      paramLabel = "T",
      description = "Torch threads of the middle stages' profile.")
  Integer middleThreads;

  @Option(
      names = "--tail-threads",
      paramLabel = "T",
      description = "Torch threads of the tail's profile.")
  Integer tailThreads;

  @Option(
      names = "--head",
      paramLabel = "FILE",
      description = "Unit profiles of the head device (default: PROFILES).")
  Path head;

  @Option(
      names = "--middle",
      paramLabel = "FILE",
      description = "Unit profiles of the middle devices (default: PROFILES, else --tail).")
  Path middle;

  @Option(
      names = "--tail",
      paramLabel = "FILE",
      description = "Unit profiles of the tail device (default: PROFILES).")
  Path tail;

  @Option(
      names = "--depth",
      paramLabel = "D",
      defaultValue = "4",
      description =
          "Requests in flight for the throughput (default: ${DEFAULT-VALUE}, as the benchmarks).")
  int depth;

  @Option(
      names = "--calibrate",
      paramLabel = "RUN",
      description =
          "A measured run (PartitionBenchmark results of the same model and batch) to fit the per-hop "
              + "overhead a + b x bytes from; without it the overhead is 0.")
  Path calibrate;

  @Option(
      names = "--transport",
      paramLabel = "T",
      description =
          "With --calibrate: the transport whose points to fit (nio, grpc, local), when the run has several.")
  String transport;

  @Option(
      names = "--slo",
      paramLabel = "pPERC:BOUND",
      description =
          "A latency SLO, e.g. p99:500ms or p99=500ms: adds per split the predicted peak Poisson"
              + " rate within it (M/G/1 at the busiest stage or link, its service-time spread from"
              + " the --calibrate run's hlogs, M/D/1 where none is measured; docs/PREDICTION.md) to"
              + " predicted.md, predicted.json and predicted.csv. With --server and no --slo, the"
              + " runs' SLO.")
  String slo;

  @Option(
      names = "--server",
      paramLabel = "RUN",
      arity = "1..*",
      description =
          "Server-scenario runs (a sweep folder with server-scenario.json, or the file) of the"
              + " profiles' model and batch, measured at the SLO: per measured split the predicted"
              + " peak against the measured bracket and stated interval, in predicted.md,"
              + " predicted.json and peak-agreement.csv.")
  List<Path> servers = new ArrayList<>();

  @Option(
      names = "--enumeration-limit",
      paramLabel = "N",
      defaultValue = "200000",
      hidden = true,
      description = "Evaluate every combination up to N; beyond, search the frontier only.")
  long enumerationLimit;

  @Override
  public Integer call() throws ReportInputException {
    if (devices < 2) {
      throw new ParameterException(
          spec.commandLine(), "--devices: " + devices + " (expected: >= 2)");
    }
    if (depth < 1) {
      throw new ParameterException(spec.commandLine(), "--depth: " + depth + " (expected: >= 1)");
    }
    if (transport != null && calibrate == null) {
      throw new ParameterException(
          spec.commandLine(), "--transport only applies with --calibrate RUN");
    }
    Slo parsedSlo = null;
    if (slo != null) {
      try {
        parsedSlo = Slo.parse(slo);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--slo: " + e.getMessage());
      }
    }
    List<ServerScenarioFile> serverFiles = new ArrayList<>();
    List<Path> serverPaths = new ArrayList<>();
    for (Path server : servers) {
      Path file = Files.isDirectory(server) ? server.resolve(ServerScenarioFile.FILE) : server;
      if (!Files.isRegularFile(file)) {
        throw new ReportInputException(
            file,
            "not found: --server takes a run folder of a sweep with --scenario server, or its"
                + " server-scenario.json");
      }
      serverFiles.add(ServerScenarioFile.read(file));
      serverPaths.add(file);
    }
    if (parsedSlo == null && !serverFiles.isEmpty()) {
      for (int i = 1; i < serverFiles.size(); i++) {
        if (serverFiles.get(i).percentile() != serverFiles.get(0).percentile()
            || serverFiles.get(i).boundMs() != serverFiles.get(0).boundMs()) {
          throw new ReportInputException(
              serverPaths.get(i),
              "its SLO "
                  + serverFiles.get(i).slo()
                  + " differs from "
                  + serverFiles.get(0).slo()
                  + " of "
                  + serverPaths.get(0)
                  + ": compare runs of one SLO at a time");
        }
      }
      parsedSlo = new Slo(serverFiles.get(0).percentile(), serverFiles.get(0).boundMs());
    }
    List<LinkSpec> parsed = new ArrayList<>();
    for (String link : links) {
      try {
        parsed.add(LinkSpec.parse(link));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--link: " + e.getMessage());
      }
    }
    Map<List<Path>, List<UnitProfile>> cache = new HashMap<>();
    UnitProfile headProfile = profile("head", head, headThreads, cache);
    UnitProfile tailProfile = profile("tail", tail, tailThreads, cache);
    UnitProfile middleProfile =
        devices > 2
            ? profile(
                "middle",
                middle != null ? middle : (profiles.isEmpty() ? tail : null),
                middleThreads,
                cache)
            : tailProfile;
    DeviceProfiles deviceProfiles = new DeviceProfiles(headProfile, middleProfile, tailProfile);
    Path tailSource = tail != null ? tail : profiles.get(0);
    int cutPoints = headProfile.unitCount() + 1;
    if (devices - 1 > cutPoints) {
      throw new ParameterException(
          spec.commandLine(),
          "--devices: "
              + devices
              + " devices need "
              + (devices - 1)
              + " distinct cuts but "
              + headProfile.model()
              + " has only "
              + cutPoints
              + " (0.."
              + (cutPoints - 1)
              + "): at most "
              + (cutPoints + 1)
              + " devices");
    }
    Overhead overhead = Overhead.NONE;
    String calibratedTransport = "";
    PredictedCosts costs = null;
    ServiceTimeSpread spread = ServiceTimeSpread.NONE;
    if (calibrate != null) {
      Run run = new RunLoader().load(List.of(calibrate));
      calibratedTransport = Calibration.chooseTransport(run, calibrate, deviceProfiles, transport);
      overhead = Calibration.fromRun(run, calibrate, deviceProfiles, calibratedTransport);
      costs = costs(run, deviceProfiles, calibratedTransport);
      if (parsedSlo != null) {
        spread = ServiceTimeSpread.read(calibrate, headProfile.model(), headProfile.batch());
      }
    }
    long start = System.nanoTime();
    PredictionReport report;
    try {
      report =
          PredictionReport.compute(
              deviceProfiles,
              devices,
              parsed,
              overhead,
              calibratedTransport,
              depth,
              enumerationLimit);
    } catch (IllegalArgumentException e) {
      throw new ReportInputException(tailSource, e.getMessage(), e);
    }
    if (parsedSlo != null) {
      PeakRates rates = new PeakRates(parsedSlo, List.of(), spread, calibratedTransport);
      List<PeakRates.Agreement> agreements = new ArrayList<>();
      for (int i = 0; i < serverFiles.size(); i++) {
        try {
          agreements.addAll(PeakRates.agree(rates, report, serverFiles.get(i)));
        } catch (IllegalArgumentException e) {
          throw new ReportInputException(serverPaths.get(i), e.getMessage(), e);
        }
      }
      agreements.sort(
          java.util.Comparator.comparing(PeakRates.Agreement::link)
              .thenComparing(PeakRates.Agreement::split, SplitOrder.INSTANCE)
              .thenComparing(PeakRates.Agreement::run));
      report =
          report.withPeakRates(new PeakRates(parsedSlo, agreements, spread, calibratedTransport));
    }
    double elapsedMs = (System.nanoTime() - start) / 1e6;
    PrintWriter stdout = spec.commandLine().getOut();
    if (out == null) {
      stdout.print(PredictionRenderers.markdown(report));
      if (costs != null) {
        stdout.print(costs.markdown(report));
      }
      return ExitCodes.OK;
    }
    List<Renderer<PredictionReport>> renderers = new ArrayList<>(PredictionRenderers.all());
    if (costs != null) {
      renderers.add(costs);
    }
    try {
      ReportWriter.write(report, renderers, out);
    } catch (IOException e) {
      throw new ReportInputException(out, "cannot write the prediction: " + e, e);
    }
    stdout.println(
        "predicted "
            + report.combinations()
            + " cut combination"
            + (report.combinations() == 1 ? "" : "s")
            + " of "
            + report.model()
            + " over "
            + devices
            + " devices and "
            + parsed.size()
            + " link"
            + (parsed.size() == 1 ? "" : "s")
            + " (+ "
            + report.sweeps().size() * PredictionReport.SWEEP_RATES_BITS_PER_SECOND.size()
            + " bandwidth-sweep frontiers) in "
            + Numbers.fixed(elapsedMs, 1)
            + " ms"
            + (report.enumerated() ? "" : " (frontier by dynamic programming)"));
    for (LinkPrediction lp : report.links()) {
      stdout.println(
          "  link "
              + lp.link().label()
              + ": frontier "
              + lp.frontier().size()
              + " split(s), lowest latency "
              + lp.bestLatency().split()
              + " ("
              + Numbers.fixed(lp.bestLatency().latencyMs(), 1)
              + " ms), highest "
              + "throughput "
              + lp.bestThroughput().split()
              + " ("
              + Numbers.fixed(lp.bestThroughput().throughputImgS(), 2)
              + " img/s)");
    }
    stdout.println("  per-hop overhead: " + PredictionRenderers.overheadText(overhead));
    if (report.peakRates() != null && !report.peakRates().agreements().isEmpty()) {
      stdout.println(
          "  peak rate at " + report.peakRates().slo() + ": " + report.peakRates().summary());
      stdout.println("  queue model: " + report.peakRates().modelSummary());
    }
    stdout.println("wrote " + out.resolve(PredictionRenderers.MARKDOWN));
    return ExitCodes.OK;
  }

  private UnitProfile profile(
      String role, Path explicit, Integer roleThreads, Map<List<Path>, List<UnitProfile>> cache)
      throws ReportInputException {
    List<Path> sources = explicit != null ? List.of(explicit) : profiles;
    if (sources.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(),
          "no unit profiles for the " + role + ": give PROFILES or --" + role + " FILE");
    }
    List<UnitProfile> all = cache.get(sources);
    if (all == null) {
      all = UnitProfiles.fromResults(new RunLoader().load(sources).results());
      cache.put(sources, all);
    }
    return UnitProfiles.select(
        all, sources.get(0), role, model, batch, roleThreads != null ? roleThreads : threads);
  }

  /**
   * CPU time and energy per image of every predicted split, fitted on the calibration run's points
   * of the profiles' model and batch over {@code transport} that recorded them; null when none did.
   */
  private PredictedCosts costs(Run run, DeviceProfiles profiles, String transport) {
    List<io.paretopipe.reports.model.Point> points =
        run.points().stream()
            .filter(
                p ->
                    p.group().model().equals(profiles.head().model())
                        && p.group().batch() == profiles.head().batch()
                        && p.group().transport().equals(transport))
            .toList();
    CostPrediction.Fit fit = CostPrediction.fit(points, profiles);
    if (fit.cpuPoints() == 0) {
      return null;
    }
    String label =
        points.stream()
            .filter(p -> p.costs().energyJPerImage().known())
            .map(p -> p.costs().energyLabel())
            .findFirst()
            .orElse("unavailable");
    return new PredictedCosts(fit, label, calibrate + " (" + transport + ")");
  }
}
