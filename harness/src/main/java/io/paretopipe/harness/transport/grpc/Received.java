package io.paretopipe.harness.transport.grpc;

import java.nio.ByteBuffer;

/**
 * What {@link PooledMarshaller} made of one incoming message: the parsed message together with the
 * pooled direct buffer its bytes fields alias, or, for bytes that are not valid protobuf, only
 * {@code malformed} (why). Whoever consumes it owns {@code backing} and may hand it back to the
 * pool once nothing uses the message's bytes any more.
 *
 * @param message the parsed message, null when malformed
 * @param backing the receive buffer, null when malformed
 * @param malformed null, or why the bytes are not a valid message
 */
record Received<T>(T message, ByteBuffer backing, String malformed) {
  static <T> Received<T> malformed(String why) {
    return new Received<>(null, null, why);
  }
}
