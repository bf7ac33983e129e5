package io.paretopipe.reports.model;

/**
 * The phases one request's end-to-end time is split into, in pipeline order, with their hlog tags.
 */
public enum Phase {
  HEAD_COMPUTE("head_compute"),
  ENCODE("encode"),
  NETWORK("network"),
  TAIL_COMPUTE("tail_compute"),
  DECODE("decode");

  private final String tag;

  Phase(String tag) {
    this.tag = tag;
  }

  /**
   * @return the hlog tag and the column prefix, e.g. {@code head_compute}
   */
  public String tag() {
    return tag;
  }
}
