package io.paretopipe.harness.transport;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The life of a {@link StageChannel} to the stage at one address, shared by the transports: the
 * handshake moves it from new to ready or refused, once; close happens once. Holds no resources;
 * the channel owning it closes its own. Thread-safe.
 */
public final class ChannelLifecycle {

  private enum State {
    NEW,
    READY,
    REFUSED
  }

  private final String peer;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile State state = State.NEW;

  /**
   * @param peer the stage's address as the caller gave it, "HOST:PORT", for messages
   */
  public ChannelLifecycle(String peer) {
    this.peer = peer;
  }

  public boolean isClosed() {
    return closed.get();
  }

  /** Marks the channel closed; true for the one call that did, false if it already was. */
  public boolean markClosed() {
    return closed.compareAndSet(false, true);
  }

  /**
   * @throws StageChannelClosedException naming the stage, once the channel is closed
   */
  public void checkOpen() throws StageChannelClosedException {
    if (closed.get()) {
      throw new StageChannelClosedException("channel to stage at " + peer + " is closed");
    }
  }

  /**
   * Checks that a handshake may start now.
   *
   * @throws StageChannelClosedException if the channel is closed
   * @throws IllegalStateException if a handshake was already done, whatever its outcome
   */
  public void checkHandshakeAllowed() throws StageChannelClosedException {
    checkOpen();
    if (state != State.NEW) {
      throw new IllegalStateException(
          "handshake with " + peer + " was already done (state " + state + ")");
    }
  }

  /**
   * @throws IllegalStateException before a successful handshake, saying what to do instead
   */
  public void checkReady() {
    if (state != State.READY) {
      throw new IllegalStateException(
          state == State.NEW
              ? "no handshake with " + peer + " yet: call handshake() first"
              : "stage at " + peer + " refused the handshake; open a new channel");
    }
  }

  /** The stage accepted the handshake. */
  public void ready() {
    state = State.READY;
  }

  /** The stage refused the handshake; the channel cannot be used for requests. */
  public void refused() {
    state = State.REFUSED;
  }

  /**
   * The exception for an I/O failure while {@code what} ("sending to", "receiving from") the stage:
   * if the channel was closed meanwhile, a {@link StageChannelClosedException}; otherwise {@code
   * close} runs first and the failure is reported with the stage's address.
   */
  public IOException failure(String what, Exception e, Runnable close) {
    if (closed.get()) {
      return new StageChannelClosedException(
          "channel to stage at " + peer + " was closed while " + what + " it");
    }
    close.run();
    return new IOException(
        "connection to stage at " + peer + " failed while " + what + " it: " + e, e);
  }

  /** "HOST:PORT, closed" or "HOST:PORT, READY", for toString. */
  @Override
  public String toString() {
    return peer + (closed.get() ? ", closed" : ", " + state);
  }
}
