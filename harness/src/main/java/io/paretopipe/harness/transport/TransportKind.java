package io.paretopipe.harness.transport;

import java.util.Arrays;
import java.util.List;

/**
 * The transports, by the names the command line, the JMH parameters and the results use. Strings
 * are parsed into a kind once, at that boundary ({@link #parse}); everything inside passes the
 * kind.
 */
public enum TransportKind {
  /** The lean backend: framed TCP with direct buffers ({@code transport.nio}). */
  NIO("nio"),
  /** Both stages in one process, no network: the floor ({@code transport.local}). */
  LOCAL("local"),
  /** grpc-java over Netty ({@code transport.grpc}). */
  GRPC("grpc");

  private static final List<String> NAMES =
      Arrays.stream(values()).map(TransportKind::toString).toList();

  private final String cliName;

  TransportKind(String cliName) {
    this.cliName = cliName;
  }

  /**
   * The kind called {@code name} ({@code nio}, {@code local}, {@code grpc}; case matters).
   *
   * @throws IllegalArgumentException naming the text and the known transports
   */
  public static TransportKind parse(String name) {
    for (TransportKind k : values()) {
      if (k.cliName.equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown transport '" + name + "': known transports are " + String.join(", ", NAMES));
  }

  /** Every name {@link #parse} accepts, in the order of {@link #values()}. */
  public static List<String> names() {
    return NAMES;
  }

  /** Whether stages of this kind are reached over a socket (and may run in other processes). */
  public boolean network() {
    return this != LOCAL;
  }

  /** The name used on the command line and in results, e.g. {@code nio}. */
  @Override
  public String toString() {
    return cliName;
  }
}
