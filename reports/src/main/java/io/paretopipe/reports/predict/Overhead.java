package io.paretopipe.reports.predict;

import java.util.List;
import java.util.Objects;
import org.apache.commons.math3.exception.MathIllegalArgumentException;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;

/**
 * The per-hop overhead the link model adds to every hop between two stages: what a real request
 * costs beyond the profiled compute and the modelled wire time (serialization, copies, system
 * calls, the loopback transfer, thread hand-offs, the response's framing). Per hop it is {@code
 * fixedMs + msPerMegabyte * requestBytes / 1e6}.
 *
 * <p>Calibrated by {@link #fit}: ordinary least squares (Commons Math {@link
 * OLSMultipleLinearRegression}, no intercept) of the residual {@code measured latency - predicted
 * compute - predicted wire time} of measured points on {@code hops} and {@code bytes / 1e6}, so a
 * point with {@code h} hops carrying {@code B} bytes in total costs {@code fixedMs * h +
 * msPerMegabyte * B / 1e6}. When the bytes do not vary (or there is one sample) or the fitted
 * per-byte cost is negative (noise: no real path gets cheaper with more bytes), only {@code
 * fixedMs} is fitted. Immutable.
 *
 * @param fixedMs overhead per hop in ms, independent of the size (may be negative when the profiles
 *     are slower than the same units inside the pipeline)
 * @param msPerMegabyte overhead per 10^6 bytes sent over the hop, in ms, {@code >= 0}
 * @param points the number of measured points fitted, 0 when not calibrated
 * @param rmseMs root mean square of the fit's residuals in ms, NaN when not calibrated
 * @param source where the calibration came from (a run, or a description), {@code ""} when not
 *     calibrated
 */
public record Overhead(
    double fixedMs, double msPerMegabyte, int points, double rmseMs, String source) {

  /** No overhead: prediction from compute and wire time alone. */
  public static final Overhead NONE = new Overhead(0, 0, 0, Double.NaN, "");

  public Overhead {
    Objects.requireNonNull(source, "source");
    if (!Double.isFinite(fixedMs) || !(msPerMegabyte >= 0) || Double.isInfinite(msPerMegabyte)) {
      throw new IllegalArgumentException(
          "overhead: fixedMs "
              + fixedMs
              + ", msPerMegabyte "
              + msPerMegabyte
              + " (expected: finite, msPerMegabyte >= 0)");
    }
  }

  /**
   * One measured point for the fit.
   *
   * @param label the point, for messages (e.g. {@code nio / pi-link / split 3})
   * @param hops the number of hops ({@code stages - 1})
   * @param bytes the request bytes summed over the hops
   * @param residualMs measured latency minus predicted compute and wire time, in ms
   */
  public record Sample(String label, int hops, long bytes, double residualMs) {}

  /**
   * @return true when fitted from measurements
   */
  public boolean calibrated() {
    return points > 0;
  }

  /**
   * @param requestBytes the request bytes of one hop
   * @return the overhead of that hop in ms
   */
  public double hopMs(long requestBytes) {
    return fixedMs + msPerMegabyte * requestBytes / 1e6;
  }

  /**
   * Least-squares fit (see the class description).
   *
   * @param samples measured points, each with {@code hops >= 1}
   * @param source a description of where they come from
   * @return the fitted overhead; {@link #NONE} when {@code samples} is empty
   */
  public static Overhead fit(List<Sample> samples, String source) {
    if (samples.isEmpty()) {
      return NONE;
    }
    int n = samples.size();
    double[] y = new double[n];
    double[][] x = new double[n][2];
    for (int i = 0; i < n; i++) {
      Sample s = samples.get(i);
      if (s.hops() < 1 || !Double.isFinite(s.residualMs())) {
        throw new IllegalArgumentException(
            "sample "
                + s.label()
                + ": hops "
                + s.hops()
                + ", residual "
                + s.residualMs()
                + " (expected: hops >= 1, a finite residual)");
      }
      y[i] = s.residualMs();
      x[i][0] = s.hops();
      x[i][1] = s.bytes() / 1e6;
    }
    double fixed;
    double perMegabyte = 0;
    double[] beta = null;
    if (n >= 2 && !proportional(x)) {
      try {
        OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
        ols.setNoIntercept(true);
        ols.newSampleData(y, x);
        beta = ols.estimateRegressionParameters();
      } catch (MathIllegalArgumentException e) {
        beta = null;
      }
    }
    if (beta != null && beta[1] >= 0 && Double.isFinite(beta[0]) && Double.isFinite(beta[1])) {
      fixed = beta[0];
      perMegabyte = beta[1];
    } else {
      double hy = 0;
      double hh = 0;
      for (int i = 0; i < n; i++) {
        hy += x[i][0] * y[i];
        hh += x[i][0] * x[i][0];
      }
      fixed = hy / hh;
    }
    double squares = 0;
    for (int i = 0; i < n; i++) {
      double r = y[i] - fixed * x[i][0] - perMegabyte * x[i][1];
      squares += r * r;
    }
    return new Overhead(fixed, perMegabyte, n, Math.sqrt(squares / n), source);
  }

  /**
   * True when the bytes column is a multiple of the hops column in every row (the two cannot be
   * separated).
   */
  private static boolean proportional(double[][] x) {
    double ratio = x[0][1] / x[0][0];
    for (double[] row : x) {
      if (Math.abs(row[1] / row[0] - ratio) > 1e-12 * Math.max(1, Math.abs(ratio))) {
        return false;
      }
    }
    return true;
  }
}
