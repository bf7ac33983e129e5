package io.paretopipe.reports.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The M/G/1 variance term of {@link ServerPeakPrediction}: the waiting-time percentile against the
 * closed form, {@code cs^2 = 0} giving the M/D/1 results of before (pinned from the jar of
 * d0223b1), and a wider service time giving a lower peak.
 */
class ServerPeakPredictionTest {

  @Test
  void theMg1WaitPercentileIsTheClosedForm() {
    // rho S (1 + cs^2) / (2 (1 - rho)) ln(rho / (1 - p)) by hand:
    // 0.9 x 10 x 1.5 / 0.2 x ln(90) = 67.5 x 4.499809670330265
    assertEquals(303.73715274729289, ServerPeakPrediction.waitPercentileMs(0.9, 10, 99, 0.5), 1e-9);
    // 0.5 x 20 x 2 / 1 x ln(0.5 / 0.1) = 20 x 1.6094379124341003
    assertEquals(32.188758248682006, ServerPeakPrediction.waitPercentileMs(0.5, 20, 90, 1.0), 1e-9);
    // At the percentile the exponential tail rho exp(-2 (1 - rho) t / (rho S (1 + cs^2))) is 1 - p.
    double[][] cases = {{0.95, 7.167, 99, 0.121}, {0.8, 80.282, 90, 0.3}, {0.99, 13.074, 99.9, 2}};
    for (double[] c : cases) {
      double rho = c[0];
      double s = c[1];
      double cv2 = c[3];
      double t = ServerPeakPrediction.waitPercentileMs(rho, s, c[2], cv2);
      double tail = rho * Math.exp(-2 * (1 - rho) * t / (rho * s * (1 + cv2)));
      assertEquals(1 - c[2] / 100, tail, 1e-12, java.util.Arrays.toString(c));
    }
    // Below 1 - p the percentile does not wait, whatever the spread.
    assertEquals(0, ServerPeakPrediction.waitPercentileMs(0.009, 10, 99, 3));
  }

  @Test
  void withNoSpreadThePeakIsTheMd1OneOfBefore() {
    // ServerPeakPrediction.peak of d0223b1 (M/D/1 only), run on these arguments.
    assertEquals(45.619132245915644, ServerPeakPrediction.peak(20, 30, 99, 500), 1e-9);
    assertEquals(45.619132245915644, ServerPeakPrediction.peak(20, 30, 99, 500, 0), 1e-9);
    assertEquals(134.92346635439637, ServerPeakPrediction.peak(7.167, 20, 99, 500, 0), 1e-9);
    assertEquals(11.750388225486562, ServerPeakPrediction.peak(80.282, 500, 90, 2000, 0), 1e-9);
    assertEquals(69.92642060371728, ServerPeakPrediction.peak(13.074, 25, 99.9, 500, 0), 1e-9);
    for (double rho : new double[] {0.3, 0.9, 0.999}) {
      assertEquals(
          ServerPeakPrediction.waitPercentileMs(rho, 12, 99),
          ServerPeakPrediction.waitPercentileMs(rho, 12, 99, 0),
          0);
    }
  }

  @Test
  void aWiderServiceTimeGivesALowerPeakWithItsPercentileOnTheBound() {
    double s = 10;
    double alone = 40;
    double previous = Double.POSITIVE_INFINITY;
    for (double cv2 : new double[] {0, 0.05, 0.25, 1, 4}) {
      double peak = ServerPeakPrediction.peak(s, alone, 99, 500, cv2);
      assertTrue(peak < previous, "cs^2 " + cv2 + ": " + peak + " not below " + previous);
      double rho = peak * s / 1e3;
      assertEquals(500, alone + ServerPeakPrediction.waitPercentileMs(rho, s, 99, cv2), 1e-6);
      previous = peak;
    }
    // The effect shrinks as the bound grows against S: the loopback sweep's regime (S ~ 10 ms,
    // 500 ms) moves the peak by about 1% for cs^2 = 0.25, a tight bound by far more.
    double loose =
        ServerPeakPrediction.peak(s, alone, 99, 500, 0.25)
            / ServerPeakPrediction.peak(s, alone, 99, 500);
    double tight =
        ServerPeakPrediction.peak(s, alone, 99, 60, 0.25)
            / ServerPeakPrediction.peak(s, alone, 99, 60);
    assertTrue(loose > 0.98 && loose < 1, "loose " + loose);
    assertTrue(tight < loose, "tight " + tight + " loose " + loose);
    assertTrue(Double.isNaN(ServerPeakPrediction.peak(s, 600, 99, 500, 1)));
    assertThrows(
        IllegalArgumentException.class, () -> ServerPeakPrediction.peak(s, alone, 99, 500, -0.1));
    assertThrows(
        IllegalArgumentException.class,
        () -> ServerPeakPrediction.peak(s, alone, 99, 500, Double.NaN));
    assertEquals(ServerPeakPrediction.MD1, ServerPeakPrediction.modelOf(Double.NaN));
    assertEquals(ServerPeakPrediction.MG1, ServerPeakPrediction.modelOf(0.2));
  }
}
