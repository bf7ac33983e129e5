package io.paretopipe.benchmarks.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.benchmarks.sweep.SweepPlan.Point;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static final Point POINT = new Point("mobilenetv2", "nio", "none", "3");

  /** 100 trials of 2.5 s (a fake clock): the first, the last, the failure and one per 15 s. */
  @Test
  void theQuietConsolePrintsFirstLastFailuresAndOneLinePerGap() {
    long[] now = {0};
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress progress =
        new Progress(
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            () -> now[0],
            () -> now[0] / 1e9,
            Progress.QUIET_GAP_SECONDS);
    progress.startPass(1, 100, () -> Double.NaN);
    for (int t = 1; t <= 100; t++) {
      now[0] += 2_500_000_000L;
      progress.trialDone(POINT, t == 50 ? "FAILED: stage died" : "latency 100.0 ms", 2.5);
    }
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertTrue(lines.get(0).startsWith("[pass 1: 1 of 100] mobilenetv2 split=3"), lines.get(0));
    assertTrue(lines.get(lines.size() - 1).startsWith("[pass 1: 100 of 100]"), lines.toString());
    assertEquals(
        1, lines.stream().filter(l -> l.contains("FAILED: stage died")).count(), "the failure");
    // trial 1, then every 6th (15 s / 2.5 s) from there: 7, 13, ..., 97; trial 50 (failed) resets
    // the gap: 56, 62, ..., 98; and 100
    assertEquals(
        List.of(1, 7, 13, 19, 25, 31, 37, 43, 49, 50, 56, 62, 68, 74, 80, 86, 92, 98, 100),
        lines.stream()
            .map(l -> Integer.parseInt(l.substring("[pass 1: ".length(), l.indexOf(" of "))))
            .toList());
  }

  @Test
  void aGapOfZeroPrintsEveryTrial() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long[] now = {0};
    Progress progress =
        new Progress(
            new PrintStream(bytes, true, StandardCharsets.UTF_8), () -> now[0], () -> 0, 0);
    progress.startPass(2, 30, () -> Double.NaN);
    for (int t = 0; t < 30; t++) {
      now[0] += 1_000_000L;
      progress.trialDone(POINT, "throughput 70.0 images/s", 0.001);
    }
    assertEquals(30, bytes.toString(StandardCharsets.UTF_8).lines().count());
  }
}
