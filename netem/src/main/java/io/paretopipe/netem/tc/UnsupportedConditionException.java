package io.paretopipe.netem.tc;

/**
 * The kernel cannot apply the requested condition (a qdisc kind or classifier is missing). The
 * message names what is missing and what to use instead.
 */
public final class UnsupportedConditionException extends RuntimeException {

  /** With a message that names the missing piece and the alternative. */
  public UnsupportedConditionException(String message) {
    super(message);
  }
}
