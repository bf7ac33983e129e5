package io.paretopipe.harness.transport.nio;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The opaque byte field shared by the three authentication frames: its size rule, copies, equality.
 */
final class AuthBytes {
  /**
   * Most bytes an authentication field may carry; the ones {@code auth.Authenticator} sends are
   * 32-112.
   */
  static final int MAX_BYTES = 256;

  private AuthBytes() {}

  /** A private copy of {@code bytes}, after checking it holds 1..{@value #MAX_BYTES} bytes. */
  static byte[] check(String field, byte[] bytes) {
    if (bytes == null || bytes.length == 0 || bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException(
          field
              + " has "
              + (bytes == null ? "no" : bytes.length)
              + " bytes (expected: 1.."
              + MAX_BYTES
              + ")");
    }
    return bytes.clone();
  }

  static String describe(String type, String field, byte[] bytes) {
    return type
        + "["
        + field
        + "="
        + bytes.length
        + " bytes "
        + HexFormat.of().formatHex(bytes, 0, Math.min(4, bytes.length))
        + "...]";
  }

  static boolean equal(byte[] a, byte[] b) {
    return Arrays.equals(a, b);
  }
}
