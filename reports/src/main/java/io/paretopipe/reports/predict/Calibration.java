package io.paretopipe.reports.predict;

import io.paretopipe.format.Phase;
import io.paretopipe.reports.ReportInputException;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.Run;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Fits the per-hop {@link Overhead} from measured partition points, and {@link Overhead#fit} does
 * the least squares. A point's residual is what its requests spent outside compute, measured on the
 * head's clock (the {@code encode + network + decode} phases of its hlog), minus the wire time the
 * model predicts (link delay and bytes at the link's rate). Without phases it is the measured mean
 * latency minus the predicted compute and wire time; the phases are preferred because that
 * difference also absorbs any gap between the unit profiles' compute times and the point's (another
 * CPU, another load), which is not per-hop overhead. Stateless.
 */
public final class Calibration {
  private Calibration() {}

  /**
   * @param split a split label, {@code 3} or {@code 3:9}
   * @return its cut points
   * @throws IllegalArgumentException when a part is not an integer
   */
  public static int[] parseSplit(String split) {
    String[] parts = split.trim().split(":", -1);
    int[] cuts = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        cuts[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "split '" + split + "' is not K or K1:K2 (integers joined by ':')");
      }
    }
    return cuts;
  }

  /**
   * The residual of one measured point.
   *
   * @param point a point with a measured mean latency
   * @param profiles the devices' profiles (of the point's model and batch)
   * @param label the sample's label (e.g. the split, for leave-one-split-out)
   * @return the sample
   * @throws IllegalArgumentException when the point's link or split cannot be read, or does not fit
   *     the profiles
   */
  public static Overhead.Sample sample(Point point, DeviceProfiles profiles, String label) {
    int[] cuts = parseSplit(point.split());
    LinkSpec link = LinkSpec.parse(point.group().link());
    PipelineModel model =
        new PipelineModel(profiles.forStages(cuts.length + 1), link, Overhead.NONE, 1);
    Prediction bare = model.predict(cuts);
    double measuredOverhead =
        point.phaseMs(Phase.ENCODE) + point.phaseMs(Phase.NETWORK) + point.phaseMs(Phase.DECODE);
    if (Double.isFinite(measuredOverhead)) {
      double compute = 0;
      for (double c : bare.stageComputeMs()) {
        compute += c;
      }
      return new Overhead.Sample(
          label, cuts.length, bare.totalBytes(), measuredOverhead - (bare.latencyMs() - compute));
    }
    return new Overhead.Sample(
        label, cuts.length, bare.totalBytes(), point.latencyMeanMs() - bare.latencyMs());
  }

  /**
   * The transport whose points calibrate the overhead.
   *
   * @param run the measured run
   * @param runPath the path it was read from, for messages
   * @param profiles the devices' profiles; the run's points of their model and batch count
   * @param transport the transport asked for, or null for the only one the run has
   * @return the transport
   * @throws ReportInputException when the run has no usable point, or several transports and none
   *     was asked for, or not the one asked for
   */
  public static String chooseTransport(
      Run run, Path runPath, DeviceProfiles profiles, String transport)
      throws ReportInputException {
    List<Point> matching = matching(run, profiles);
    String model = profiles.head().model();
    int batch = profiles.head().batch();
    if (matching.isEmpty()) {
      throw new ReportInputException(
          runPath,
          "no PartitionBenchmark latency results of "
              + model
              + " at batch "
              + batch
              + " to calibrate from (the run has "
              + run.points().size()
              + " points of "
              + run.points().stream()
                  .map(p -> p.group().model() + " batch " + p.group().batch())
                  .distinct()
                  .sorted()
                  .collect(Collectors.joining(", "))
              + ")");
    }
    Set<String> transports = new TreeSet<>();
    matching.forEach(p -> transports.add(p.group().transport()));
    if (transport == null) {
      if (transports.size() > 1) {
        throw new ReportInputException(
            runPath,
            "the run has points over several transports ("
                + String.join(", ", transports)
                + "): choose the one to calibrate with --transport");
      }
      return transports.iterator().next();
    }
    if (!transports.contains(transport)) {
      throw new ReportInputException(
          runPath,
          "no "
              + model
              + " points over transport "
              + transport
              + " to calibrate from: the run has "
              + String.join(", ", transports));
    }
    return transport;
  }

  private static List<Point> matching(Run run, DeviceProfiles profiles) {
    return run.points().stream()
        .filter(
            p ->
                p.group().model().equals(profiles.head().model())
                    && p.group().batch() == profiles.head().batch()
                    && Double.isFinite(p.latencyMeanMs()))
        .toList();
  }

  /**
   * Fits the overhead from a measured run ({@code predict --calibrate RUN}): every point of the
   * profiles' model and batch over {@code transport} with a measured mean latency, over any link.
   *
   * @param run the measured run
   * @param runPath the path it was read from, for messages
   * @param profiles the devices' profiles
   * @param transport the transport, see {@link #chooseTransport}
   * @return the fitted overhead
   * @throws ReportInputException when a point's link or split cannot be read or does not fit the
   *     profiles
   */
  public static Overhead fromRun(Run run, Path runPath, DeviceProfiles profiles, String transport)
      throws ReportInputException {
    chooseTransport(run, runPath, profiles, transport);
    List<Overhead.Sample> samples = new ArrayList<>();
    for (Point p : matching(run, profiles)) {
      if (!p.group().transport().equals(transport)) {
        continue;
      }
      try {
        samples.add(sample(p, profiles, p.group().link() + " / split " + p.split()));
      } catch (IllegalArgumentException e) {
        throw new ReportInputException(
            runPath, p.group().label() + " " + p.label() + ": " + e.getMessage(), e);
      }
    }
    return Overhead.fit(
        samples,
        runPath
            + " ("
            + profiles.head().model()
            + ", "
            + transport
            + ", batch "
            + profiles.head().batch()
            + ")");
  }
}
