package io.paretopipe.harness.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;

/**
 * "Never a hang", for both ways a fuzz target runs. Under Jazzer's fuzzing mode ({@code
 * JAZZER_FUZZ} set) the body runs directly and libFuzzer's per-input {@code -timeout} catches a
 * hang (and writes the input as a {@code timeout-*} file); {@code .ci/fuzz} sets it to {@value
 * #SECONDS} s. In regression mode ({@code mvn verify}) the body runs on a watchdog thread and fails
 * after {@value #SECONDS} s, so a committed input that hangs fails the build instead of stalling
 * it.
 *
 * <p>JUnit's {@code @Timeout} cannot do this: on a {@code @FuzzTest} it would also bound the whole
 * fuzzing run.
 */
public final class TimeLimit {
  /** Longest any single input may take, seconds: decoding a few KiB takes microseconds. */
  static final int SECONDS = 10;

  private static final boolean FUZZING = !System.getenv().getOrDefault("JAZZER_FUZZ", "").isEmpty();

  private TimeLimit() {}

  /** Runs {@code body} for one input, failing if it takes longer than {@value #SECONDS} s. */
  public static void run(byte[] input, Runnable body) {
    if (FUZZING) {
      body.run();
      return;
    }
    assertTimeoutPreemptively(
        Duration.ofSeconds(SECONDS),
        body::run,
        () ->
            "one input took longer than "
                + SECONDS
                + " s (a hang): "
                + java.util.HexFormat.of().formatHex(input, 0, Math.min(input.length, 512)));
  }
}
