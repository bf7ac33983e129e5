package io.paretopipe.harness.driver;

import io.paretopipe.format.Phase;

/**
 * One request's durations in nanoseconds. All but the stage figures are measured on the head's
 * {@code System.nanoTime}; the stages report their own compute and queue time as durations, so no
 * two clocks are ever subtracted. {@code networkNanos} is the remainder and includes the stages'
 * queueing.
 */
public record RequestTiming(
    long e2eNanos,
    long headComputeNanos,
    long encodeNanos,
    long decodeNanos,
    long stageComputeNanos,
    long stageQueueNanos) {

  /** End-to-end minus everything measured directly; never negative. */
  public long networkNanos() {
    return Math.max(0, e2eNanos - headComputeNanos - encodeNanos - decodeNanos - stageComputeNanos);
  }

  /**
   * End-to-end minus head and stage compute: what the harness, the codec and the link cost this
   * request (encode, decode, network and the stages' queueing); never negative. The per-request
   * form of {@link RunSummary#overheadMs()}.
   */
  public long overheadNanos() {
    return Math.max(0, e2eNanos - headComputeNanos - stageComputeNanos);
  }

  /** The value of one phase. */
  public long nanos(Phase phase) {
    return switch (phase) {
      case E2E -> e2eNanos;
      case HEAD_COMPUTE -> headComputeNanos;
      case ENCODE -> encodeNanos;
      case NETWORK -> networkNanos();
      case TAIL_COMPUTE -> stageComputeNanos;
      case DECODE -> decodeNanos;
    };
  }
}
