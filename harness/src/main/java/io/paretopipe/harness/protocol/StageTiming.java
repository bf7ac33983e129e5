package io.paretopipe.harness.protocol;

/**
 * Durations one stage measured on its own monotonic clock for one request. Durations, never
 * timestamps: they are meaningful on any other host.
 *
 * @param computeNanos time spent running the stage's units
 * @param queueNanos time the request waited on the stage between arrival and the start of compute
 */
public record StageTiming(long computeNanos, long queueNanos) {
  public StageTiming {
    if (computeNanos < 0 || queueNanos < 0) {
      throw new IllegalArgumentException(
          "stage timing durations must be >= 0, got computeNanos="
              + computeNanos
              + ", queueNanos="
              + queueNanos);
    }
  }
}
