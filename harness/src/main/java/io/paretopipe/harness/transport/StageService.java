package io.paretopipe.harness.transport;

import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.StageException;

/**
 * What a stage server serves: turns each accepted handshake into a {@link StageSession}. One per
 * server, shared by all connections, so implementations must be thread-safe ({@link #open} is
 * called concurrently from the reader threads of different connections).
 */
@FunctionalInterface
public interface StageService {
  /**
   * Prepares a session for one connection, called once, right after its HANDSHAKE frame.
   *
   * @return the session; the transport sends {@link StageSession#reply()} to the head and closes
   *     the session when the connection ends
   * @throws StageException to refuse the handshake (e.g. {@code UNKNOWN_MODEL}, {@code BAD_SPLIT});
   *     the head receives an ERROR frame with the same code and message, and the connection is
   *     closed
   */
  StageSession open(Handshake handshake) throws StageException;
}
