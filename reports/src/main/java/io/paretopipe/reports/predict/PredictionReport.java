package io.paretopipe.reports.predict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Everything {@code predict} outputs: per link every cut combination's prediction (or, beyond the
 * enumeration limit, only the frontier), the frontier, the best split for latency and for
 * throughput, and a bandwidth sweep. Immutable.
 *
 * @param model the model
 * @param batch images per request
 * @param devices the number of devices (stages)
 * @param depth requests in flight for the throughput
 * @param stages what each stage role uses ({@code head}, {@code middle}, {@code tail})
 * @param overhead the per-hop overhead
 * @param transport the transport the overhead was calibrated for, {@code ""} when not calibrated;
 *     for {@code local} the stages run one after the other ({@link PipelineModel#sequential})
 * @param combinations the number of cut combinations {@code C(n+1, devices-1)}
 * @param enumerated true when every combination was evaluated; false when only the frontier was
 *     searched (dynamic programming), because there were more than the enumeration limit
 * @param links one entry per {@code --link}, in the order given
 * @param sweeps one bandwidth sweep per distinct one-way delay of the links, by delay
 * @param peakRates the peak rate of every prediction within an SLO and its agreement with measured
 *     peaks ({@code predict --slo}, {@code --server}); {@code null} without an SLO
 */
public record PredictionReport(
    String model,
    int batch,
    int devices,
    int depth,
    List<StageRole> stages,
    Overhead overhead,
    String transport,
    long combinations,
    boolean enumerated,
    List<LinkPrediction> links,
    List<BandwidthSweep> sweeps,
    PeakRates peakRates) {

  /**
   * Rates of the bandwidth sweep: 10 per decade from 1 Mbit/s to 10 Gbit/s (41 rates), in bits per
   * second.
   */
  public static final List<Long> SWEEP_RATES_BITS_PER_SECOND = sweepRates();

  /** Combinations evaluated one by one at most; beyond it only the frontier is searched. */
  public static final long DEFAULT_ENUMERATION_LIMIT = 200_000;

  public PredictionReport {
    stages = List.copyOf(stages);
    links = List.copyOf(links);
    sweeps = List.copyOf(sweeps);
  }

  /**
   * What one stage role uses.
   *
   * @param role {@code head}, {@code middle} or {@code tail}
   * @param profile its unit profile
   */
  public record StageRole(String role, UnitProfile profile) {}

  /**
   * The predictions over one link.
   *
   * @param link the link
   * @param predictions every combination in lexicographic order of the cuts, or only the frontier
   *     when the report is not {@code enumerated}
   * @param frontier the frontier (lower latency, higher throughput), in lexicographic order of the
   *     cuts
   * @param bestLatency the lowest latency (ties: the first in cut order)
   * @param bestThroughput the highest throughput (ties: the lower latency, then the first in cut
   *     order)
   */
  public record LinkPrediction(
      LinkSpec link,
      List<Prediction> predictions,
      List<Prediction> frontier,
      Prediction bestLatency,
      Prediction bestThroughput) {
    public LinkPrediction {
      predictions = List.copyOf(predictions);
      frontier = List.copyOf(frontier);
    }

    /**
     * @return true when {@code p} (an element of {@link #predictions()}) is on the frontier
     */
    public boolean onFrontier(Prediction p) {
      return frontier.stream().anyMatch(f -> Arrays.equals(f.cuts(), p.cuts()));
    }
  }

  /**
   * The best splits as the rate varies, at one delay.
   *
   * @param delayNanos the one-way delay of every rate
   * @param points one per rate of {@link #SWEEP_RATES_BITS_PER_SECOND}
   */
  public record BandwidthSweep(long delayNanos, List<SweepPoint> points) {
    public BandwidthSweep {
      points = List.copyOf(points);
    }
  }

  /**
   * The best splits at one rate.
   *
   * @param rateBitsPerSecond the rate
   * @param bestLatency the lowest-latency combination
   * @param bestThroughput the highest-throughput combination
   */
  public record SweepPoint(
      long rateBitsPerSecond, Prediction bestLatency, Prediction bestThroughput) {}

  private static List<Long> sweepRates() {
    List<Long> rates = new ArrayList<>();
    for (int i = 0; i <= 40; i++) {
      rates.add(Math.round(Math.pow(10, 6 + i / 10.0)));
    }
    return List.copyOf(rates);
  }

  /**
   * Computes the predictions.
   *
   * @param devices the devices' profiles
   * @param deviceCount the number of devices, {@code >= 2}
   * @param links the links, at least one
   * @param overhead the per-hop overhead
   * @param transport the transport the overhead is for, {@code ""} when not calibrated
   * @param depth requests in flight
   * @param enumerationLimit evaluate every combination up to this many, else search the frontier
   *     only
   * @return the report
   * @throws IllegalArgumentException when the profiles disagree or the model has too few cuts for
   *     the devices
   */
  public static PredictionReport compute(
      DeviceProfiles devices,
      int deviceCount,
      List<LinkSpec> links,
      Overhead overhead,
      String transport,
      int depth,
      long enumerationLimit) {
    if (links.isEmpty()) {
      throw new IllegalArgumentException("links: empty (expected: at least one)");
    }
    List<UnitProfile> stageProfiles = devices.forStages(deviceCount);
    int n = devices.head().unitCount();
    if (deviceCount - 1 > n + 1) {
      throw new IllegalArgumentException(
          deviceCount
              + " devices need "
              + (deviceCount - 1)
              + " distinct cuts but "
              + devices.head().model()
              + " has only "
              + (n + 1)
              + " (0.."
              + n
              + ")");
    }
    PipelineModel base = new PipelineModel(stageProfiles, links.get(0), overhead, depth);
    if (PredictedVsMeasured.SEQUENTIAL_TRANSPORT.equals(transport)) {
      base = base.sequential();
    }
    boolean enumerate = base.combinationCount() <= enumerationLimit;
    List<LinkPrediction> perLink = new ArrayList<>();
    for (LinkSpec link : links) {
      PipelineModel model = base.withLink(link);
      List<Prediction> all;
      List<Prediction> frontier;
      if (enumerate) {
        all = model.enumerate(enumerationLimit);
        boolean[] on = PipelineModel.frontierFlags(all);
        frontier = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          if (on[i]) {
            frontier.add(all.get(i));
          }
        }
      } else {
        frontier = model.frontier();
        all = frontier;
      }
      perLink.add(
          new LinkPrediction(link, all, frontier, bestLatency(frontier), bestThroughput(frontier)));
    }
    List<BandwidthSweep> sweeps = new ArrayList<>();
    for (long delay : new TreeSet<>(links.stream().map(LinkSpec::delayNanos).toList())) {
      List<SweepPoint> points = new ArrayList<>();
      for (long rate : SWEEP_RATES_BITS_PER_SECOND) {
        List<Prediction> frontier = base.withLink(LinkSpec.of(delay, rate)).frontier();
        points.add(new SweepPoint(rate, bestLatency(frontier), bestThroughput(frontier)));
      }
      sweeps.add(new BandwidthSweep(delay, points));
    }
    List<StageRole> roles = new ArrayList<>();
    roles.add(new StageRole("head", devices.head()));
    if (deviceCount > 2) {
      roles.add(new StageRole("middle", devices.middle()));
    }
    roles.add(new StageRole("tail", devices.tail()));
    return new PredictionReport(
        devices.head().model(),
        devices.head().batch(),
        deviceCount,
        depth,
        roles,
        overhead,
        transport,
        base.combinationCount(),
        enumerate,
        perLink,
        sweeps,
        null);
  }

  /**
   * @return this report with {@code rates} (null: without)
   */
  public PredictionReport withPeakRates(PeakRates rates) {
    return new PredictionReport(
        model,
        batch,
        devices,
        depth,
        stages,
        overhead,
        transport,
        combinations,
        enumerated,
        links,
        sweeps,
        rates);
  }

  private static final Comparator<Prediction> CUT_ORDER =
      Comparator.comparing(Prediction::cuts, Arrays::compare);

  /**
   * @return the lowest latency, ties broken by cut order
   */
  static Prediction bestLatency(List<Prediction> predictions) {
    return predictions.stream()
        .min(Comparator.comparingDouble(Prediction::latencyMs).thenComparing(CUT_ORDER))
        .orElseThrow();
  }

  /**
   * @return the highest throughput, ties broken by lower latency, then cut order
   */
  static Prediction bestThroughput(List<Prediction> predictions) {
    return predictions.stream()
        .min(
            Comparator.comparingDouble((Prediction p) -> -p.throughputImgS())
                .thenComparingDouble(Prediction::latencyMs)
                .thenComparing(CUT_ORDER))
        .orElseThrow();
  }
}
