package io.paretopipe.harness.transport;

import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The head's connection to one stage, from {@link Transport#connect}. Lifecycle: {@link #handshake}
 * exactly once, then any number of {@link #send} and {@link #receive}, then {@link #close}.
 *
 * <p>Threads: one thread may send while another receives (that is how a pipelined driver keeps
 * several requests in flight); at most one thread sends at a time and at most one receives at a
 * time. {@link #close} may be called from any thread at any time.
 */
public interface StageChannel extends AutoCloseable {
  /**
   * Sends the handshake and waits for the stage's answer.
   *
   * @throws StageException if the stage refused the handshake (its code and message; the stage then
   *     closes the connection, so this channel is no longer usable)
   * @throws TimeoutException if no answer came within {@code timeout}
   * @throws IOException if the connection failed or this channel is closed
   * @throws IllegalStateException if a handshake was already done
   */
  HandshakeReply handshake(Handshake handshake, Duration timeout)
      throws IOException, StageException, TimeoutException;

  /**
   * Sends one request, blocking until it is written (on {@code nio}: handed to the kernel). The
   * tensor's bytes are read while this call runs and must not change until it returns.
   *
   * @throws IOException if the connection failed or this channel is closed
   * @throws IllegalStateException before a successful handshake
   */
  void send(InferenceRequest request) throws IOException;

  /**
   * The next result, in arrival order (which need not be send order: match by request id).
   *
   * @throws StageException for an ERROR frame; {@link StageException#requestId()} names the
   *     request, or is -1 if the stage gave up on the whole connection
   * @throws TimeoutException if nothing arrived within {@code timeout}; the channel stays usable (a
   *     partly received frame is kept and completed by the next call)
   * @throws IOException if the stage closed the connection or it failed (the message names the
   *     peer), or this channel was closed, including by a {@link #close} during the wait
   * @throws IllegalStateException before a successful handshake
   */
  InferenceResult receive(Duration timeout) throws IOException, StageException, TimeoutException;

  /**
   * Hands a received tensor's memory back for reuse by later results (on {@code nio} this saves a
   * direct-buffer allocation per result; elsewhere it may do nothing). The caller promises that
   * nothing uses the tensor's memory afterwards. Optional: unreleased tensors are simply garbage
   * collected. Any thread.
   */
  default void release(io.paretopipe.harness.protocol.Tensor tensor) {}

  /**
   * Closes the connection; idempotent; a blocked {@link #receive} or {@link #send} fails with an
   * IOException.
   */
  @Override
  void close();
}
