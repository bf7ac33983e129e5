package io.paretopipe.benchmarks.sweep;

import java.util.Locale;

/**
 * How much JMH does per partition point.
 *
 * <ul>
 *   <li>{@link #QUICK}: 1 warm-up iteration of 1 s, 1 measured iteration of 2 s, in the sweep's own
 *       JVM (forks 0): sized so {@code mvn -Pbench verify} (mobilenetv2, 20 splits, nio, grpc and
 *       local, both methods: 120 trials) stays under 15 minutes on a 2-core machine, build
 *       included. Numbers are indicative: no fork isolation and few samples per point.
 *   <li>{@link #FULL}: 3 forks, 3 warm-up iterations of 5 s, 5 measured iterations of 5 s: JMH's
 *       confidence intervals mean something. About 8 minutes per point and method.
 * </ul>
 *
 * @param forks JMH forks per trial (0 = in the sweep's JVM)
 * @param warmupIterations warm-up iterations per fork
 * @param warmupSeconds length of each warm-up iteration
 * @param measurementIterations measured iterations per fork
 * @param measurementSeconds length of each measured iteration
 */
public record SweepSetting(
    String name,
    int forks,
    int warmupIterations,
    int warmupSeconds,
    int measurementIterations,
    int measurementSeconds) {

  public static final SweepSetting QUICK = new SweepSetting("quick", 0, 1, 1, 1, 2);
  public static final SweepSetting FULL = new SweepSetting("full", 3, 3, 5, 5, 5);

  /**
   * {@code quick} or {@code full} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the valid settings
   */
  public static SweepSetting parse(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "quick" -> QUICK;
      case "full" -> FULL;
      default ->
          throw new IllegalArgumentException(
              "setting '" + name + "' is unknown: valid settings are" + " quick, full");
    };
  }

  /** This setting with another fork count (>= 0). */
  public SweepSetting withForks(int newForks) {
    if (newForks < 0) {
      throw new IllegalArgumentException("forks: " + newForks + " (expected: >= 0)");
    }
    return new SweepSetting(
        name, newForks, warmupIterations, warmupSeconds, measurementIterations, measurementSeconds);
  }
}
