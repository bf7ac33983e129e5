package io.paretopipe.reports.predict;

import io.paretopipe.reports.model.GroupKey;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.Run;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * CPU milliseconds and joules per image of every measured point that recorded them, predicted from
 * the unit profiles (compute) and the bytes at the cut (the link), out of sample like the latency
 * ({@link PredictedVsMeasured}): every coefficient is fitted on the other splits of the point's
 * calibration set (model, transport, batch, variant; every link), never on its own split.
 *
 * <ul>
 *   <li><b>CPU</b>: {@code sum(stage compute per batch) / batch + a + b x bytes per image}: the
 *       units' profiled compute time is CPU time on one thread; {@code a} (fixed work per image:
 *       the driver, encode, decode, the stage server's loop) and {@code b} (CPU per byte sent:
 *       copies and the socket on both ends) are least squares over the other splits of what the
 *       measured CPU time exceeds the compute by ({@code b} = 0 with fewer than three of them).
 *   <li><b>Energy</b>: {@code alpha / throughput + beta x CPU ms per image}, the form of every tier
 *       over a window ({@code alpha}: the watts drawn whatever the work, times the seconds one
 *       image holds the pipeline; {@code beta}: joules per CPU millisecond); fitted on the other
 *       splits' measured energy, throughput and CPU time, applied to the predicted throughput and
 *       CPU time. For the model tier with one device profile for every stage, alpha and beta are
 *       exactly its summed idle watts and its watts per busy core / 1000 (docs/ENERGY.md), so the
 *       error is the error of the predicted throughput and CPU time.
 * </ul>
 *
 * Immutable.
 */
public final class CostPrediction {

  /**
   * One point's prediction.
   *
   * @param cpuMsPerImage predicted CPU ms per image over every stage, NaN when not predicted
   * @param energyJPerImage predicted joules per image, NaN when not predicted
   */
  public record PointCost(double cpuMsPerImage, double energyJPerImage) {
    /**
     * @return {@code (predicted - measured) / measured * 100} of the CPU time, NaN when unknown
     */
    public double cpuErrorPct(Point measured) {
      return PredictedVsMeasured.errorPct(cpuMsPerImage, measured.costs().cpuTotal().value());
    }

    /**
     * @return {@code (predicted - measured) / measured * 100} of the energy, NaN when unknown
     */
    public double energyErrorPct(Point measured) {
      return PredictedVsMeasured.errorPct(
          energyJPerImage, measured.costs().energyJPerImage().value());
    }
  }

  /**
   * The agreement in one group, or overall.
   *
   * @param cpuPoints points with a measured and a predicted CPU time
   * @param medianAbsCpuErrorPct median of {@code |CPU error %|}, NaN without points
   * @param energyPoints points with a measured and a predicted energy
   * @param medianAbsEnergyErrorPct median of {@code |energy error %|}, NaN without points
   */
  public record Agreement(
      int cpuPoints,
      double medianAbsCpuErrorPct,
      int energyPoints,
      double medianAbsEnergyErrorPct) {
    static Agreement of(List<Double> cpuErrors, List<Double> energyErrors) {
      return new Agreement(
          cpuErrors.size(),
          PredictedVsMeasured.medianAbs(cpuErrors),
          energyErrors.size(),
          PredictedVsMeasured.medianAbs(energyErrors));
    }
  }

  /** Nothing predicted. */
  static final CostPrediction NONE =
      new CostPrediction(new IdentityHashMap<>(), new TreeMap<>(), null);

  private final Map<Point, PointCost> byPoint;
  private final SortedMap<GroupKey, Agreement> byGroup;
  private final Agreement overall;

  private CostPrediction(
      Map<Point, PointCost> byPoint, SortedMap<GroupKey, Agreement> byGroup, Agreement overall) {
    this.byPoint = byPoint;
    this.byGroup = Collections.unmodifiableSortedMap(byGroup);
    this.overall = overall;
  }

  /** One measured point as a fit sees it: its terms, CPU time, seconds per image and energy. */
  private static Sample sample(Point p, Prediction terms) {
    int batch = p.group().batch();
    return new Sample(
        p.split(),
        computeMsPerImage(terms, batch),
        bytesPerImage(terms, batch),
        p.costs().cpuTotal().value(),
        p.throughputImgS() > 0 ? 1 / p.throughputImgS() : Double.NaN,
        p.costs().energyJPerImage().value());
  }

  /**
   * Fits both models on every point of {@code points} that recorded its CPU time ({@code predict
   * --calibrate RUN}): in sample, every split of the run at once.
   *
   * @param points measured points of one model, batch and transport
   * @param profiles the devices' unit profiles (compute and bytes at each cut)
   * @return the fit; {@link Fit#cpuPoints()} 0 when no point recorded its CPU time
   */
  public static Fit fit(List<Point> points, DeviceProfiles profiles) {
    List<Sample> samples = new ArrayList<>();
    for (Point p : points) {
      if (!p.costs().cpuTotal().known()) {
        continue;
      }
      int[] cuts = Calibration.parseSplit(p.split());
      Prediction terms =
          new PipelineModel(
                  profiles.forStages(cuts.length + 1), LinkSpec.parse("none"), Overhead.NONE, 1)
              .predict(cuts);
      samples.add(sample(p, terms));
    }
    return Fit.of(samples);
  }

  /** What one point contributes to a fit. */
  private record Sample(
      String split,
      double computeMsPerImage,
      double bytesPerImage,
      double cpuMsPerImage,
      double secondsPerImage,
      double energyJPerImage) {}

  /**
   * @param run the measured run
   * @param latency its latency and throughput predictions (their terms and predicted throughput)
   * @return the predictions; empty when no predicted point recorded its CPU time
   */
  static CostPrediction of(Run run, PredictedVsMeasured latency) {
    Map<String, List<Sample>> sets = new HashMap<>();
    Map<Point, Sample> samples = new IdentityHashMap<>();
    for (Point p : run.points()) {
      Optional<Prediction> terms = latency.terms(p);
      if (terms.isEmpty() || !p.costs().cpuTotal().known()) {
        continue;
      }
      Sample s = sample(p, terms.get());
      samples.put(p, s);
      sets.computeIfAbsent(PredictedVsMeasured.calibrationKey(p.group()), k -> new ArrayList<>())
          .add(s);
    }
    if (samples.isEmpty()) {
      return NONE;
    }
    Map<Point, PointCost> byPoint = new IdentityHashMap<>();
    SortedMap<GroupKey, Agreement> byGroup = new TreeMap<>();
    List<Double> allCpu = new ArrayList<>();
    List<Double> allEnergy = new ArrayList<>();
    for (Map.Entry<GroupKey, List<Point>> e : run.pointsByGroup().entrySet()) {
      List<Double> cpuErrors = new ArrayList<>();
      List<Double> energyErrors = new ArrayList<>();
      for (Point p : e.getValue()) {
        Sample own = samples.get(p);
        if (own == null) {
          continue;
        }
        List<Sample> others =
            sets.get(PredictedVsMeasured.calibrationKey(p.group())).stream()
                .filter(s -> !s.split().equals(own.split()))
                .toList();
        double cpu =
            Fit.of(others).cpuMsPerImage(latency.terms(p).orElseThrow(), p.group().batch());
        List<Sample> sameLink =
            e.getValue().stream()
                .map(samples::get)
                .filter(s -> s != null && !s.split().equals(own.split()))
                .toList();
        double predictedThroughput =
            latency
                .of(p)
                .map(PredictedVsMeasured.PointPrediction::throughputImgS)
                .orElse(Double.NaN);
        PointCost pc =
            new PointCost(cpu, Fit.of(sameLink).energyJPerImage(predictedThroughput, cpu));
        byPoint.put(p, pc);
        PredictedVsMeasured.add(cpuErrors, pc.cpuErrorPct(p));
        PredictedVsMeasured.add(energyErrors, pc.energyErrorPct(p));
      }
      if (!cpuErrors.isEmpty() || !energyErrors.isEmpty()) {
        byGroup.put(e.getKey(), Agreement.of(cpuErrors, energyErrors));
        allCpu.addAll(cpuErrors);
        allEnergy.addAll(energyErrors);
      }
    }
    return new CostPrediction(
        byPoint, byGroup, byGroup.isEmpty() ? null : Agreement.of(allCpu, allEnergy));
  }

  /**
   * The fitted coefficients of both models (see the class comment), from measured points.
   *
   * @param a CPU ms per image beyond the profiled compute, fixed part; NaN without points
   * @param b CPU ms per byte sent per image
   * @param alpha joules per second an image holds the pipeline (W); NaN with fewer than two points
   *     with a known energy, or when they cannot separate alpha from beta
   * @param beta joules per CPU millisecond
   * @param cpuPoints the points the CPU fit rests on
   * @param energyPoints the points the energy fit rests on
   */
  public record Fit(
      double a, double b, double alpha, double beta, int cpuPoints, int energyPoints) {

    /**
     * @param terms a prediction's compute per stage and bytes per hop
     * @param batch images per request
     * @return predicted CPU ms per image, NaN without a CPU fit
     */
    public double cpuMsPerImage(Prediction terms, int batch) {
      return computeMsPerImage(terms, batch) + a + b * bytesPerImage(terms, batch);
    }

    /**
     * @param throughputImgS the (predicted) throughput
     * @param cpuMsPerImage the (predicted) CPU ms per image
     * @return predicted joules per image, NaN without an energy fit
     */
    public double energyJPerImage(double throughputImgS, double cpuMsPerImage) {
      return throughputImgS > 0 ? alpha / throughputImgS + beta * cpuMsPerImage : Double.NaN;
    }

    static Fit of(List<Sample> samples) {
      double[] x = samples.stream().mapToDouble(Sample::bytesPerImage).toArray();
      double[] y =
          samples.stream().mapToDouble(s -> s.cpuMsPerImage() - s.computeMsPerImage()).toArray();
      double[] ab =
          y.length == 0
              ? new double[] {Double.NaN, Double.NaN}
              : y.length >= 3 ? line(x, y) : new double[] {mean(y), 0};
      List<Sample> known =
          samples.stream()
              .filter(
                  s ->
                      Double.isFinite(s.energyJPerImage())
                          && Double.isFinite(s.secondsPerImage())
                          && Double.isFinite(s.cpuMsPerImage()))
              .toList();
      double[] ab2 = throughOrigin(known);
      return new Fit(ab[0], ab[1], ab2[0], ab2[1], y.length, known.size());
    }
  }

  static double computeMsPerImage(Prediction terms, int batch) {
    double compute = 0;
    for (double ms : terms.stageComputeMs()) {
      compute += ms;
    }
    return compute / batch;
  }

  static double bytesPerImage(Prediction terms, int batch) {
    long bytes = 0;
    for (long v : terms.hopBytes()) {
      bytes += v;
    }
    return bytes / (double) batch;
  }

  /** {@code [alpha, beta]} of {@code energy = alpha x seconds + beta x cpu}, least squares. */
  private static double[] throughOrigin(List<Sample> known) {
    if (known.size() < 2) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double stt = 0;
    double scc = 0;
    double stc = 0;
    double ste = 0;
    double sce = 0;
    for (Sample s : known) {
      stt += s.secondsPerImage() * s.secondsPerImage();
      scc += s.cpuMsPerImage() * s.cpuMsPerImage();
      stc += s.secondsPerImage() * s.cpuMsPerImage();
      ste += s.secondsPerImage() * s.energyJPerImage();
      sce += s.cpuMsPerImage() * s.energyJPerImage();
    }
    double det = stt * scc - stc * stc;
    if (!(Math.abs(det) > 1e-12 * stt * scc)) {
      return new double[] {Double.NaN, Double.NaN};
    }
    return new double[] {(ste * scc - sce * stc) / det, (stt * sce - stc * ste) / det};
  }

  /** Least-squares {@code [intercept, slope]}; slope 0 when every x is equal. */
  private static double[] line(double[] x, double[] y) {
    double mx = mean(x);
    double my = mean(y);
    double sxx = 0;
    double sxy = 0;
    for (int i = 0; i < x.length; i++) {
      sxx += (x[i] - mx) * (x[i] - mx);
      sxy += (x[i] - mx) * (y[i] - my);
    }
    double slope = sxx > 0 ? sxy / sxx : 0;
    return new double[] {my - slope * mx, slope};
  }

  private static double mean(double[] v) {
    double sum = 0;
    for (double d : v) {
      sum += d;
    }
    return sum / v.length;
  }

  /**
   * @return true when no point has a prediction
   */
  public boolean isEmpty() {
    return byPoint.isEmpty();
  }

  /**
   * @return the prediction of {@code point}, empty when it has none
   */
  public Optional<PointCost> of(Point point) {
    return Optional.ofNullable(byPoint.get(point));
  }

  /**
   * @return the agreement per group that has predictions
   */
  public SortedMap<GroupKey, Agreement> byGroup() {
    return byGroup;
  }

  /**
   * @return the agreement over every predicted point, empty when nothing was predicted
   */
  public Optional<Agreement> overall() {
    return Optional.ofNullable(overall);
  }
}
