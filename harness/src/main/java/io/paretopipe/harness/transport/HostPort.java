package io.paretopipe.harness.transport;

import java.net.InetSocketAddress;

/** Parsing of "HOST:PORT" addresses ("[::1]:7000" for IPv6 literals). */
public final class HostPort {
  private HostPort() {}

  /**
   * An unresolved socket address for "HOST:PORT".
   *
   * @throws IllegalArgumentException naming the address and the expected form
   */
  public static InetSocketAddress parse(String address) {
    if (address == null) {
      throw new IllegalArgumentException(
          "address is null: expected HOST:PORT, e.g. 127.0.0.1:7000");
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException(
          "address \"" + address + "\" is not HOST:PORT, e.g. 127.0.0.1:7000");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "port of address \"" + address + "\" is not a number: expected HOST:PORT", e);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "port "
              + port
              + " of address \""
              + address
              + "\" is out of range: valid ports are 0..65535");
    }
    return InetSocketAddress.createUnresolved(host, port);
  }

  /** "HOST:PORT" of a socket address, brackets around IPv6 literals. */
  public static String format(InetSocketAddress address) {
    String host = address.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
