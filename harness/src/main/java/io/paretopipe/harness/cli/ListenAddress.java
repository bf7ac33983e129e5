package io.paretopipe.harness.cli;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.util.Collections;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What {@code serve --listen HOST:PORT} may bind to, and the errors that say so: an IPv6 address on
 * a host (or JVM) without IPv6 is refused before anything starts ({@code --listen [::1]:7711: IPv6
 * is not available on this host (...); valid: an IPv4 address of this host, e.g. 127.0.0.1:7711}),
 * and a bind the OS refuses is reported with the OS's message and this host's addresses. Stateless.
 */
final class ListenAddress {

  private ListenAddress() {}

  /**
   * The address to bind {@code bind} (parsed from {@code listen}) to.
   *
   * @throws IllegalArgumentException when the host is unknown or is IPv6 and IPv6 is unavailable
   */
  static InetAddress resolve(String listen, InetSocketAddress bind) {
    InetAddress address;
    try {
      address = InetAddress.getByName(bind.getHostString());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "--listen " + listen + ": unknown host " + bind.getHostString() + "; valid: " + valid());
    }
    if (address instanceof Inet6Address) {
      ipv6Unavailable()
          .ifPresent(
              why -> {
                throw new IllegalArgumentException(
                    "--listen "
                        + listen
                        + ": IPv6 is not available on this host ("
                        + why
                        + "); valid: an IPv4 address of this host, e.g. 127.0.0.1:"
                        + bind.getPort()
                        + " ("
                        + valid()
                        + ")");
              });
    }
    return address;
  }

  /**
   * Why this JVM cannot open IPv6 sockets, empty when it can: {@code
   * -Djava.net.preferIPv4Stack=true}, or no IPv6 in the kernel (the JDK then runs IPv4 only).
   */
  static Optional<String> ipv6Unavailable() {
    if (Boolean.getBoolean("java.net.preferIPv4Stack")) {
      return Optional.of("this JVM runs with -Djava.net.preferIPv4Stack=true");
    }
    try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
      return Optional.empty();
    } catch (UnsupportedOperationException | IOException e) {
      return Optional.of(
          "the JDK cannot open an IPv6 socket: "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }
  }

  /**
   * The error for a server that could not start listening on {@code bind}: the address, the OS's
   * (or the transport's) message, and what is valid.
   */
  static IOException failure(String listen, InetSocketAddress bind, Exception e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    String message = e.getMessage() == null ? why : e.getMessage();
    if (!message.contains(why)) {
      message = message + ": " + why;
    }
    if (!message.startsWith("cannot listen on")) {
      message = "cannot listen on " + listen + ": " + message;
    }
    return new IOException(message + "; valid: " + valid(), e);
  }

  /**
   * e.g. {@code this host's addresses 127.0.0.1, 172.17.0.2, [::1] (or 0.0.0.0 / [::] for all),
   * each with a free port (0 picks one)}.
   */
  static String valid() {
    TreeSet<String> v4 = new TreeSet<>();
    TreeSet<String> v6 = new TreeSet<>();
    boolean ipv6 = ipv6Unavailable().isEmpty();
    try {
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
          if (a instanceof Inet6Address six) {
            if (ipv6 && !six.isLinkLocalAddress()) {
              v6.add("[" + a.getHostAddress().replaceAll("%.*", "") + "]");
            }
          } else {
            v4.add(a.getHostAddress());
          }
        }
      }
    } catch (SocketException ignored) {
      // the list is a hint only
    }
    v4.addAll(v6);
    return "this host's addresses "
        + (v4.isEmpty() ? "(unknown)" : String.join(", ", v4))
        + " (or 0.0.0.0"
        + (ipv6 ? " / [::]" : "")
        + " for all), each with a free port (0 picks one)";
  }
}
