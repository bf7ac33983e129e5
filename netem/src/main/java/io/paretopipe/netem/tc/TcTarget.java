package io.paretopipe.netem.tc;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a rule goes: an interface, optionally inside a named network namespace, optionally only for
 * the TCP traffic of one port.
 *
 * @param netns the network namespace name as listed by {@code ip netns list}, {@code null} for the
 *     namespace of this process
 * @param interfaceName the interface whose egress (outgoing traffic) is shaped
 * @param tcpPort shape only TCP packets whose source or destination port is this, {@code 0} for all
 *     traffic
 */
public record TcTarget(String netns, String interfaceName, int tcpPort) {

  /** Checks the names and the port. */
  public TcTarget {
    if (interfaceName == null || !interfaceName.matches("[A-Za-z0-9_.@-]{1,15}")) {
      throw new IllegalArgumentException(
          "interfaceName: '"
              + interfaceName
              + "' (expected: 1..15 characters of letters, digits, '_', '.', '-', '@')");
    }
    if (netns != null && !netns.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException(
          "netns: '"
              + netns
              + "' (expected: a namespace name of letters, digits, '_', '.', '-', or null for this namespace)");
    }
    if (tcpPort < 0 || tcpPort > 65535) {
      throw new IllegalArgumentException(
          "tcpPort: " + tcpPort + " (expected: 1..65535, or 0 for all traffic)");
    }
  }

  /** All traffic leaving {@code interfaceName} in this process's namespace. */
  public static TcTarget of(String interfaceName) {
    return new TcTarget(null, interfaceName, 0);
  }

  /** {@code tc} with {@code -n NETNS} when a namespace is set. */
  public List<String> tc(String... args) {
    List<String> argv = new ArrayList<>();
    argv.add("tc");
    if (netns != null) {
      argv.add("-n");
      argv.add(netns);
    }
    argv.addAll(List.of(args));
    return argv;
  }

  /** {@code ip} with {@code -n NETNS} when a namespace is set. */
  public List<String> ip(String... args) {
    List<String> argv = new ArrayList<>();
    argv.add("ip");
    if (netns != null) {
      argv.add("-n");
      argv.add(netns);
    }
    argv.addAll(List.of(args));
    return argv;
  }

  /** For messages: {@code veth0 in namespace pp-1-0-tail, TCP port 5000}. */
  public String describe() {
    return interfaceName
        + (netns == null ? "" : " in namespace " + netns)
        + (tcpPort == 0 ? "" : ", TCP port " + tcpPort);
  }
}
