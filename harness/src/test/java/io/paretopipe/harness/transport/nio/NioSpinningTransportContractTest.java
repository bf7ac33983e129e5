package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.protocol.Limits;

/**
 * The transport contract over {@code nio} with a head that spins for every answer: a window that
 * opens at the send and lasts up to 10 s, so each answer (and the rest of each frame) is polled
 * for.
 */
class NioSpinningTransportContractTest extends NioTransportContractTest {
  private static final long TEN_S = 10_000_000_000L;

  @Override
  protected NioTransport transport() {
    return new NioTransport(
        Limits.DEFAULT, 0, null, new AnswerWait.SpinBounds(0, TEN_S, TEN_S, TEN_S, TEN_S));
  }
}
