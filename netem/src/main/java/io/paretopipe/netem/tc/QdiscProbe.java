package io.paretopipe.netem.tc;

import io.paretopipe.netem.internal.CommandResult;
import io.paretopipe.netem.internal.Commands;
import io.paretopipe.netem.internal.NamespaceNames;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds out which qdisc kinds the running kernel supports by trying them: it creates a throwaway
 * network namespace ({@code pp-<pid>-t<start>-<n>-probe}) holding a veth pair, adds each kind of
 * {@link #PROBED_KINDS} as the root qdisc of one end, adds a {@code u32} filter under {@code htb},
 * and deletes the namespace (with everything in it) in a finally block. Nothing outside that
 * namespace is touched. This is more reliable than reading {@code /proc/modules} or {@code
 * modinfo}: qdiscs may be built in, and module files may be absent.
 *
 * <p>Needs root (CAP_SYS_ADMIN for the namespace, CAP_NET_ADMIN for tc). Without it the result says
 * so ({@link QdiscSupport#probed()} is false). Thread-safe; {@link #cached()} probes at most once
 * per JVM.
 */
public final class QdiscProbe {

  /** The kinds probed: the ones {@link TcCommandBuilder} may use. */
  public static final List<String> PROBED_KINDS = List.of("netem", "tbf", "htb");

  private static volatile QdiscSupport cached;

  private QdiscProbe() {}

  /** The result of the first {@link #probe()} in this JVM (probing now if none ran). */
  public static QdiscSupport cached() {
    QdiscSupport result = cached;
    if (result == null) {
      synchronized (QdiscProbe.class) {
        result = cached;
        if (result == null) {
          result = probe();
          cached = result;
        }
      }
    }
    return result;
  }

  /** Probes now (about 50 ms of {@code ip}/{@code tc} calls). */
  public static QdiscSupport probe() {
    if (!Commands.isRoot()) {
      return QdiscSupport.notProbed(
          "probing qdiscs needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) to create a"
              + " throwaway network namespace; run as root");
    }
    if (!Commands.available("ip") || !Commands.available("tc")) {
      return QdiscSupport.notProbed(
          "the 'ip' and 'tc' commands are missing: install iproute2"
              + " (apt-get install iproute2)");
    }
    String netns = NamespaceNames.next("probe");
    try {
      CommandResult add = Commands.run(List.of("ip", "netns", "add", netns));
      if (!add.succeeded()) {
        return QdiscSupport.notProbed(
            "cannot create a network namespace (" + add.stderr().strip() + ")");
      }
      TcTarget target = new TcTarget(netns, "pp-probe0", 0);
      CommandResult link =
          Commands.run(
              target.ip("link", "add", "pp-probe0", "type", "veth", "peer", "name", "pp-probe1"));
      if (!link.succeeded()) {
        return QdiscSupport.notProbed(
            "cannot create a veth pair in a namespace ("
                + link.stderr().strip()
                + "; kernel option CONFIG_VETH)");
      }
      Set<String> available = new LinkedHashSet<>();
      Set<String> missing = new LinkedHashSet<>();
      boolean u32 = false;
      for (String kind : PROBED_KINDS) {
        List<String> args =
            switch (kind) {
              case "netem" -> List.of("netem", "delay", "1ms");
              case "tbf" -> List.of("tbf", "rate", "1mbit", "burst", "32kb", "latency", "50ms");
              case "htb" -> List.of("htb");
              default -> throw new AssertionError(kind);
            };
        List<String> argv = target.tc("qdisc", "add", "dev", "pp-probe0", "root", "handle", "1:");
        argv.addAll(args);
        if (Commands.run(argv).succeeded()) {
          available.add(kind);
          if (kind.equals("htb")) {
            u32 =
                Commands.run(
                        target.tc(
                            "filter",
                            "add",
                            "dev",
                            "pp-probe0",
                            "parent",
                            "1:",
                            "protocol",
                            "ip",
                            "prio",
                            "1",
                            "u32",
                            "match",
                            "ip",
                            "dport",
                            "9",
                            "0xffff",
                            "flowid",
                            "1:1"))
                    .succeeded();
          }
          Commands.run(target.tc("qdisc", "del", "dev", "pp-probe0", "root"));
        } else {
          missing.add(kind);
        }
      }
      return new QdiscSupport(true, available, missing, u32, null);
    } catch (UncheckedIOException e) {
      return QdiscSupport.notProbed("probe failed: " + e.getMessage());
    } finally {
      Commands.run(List.of("ip", "netns", "del", netns));
    }
  }
}
