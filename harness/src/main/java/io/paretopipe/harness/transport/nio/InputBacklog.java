package io.paretopipe.harness.transport.nio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SocketChannel;

/**
 * Whether bytes the stage has not read yet are already waiting in a connection's socket: the head
 * sent the next request before this one was answered, so requests queue and the dispatch should
 * keep the reader reading ({@link io.paretopipe.harness.server.RunToCompletion}). Asks the kernel
 * (FIONREAD, through the socket adaptor's {@code available()}); {@link FrameReader} reads no
 * further than the frame it returns, so the kernel's count is the whole backlog. Used by the
 * connection's reader thread only.
 */
final class InputBacklog {
  /** Null if the platform cannot tell; then {@link #waiting} is always false. */
  private final InputStream stream;

  InputBacklog(SocketChannel socket) {
    InputStream s;
    try {
      s = socket.socket().getInputStream();
    } catch (IOException | UnsupportedOperationException e) {
      s = null;
    }
    this.stream = s;
  }

  /** True if at least one unread byte is waiting; false if none or if it cannot be told. */
  boolean waiting() {
    if (stream == null) {
      return false;
    }
    try {
      return stream.available() > 0;
    } catch (IOException e) {
      return false;
    }
  }
}
