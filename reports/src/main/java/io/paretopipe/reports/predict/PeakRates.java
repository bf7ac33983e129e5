package io.paretopipe.reports.predict;

import io.paretopipe.reports.server.ServerPeakPrediction;
import io.paretopipe.reports.server.ServerScenarioFile;
import io.paretopipe.reports.server.ServiceTimeSpread;
import io.paretopipe.reports.server.Slo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code predict --slo}: the peak Poisson rate each predicted split sustains within a latency SLO,
 * and with {@code --server} how well that agrees with measured peak searches (docs/OPEN-LOOP.md).
 *
 * <p>The prediction is {@link ServerPeakPrediction#peak(double, double, double, double, double)}:
 * the pipeline is an M/G/1 queue in front of its busiest stage or link, service time {@link
 * Prediction#busiestMs()} (the larger of the head's and the tail's compute from the unit profiles,
 * or the link's serialisation of the tensor, {@code max(Bh, R) x 8 / rate}; plus half of a
 * calibrated per-hop overhead), its squared coefficient of variation {@code cs^2} the one the
 * calibration run's hlogs measured for that stage and split ({@link ServiceTimeSpread}); M/D/1
 * ({@code cs^2 = 0}) where none was measured (a link, a split of more than two stages, no {@code
 * --calibrate}). The latency of a request alone is the predicted latency. The rate is in requests
 * (batches) per second, as the server scenario's.
 *
 * <p>Agreement with one measured point: the predicted peak against the point's interval. The
 * interval is the one the sweep states ({@code stated_peak_rate_per_s}, {@code
 * stated_lowest_failing_rate_per_s}), or the claimed bracket after the recheck ({@code
 * peak_rate_per_s}, {@code lowest_failing_rate_per_s}) for runs written before the sweep stated
 * one. A missing upper end (no rate failed on both seeds) leaves the interval open above.
 * Immutable.
 *
 * @param slo the SLO every peak is predicted for
 * @param agreements one per measured point given, in the order given; empty without {@code
 *     --server}
 * @param spread the measured service-time spread ({@link ServiceTimeSpread#NONE}: every peak is
 *     M/D/1)
 * @param transport the transport whose spread applies (the calibrated one)
 */
public record PeakRates(
    Slo slo, List<Agreement> agreements, ServiceTimeSpread spread, String transport) {

  public PeakRates {
    Objects.requireNonNull(slo, "slo");
    agreements = List.copyOf(agreements);
    Objects.requireNonNull(spread, "spread");
    Objects.requireNonNull(transport, "transport");
  }

  /** Every peak M/D/1: no measured service-time spread. */
  public PeakRates(Slo slo, List<Agreement> agreements) {
    this(slo, agreements, ServiceTimeSpread.NONE, "");
  }

  /**
   * @return the predicted peak of {@code p} in requests per second; NaN when a request alone
   *     already misses the bound
   */
  public double peakPerS(Prediction p) {
    double cv2 = serviceCv2(p);
    return ServerPeakPrediction.peak(
        p.busiestMs(),
        p.latencyMs(),
        slo.percentile(),
        slo.boundMs(),
        Double.isFinite(cv2) ? cv2 : 0);
  }

  /**
   * @return the measured {@code cs^2} of {@code p}'s busiest stage; NaN when not measured (a link,
   *     {@code sequential}, a middle stage, a split of more than two stages, no spread)
   */
  public double serviceCv2(Prediction p) {
    if (p.cuts().length != 1 || !(p.busiest().equals("head") || p.busiest().equals("tail"))) {
      return Double.NaN;
    }
    return spread.cv2(transport, p.split(), p.busiest());
  }

  /**
   * @return {@code M/G/1} when {@link #serviceCv2} is measured, else {@code M/D/1}
   */
  public String model(Prediction p) {
    return ServerPeakPrediction.modelOf(serviceCv2(p));
  }

  /**
   * The predicted peak of one split against one measured peak search.
   *
   * @param link the link label of the prediction
   * @param split the split
   * @param run which run the measurement came from ({@link ServerScenarioFile.Point#run()})
   * @param predicted the prediction of the split over that link
   * @param predictedPerS its predicted peak (NaN: the SLO cannot be met alone)
   * @param claimedPeakPerS the measured bracket's lower end after the recheck (NaN: none passed)
   * @param claimedFailingPerS its upper end (NaN: none failed)
   * @param statedPeakPerS the stated interval's lower end (the claimed one where not stated)
   * @param statedFailingPerS its upper end (NaN: open above)
   * @param stated true when the run states an interval, false when the claimed bracket stands in
   */
  public record Agreement(
      String link,
      String split,
      String run,
      Prediction predicted,
      double predictedPerS,
      double claimedPeakPerS,
      double claimedFailingPerS,
      double statedPeakPerS,
      double statedFailingPerS,
      boolean stated) {

    /**
     * @return predicted / the measured peak (the claimed lower end); NaN when either is unknown
     */
    public double ratio() {
      return predictedPerS / claimedPeakPerS;
    }

    /**
     * @return true when the prediction lies in {@code [stated lower, stated upper)} (no upper end:
     *     at or above the lower end); null when the prediction or the lower end is unknown
     */
    public Boolean inside() {
      if (Double.isNaN(predictedPerS) || Double.isNaN(statedPeakPerS)) {
        return null;
      }
      return predictedPerS >= statedPeakPerS
          && (Double.isNaN(statedFailingPerS) || predictedPerS < statedFailingPerS);
    }
  }

  /**
   * Matches every point of {@code file} with the prediction of its split over its link.
   *
   * @param report the predictions
   * @param slo the SLO of the predicted peaks
   * @param file a measured server-scenario run
   * @return the agreements, in the order of the file's points
   * @throws IllegalArgumentException naming the point when its model, batch, SLO, link or split has
   *     no prediction to compare with
   */
  public static List<Agreement> agree(PredictionReport report, Slo slo, ServerScenarioFile file) {
    return agree(new PeakRates(slo, List.of()), report, file);
  }

  /**
   * Matches every point of {@code file} with the prediction of its split over its link, its peak
   * predicted as {@code rates} predicts it (with its service-time spread).
   *
   * @param rates the SLO and spread of the predicted peaks (its agreements are not used)
   * @param report the predictions
   * @param file a measured server-scenario run
   * @return the agreements, in the order of the file's points
   * @throws IllegalArgumentException naming the point when its model, batch, SLO, link or split has
   *     no prediction to compare with
   */
  public static List<Agreement> agree(
      PeakRates rates, PredictionReport report, ServerScenarioFile file) {
    Slo slo = rates.slo();
    if (file.percentile() != slo.percentile() || file.boundMs() != slo.boundMs()) {
      throw new IllegalArgumentException(
          "measured at "
              + file.slo()
              + ", predicted at "
              + slo
              + ": give --slo "
              + file.slo()
              + " (or leave --slo out to take the run's)");
    }
    if (file.batch() != report.batch()) {
      throw new IllegalArgumentException(
          "measured at batch "
              + file.batch()
              + " but the profiles are of batch "
              + report.batch()
              + ": profile the units at the run's batch (UnitProfileBenchmark -p batch="
              + file.batch()
              + ")");
    }
    List<Agreement> out = new ArrayList<>();
    for (ServerScenarioFile.Point p : file.points()) {
      if (!p.model().equals(report.model())) {
        throw new IllegalArgumentException(
            p.label() + " is of model " + p.model() + " but the profiles are of " + report.model());
      }
      PredictionReport.LinkPrediction lp = linkOf(report, p.link());
      if (lp == null) {
        throw new IllegalArgumentException(
            p.label()
                + " ran over link "
                + p.link()
                + ", which is not predicted (links: "
                + String.join(", ", report.links().stream().map(l -> l.link().label()).toList())
                + "): add --link "
                + p.link());
      }
      Prediction predicted =
          lp.predictions().stream()
              .filter(q -> q.split().equals(p.split()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          p.label()
                              + " has no predicted split "
                              + p.split()
                              + " over "
                              + lp.link().label()
                              + " ("
                              + lp.predictions().size()
                              + " combinations predicted)"));
      ServerScenarioFile.Stated s = p.stated();
      boolean stated = s != null && !Double.isNaN(s.drift());
      out.add(
          new Agreement(
              lp.link().label(),
              p.split(),
              p.run(),
              predicted,
              rates.peakPerS(predicted),
              p.peakPerS(),
              p.failingPerS(),
              stated ? s.peakPerS() : p.peakPerS(),
              stated ? s.failingPerS() : p.failingPerS(),
              stated));
    }
    return out;
  }

  /** The prediction's link a measured link names: the same label, else the same conditions. */
  private static PredictionReport.LinkPrediction linkOf(PredictionReport report, String link) {
    for (PredictionReport.LinkPrediction lp : report.links()) {
      if (lp.link().label().equalsIgnoreCase(link)) {
        return lp;
      }
    }
    LinkSpec measured;
    try {
      measured = LinkSpec.parse(link);
    } catch (IllegalArgumentException e) {
      return null;
    }
    for (PredictionReport.LinkPrediction lp : report.links()) {
      if (lp.link().condition().equals(measured.condition())) {
        return lp;
      }
    }
    return null;
  }

  /**
   * @return how many agreements lie inside their interval
   */
  public long insideCount() {
    return agreements.stream().filter(a -> Boolean.TRUE.equals(a.inside())).count();
  }

  private double[] knownRatios() {
    return agreements.stream()
        .mapToDouble(Agreement::ratio)
        .filter(Double::isFinite)
        .sorted()
        .toArray();
  }

  /**
   * @return the median of the known ratios predicted / measured peak; NaN when none is known
   */
  public double medianRatio() {
    double[] r = knownRatios();
    if (r.length == 0) {
      return Double.NaN;
    }
    return r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
  }

  /**
   * @return which queue model the measured splits' predictions used, e.g. {@code M/G/1 at 20 of 22
   *     measured splits (cs^2 0.05-0.31, from RUN's hlogs), M/D/1 at 2 (no spread measured)};
   *     without measured splits, where the spread comes from
   */
  public String modelSummary() {
    String from = spread.source().isEmpty() ? "" : ", from " + spread.source() + "'s hlogs";
    if (agreements.isEmpty()) {
      return spread == ServiceTimeSpread.NONE
          ? "M/D/1 (no service-time spread measured: give --calibrate RUN with hlogs)"
          : "M/G/1 where the busiest stage's spread is measured" + from + ", else M/D/1";
    }
    double[] cv2 =
        agreements.stream()
            .mapToDouble(a -> serviceCv2(a.predicted()))
            .filter(Double::isFinite)
            .sorted()
            .toArray();
    String mg1 =
        cv2.length == 0
            ? "M/G/1 at none"
            : String.format(
                Locale.ROOT,
                "M/G/1 at %d of %d measured split%s (cs^2 %.3f-%.3f%s)",
                cv2.length,
                agreements.size(),
                agreements.size() == 1 ? "" : "s",
                cv2[0],
                cv2[cv2.length - 1],
                from);
    int md1 = agreements.size() - cv2.length;
    return mg1 + ", M/D/1 at " + md1 + (md1 == 0 ? "" : " (no spread measured)");
  }

  /**
   * @return e.g. {@code 12 of 20 measured splits inside the stated interval; predicted / measured
   *     peak: median 1.12 (0.81-1.60, 20 splits)}
   */
  public String summary() {
    double[] r = knownRatios();
    String ratios =
        r.length == 0
            ? "not recorded"
            : String.format(
                Locale.ROOT,
                "median %.2f (%.2f-%.2f, %d split%s)",
                medianRatio(),
                r[0],
                r[r.length - 1],
                r.length,
                r.length == 1 ? "" : "s");
    long claimedOnly = agreements.stream().filter(a -> !a.stated()).count();
    return insideCount()
        + " of "
        + agreements.size()
        + " measured split"
        + (agreements.size() == 1 ? "" : "s")
        + " inside the stated interval"
        + (claimedOnly == 0 ? "" : " (" + claimedOnly + " without one: their claimed bracket)")
        + "; predicted / measured peak: "
        + ratios;
  }
}
