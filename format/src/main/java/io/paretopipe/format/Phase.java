package io.paretopipe.format;

import java.util.List;

/**
 * The series every request is timed in. The tags name the interval histograms in {@code .hlog}
 * files, the keys of {@code phases_ms} in {@code run --json} and the phase columns of the report
 * files; they are a stable interface.
 */
public enum Phase {
  /** From handing the input to the head until the final result is decoded at the head. */
  E2E("e2e"),
  /** The head's own forward (prefix and units before the first cut). */
  HEAD_COMPUTE("head_compute"),
  /** Turning the head's output into a wire tensor. */
  ENCODE("encode"),
  /** What remains: sending, the network, queues on the stages, results coming back. */
  NETWORK("network"),
  /** Sum of every remote stage's own forward, as measured on that stage's clock. */
  TAIL_COMPUTE("tail_compute"),
  /** Turning the received result into an array at the head. */
  DECODE("decode");

  private static final List<Phase> PARTS =
      List.of(HEAD_COMPUTE, ENCODE, NETWORK, TAIL_COMPUTE, DECODE);

  private final String tag;

  Phase(String tag) {
    this.tag = tag;
  }

  /** The stable name, e.g. {@code head_compute}. */
  public String tag() {
    return tag;
  }

  /**
   * The phases one request's end-to-end time is split into, in pipeline order: every phase but
   * {@link #E2E}, whose means add up to the end-to-end mean.
   */
  public static List<Phase> parts() {
    return PARTS;
  }
}
