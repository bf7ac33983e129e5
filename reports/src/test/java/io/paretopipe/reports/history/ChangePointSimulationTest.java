package io.paretopipe.reports.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.stats.VarianceModeration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seeded simulation of issue 19: 200 series x 40 nights, each night's value = level x exp(e)
 * with e resampled from the run-to-run noise of real default {@code quick} runs on this machine
 * ({@code history/quick-noise.csv}, written by {@link NoiseTable} from run folders; a row's run's
 * own standard error, where it has one, goes with its residual as the detector's noise floor), and
 * steps of 5%, 10% and 20% (in the worse direction) injected into a quarter of the series at a
 * night drawn from 8..36. {@code scale} multiplies the residuals and standard errors. After every
 * night the check runs on the nights so far, as a nightly job would; a series raises a false alarm
 * when any night's check shows an open regression. Each claim is checked over {@value #SEEDS} seeds
 * pooled (2,000 series; one seed's 17 stepped series per size make a percentage of little worth).
 * Numbers are in docs/REPORTS.md (History).
 */
class ChangePointSimulationTest {
  static final int SERIES = 200;
  static final int NIGHTS = 40;
  static final long SEED = 19;
  static final int SEEDS = 10;

  static double[] latencyNoise;
  static double[] throughputNoise;

  /** Each row's run's own relative standard error, NaN when the run had none. */
  static double[] latencyStandardErrors;

  static double[] throughputStandardErrors;

  @BeforeAll
  static void loadNoise() throws IOException {
    List<double[]> latency = new ArrayList<>();
    List<double[]> throughput = new ArrayList<>();
    try (InputStream in =
        ChangePointSimulationTest.class.getResourceAsStream("/history/quick-noise.csv")) {
      boolean header = false;
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        if (!header) {
          assertEquals(NoiseTable.HEADER, line.strip(), "quick-noise.csv header");
          header = true;
          continue;
        }
        String[] f = line.split(",", -1);
        double se = f[2].isBlank() ? Double.NaN : Double.parseDouble(f[2]);
        (f[0].equals("latency_mean_ms") ? latency : throughput)
            .add(new double[] {Double.parseDouble(f[1]), se});
      }
    }
    latencyNoise = latency.stream().mapToDouble(r -> r[0]).toArray();
    throughputNoise = throughput.stream().mapToDouble(r -> r[0]).toArray();
    latencyStandardErrors = latency.stream().mapToDouble(r -> r[1]).toArray();
    throughputStandardErrors = throughput.stream().mapToDouble(r -> r[1]).toArray();
  }

  /** What one simulation found. */
  record Outcome(
      double noiseSd,
      int quiet,
      int falseAlarms,
      int[] stepped,
      int[] foundWithin1,
      int[] foundWithin2,
      int[] foundBy40,
      int[] locatedWithin1) {

    Outcome plus(Outcome o) {
      return new Outcome(
          Math.sqrt((noiseSd * noiseSd + o.noiseSd * o.noiseSd) / 2),
          quiet + o.quiet,
          falseAlarms + o.falseAlarms,
          add(stepped, o.stepped),
          add(foundWithin1, o.foundWithin1),
          add(foundWithin2, o.foundWithin2),
          add(foundBy40, o.foundBy40),
          add(locatedWithin1, o.locatedWithin1));
    }

    private static int[] add(int[] a, int[] b) {
      int[] sum = new int[a.length];
      for (int i = 0; i < a.length; i++) {
        sum[i] = a[i] + b[i];
      }
      return sum;
    }

    String line(double scale) {
      StringBuilder b =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "noise x%.2f (log sd %.3f): false alarms %d of %d (%.1f%%)",
                  scale,
                  noiseSd,
                  falseAlarms,
                  quiet,
                  100.0 * falseAlarms / quiet));
      int[] sizes = {5, 10, 20};
      for (int i = 0; i < 3; i++) {
        b.append(
            String.format(
                Locale.ROOT,
                "; %d%% steps: %d/%d found by night+1, %d by night+2, %d by night 40, located +-1 %d",
                sizes[i],
                foundWithin1[i],
                stepped[i],
                foundWithin2[i],
                foundBy40[i],
                locatedWithin1[i]));
      }
      return b.toString();
    }
  }

  static Outcome simulate(double scale, long seed) {
    return simulate(
        scale,
        seed,
        ChangePointDetector.Settings.DEFAULT,
        HistoryCheck.Options.DEFAULT.persistence());
  }

  static Outcome simulate(
      double scale, long seed, ChangePointDetector.Settings settings, int persistence) {
    return simulate(scale, seed, settings, persistence, true);
  }

  /**
   * @param familyPrior whether each series is tested with the prior the other series of its family
   *     (latency or throughput) give for the noise on the nights so far, as {@code history check}
   *     does
   */
  static Outcome simulate(
      double scale,
      long seed,
      ChangePointDetector.Settings settings,
      int persistence,
      boolean familyPrior) {
    Random random = new Random(seed);
    ChangePointDetector detector = new ChangePointDetector(settings);
    double[] steps = {0.05, 0.10, 0.20};
    double[][] values = new double[SERIES][NIGHTS];
    double[][] standardErrors = new double[SERIES][NIGHTS];
    int[] sizes = new int[SERIES];
    int[] starts = new int[SERIES];
    double sumSq = 0;
    int count = 0;
    for (int s = 0; s < SERIES; s++) {
      boolean latency = s % 2 == 0;
      double[] pool = latency ? latencyNoise : throughputNoise;
      double[] poolSe = latency ? latencyStandardErrors : throughputStandardErrors;
      int size = s % 4 == 3 ? (s / 4) % 3 : -1;
      int start = size < 0 ? NIGHTS : 8 + random.nextInt(29);
      sizes[s] = size;
      starts[s] = start;
      for (int night = 0; night < NIGHTS; night++) {
        int row = random.nextInt(pool.length);
        double e = pool[row] * scale;
        standardErrors[s][night] = poolSe[row] * scale;
        sumSq += e * e;
        count++;
        double level = 100;
        if (night >= start) {
          level *= latency ? 1 + steps[size] : 1 / (1 + steps[size]);
        }
        values[s][night] = level * Math.exp(e);
      }
    }
    int[] detectedAt = new int[SERIES];
    int[] detectedIndex = new int[SERIES];
    boolean[] alarm = new boolean[SERIES];
    java.util.Arrays.fill(detectedAt, -1);
    for (int nights = 2; nights <= NIGHTS; nights++) {
      VarianceModeration.Prior[] priors = new VarianceModeration.Prior[SERIES];
      if (familyPrior) {
        for (int family = 0; family < 2; family++) {
          List<double[]> prefixes = new ArrayList<>();
          for (int s = family; s < SERIES; s += 2) {
            prefixes.add(java.util.Arrays.copyOf(values[s], nights));
          }
          List<VarianceModeration.Prior> estimated = FamilyNoise.priors(prefixes);
          for (int i = 0; i < estimated.size(); i++) {
            priors[family + 2 * i] = estimated.get(i);
          }
        }
      }
      for (int s = 0; s < SERIES; s++) {
        FigureValue.Better better =
            s % 2 == 0 ? FigureValue.Better.LOWER : FigureValue.Better.HIGHER;
        double[] prefix = java.util.Arrays.copyOf(values[s], nights);
        double[] prefixSe = java.util.Arrays.copyOf(standardErrors[s], nights);
        for (Change c :
            Change.analyze(prefix, prefixSe, priors[s], better, detector, persistence)) {
          if (c.kind() == Change.Kind.REGRESSION && c.open()) {
            if (sizes[s] < 0 || nights - 1 < starts[s]) {
              alarm[s] = true;
            } else if (detectedAt[s] < 0) {
              detectedAt[s] = nights - 1;
              detectedIndex[s] = c.point().index();
            }
          }
        }
      }
    }
    int quiet = 0;
    int falseAlarms = 0;
    int[] stepped = new int[3];
    int[] within1 = new int[3];
    int[] within2 = new int[3];
    int[] by40 = new int[3];
    int[] located = new int[3];
    for (int s = 0; s < SERIES; s++) {
      int size = sizes[s];
      if (size < 0) {
        quiet++;
        falseAlarms += alarm[s] ? 1 : 0;
      } else {
        stepped[size]++;
        if (detectedAt[s] >= 0) {
          by40[size]++;
          within1[size] += detectedAt[s] - starts[s] <= 1 ? 1 : 0;
          within2[size] += detectedAt[s] - starts[s] <= 2 ? 1 : 0;
          located[size] += Math.abs(detectedIndex[s] - starts[s]) <= 1 ? 1 : 0;
        }
      }
    }
    return new Outcome(
        Math.sqrt(sumSq / count), quiet, falseAlarms, stepped, within1, within2, by40, located);
  }

  /** The log standard deviation of every residual of the table. */
  static double tableSd() {
    double sumSq = 0;
    for (double e : latencyNoise) {
      sumSq += e * e;
    }
    for (double e : throughputNoise) {
      sumSq += e * e;
    }
    return Math.sqrt(sumSq / (latencyNoise.length + throughputNoise.length));
  }

  @Test
  void theNoiseSampleIsRealRuns() {
    assertTrue(latencyNoise.length >= 40, "latency rows " + latencyNoise.length);
    assertTrue(throughputNoise.length >= 40, "throughput rows " + throughputNoise.length);
    assertTrue(tableSd() > 0.001, "quick-run noise log sd " + tableSd());
  }

  /** {@link #simulate} over seeds {@value #SEED}.. pooled. */
  static Outcome pooled(
      double scale, ChangePointDetector.Settings settings, int persistence, boolean prior) {
    Outcome sum = null;
    for (long seed = SEED; seed < SEED + SEEDS; seed++) {
      Outcome o = simulate(scale, seed, settings, persistence, prior);
      sum = sum == null ? o : sum.plus(o);
    }
    return sum;
  }

  static Outcome pooledDefaults(double scale) {
    return pooled(
        scale,
        ChangePointDetector.Settings.DEFAULT,
        HistoryCheck.Options.DEFAULT.persistence(),
        true);
  }

  @Test
  void atTheCommittedNoiseTheDefaultsKeepFalseAlarmsAtOnePercent() {
    Outcome o = pooledDefaults(1);
    System.out.println("simulation: defaults " + o.line(1));
    assertEquals(150 * SEEDS, o.quiet());
    assertTrue(o.falseAlarms() <= 0.01 * o.quiet(), o.line(1));
  }

  /**
   * At 2% run-to-run noise the defaults keep false alarms at 1% and locate 10% steps within a night
   * in 90%; they find 92% of them within two nights, short of the issue's 95% (asserted at 90%).
   */
  @Test
  void atTwoPercentNoiseTheDefaultsKeepFalseAlarmsAndLocateTenPercentSteps() {
    double scale = 0.02 / tableSd();
    Outcome o = pooledDefaults(scale);
    System.out.println("simulation: defaults " + o.line(scale));
    assertTrue(o.noiseSd() < 0.025, o.line(scale));
    assertTrue(o.falseAlarms() <= 0.01 * o.quiet(), o.line(scale));
    assertTrue(o.foundWithin2()[1] >= 0.90 * o.stepped()[1], o.line(scale));
    assertTrue(o.locatedWithin1()[1] >= 0.90 * o.stepped()[1], o.line(scale));
  }

  /**
   * The family prior is what finds short series' steps: without it, the same alpha finds fewer 10%
   * steps within two nights at 2% noise (a step early in a series leaves a t test few degrees of
   * freedom).
   */
  @Test
  void theFamilyPriorFindsMoreStepsAtTheSameAlpha() {
    double scale = 0.02 / tableSd();
    Outcome with = pooledDefaults(scale);
    Outcome without =
        pooled(
            scale,
            ChangePointDetector.Settings.DEFAULT,
            HistoryCheck.Options.DEFAULT.persistence(),
            false);
    assertTrue(
        with.foundWithin2()[1] >= without.foundWithin2()[1] + 0.1 * with.stepped()[1],
        "with " + with.line(scale) + "; without " + without.line(scale));
  }

  @Test
  void theIssuesAlphaOfOnePercentRaisesTooManyFalseAlarms() {
    Outcome o = pooled(1, new ChangePointDetector.Settings(0.01, 0.05, 30, 5), 2, true);
    assertTrue(o.falseAlarms() > 0.01 * o.quiet(), o.line(1));
  }

  /**
   * The table in docs/REPORTS.md (about a minute; run with {@code
   * -Dparetopipe.history.printTable=true}).
   */
  @Test
  void printTheTable() {
    Assumptions.assumeTrue(
        Boolean.getBoolean("paretopipe.history.printTable"),
        "the table is printed with -Dparetopipe.history.printTable=true");
    double sd = tableSd();
    double[] scales = {1, 0.06 / sd, 0.04 / sd, 0.03 / sd, 0.02 / sd};
    double[][] settings = {{0.01, 2}, {0.001, 2}, {0.0002, 2}, {0.0002, 3}};
    List<double[]> rows = new ArrayList<>();
    for (double[] setting : settings) {
      for (double scale : scales) {
        rows.add(new double[] {setting[0], setting[1], scale});
      }
    }
    for (double[] row : rows) {
      Outcome o =
          pooled(row[2], new ChangePointDetector.Settings(row[0], 0.05, 30, 5), (int) row[1], true);
      System.out.println(
          "simulation: alpha " + row[0] + " persistence " + (int) row[1] + " " + o.line(row[2]));
    }
  }
}
