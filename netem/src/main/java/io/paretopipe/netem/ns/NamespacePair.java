package io.paretopipe.netem.ns;

import io.paretopipe.format.NetworkCondition;
import io.paretopipe.netem.internal.CommandResult;
import io.paretopipe.netem.internal.Commands;
import io.paretopipe.netem.internal.NamespaceNames;
import io.paretopipe.netem.internal.OwnerProcess;
import io.paretopipe.netem.internal.ShutdownCleanup;
import io.paretopipe.netem.tc.TcShaper;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two emulated hosts on one machine: a head side and a tail side joined by a veth pair, each end
 * with its own address in a private /30, so traffic between them crosses a real (shapeable) link.
 *
 * <h2>Layouts</h2>
 *
 * <ul>
 *   <li>{@link Layout#HEAD_IN_ROOT} (default): the tail end lives in a new namespace {@code
 *       pp-<pid>-t<startTicks>-<n>-tail} (the owner's pid and start time, see {@link
 *       NamespaceNames}), the head end stays in this process's namespace as interface {@code
 *       pp<pid>-<n>} (15 characters at most, so the start time is in its alias: the tail
 *       namespace's name). A JVM (benchmark, test) can then connect straight to {@link
 *       #address(Side) address(TAIL)} while the tail stage server runs inside the namespace via
 *       {@link #processBuilder(Side, List)}. The only thing added to the root namespace is that one
 *       interface and its connected /30 route; both vanish when the namespace is deleted.
 *   <li>{@link Layout#BOTH_IN_NAMESPACES}: both ends in new namespaces ({@code -head}, {@code
 *       -tail}); nothing in the root namespace changes, and both sides must run in their
 *       namespaces.
 * </ul>
 *
 * The /30 is taken from {@code 10.231.0.0/16} (head {@code .1}, tail {@code .2}), skipping blocks
 * that overlap any address or route of the root namespace, falling back to {@code 198.18.0.0/15}
 * (RFC 2544 benchmarking range) when all of 10.231 overlaps. These addresses exist only on the veth
 * pair, so traffic to them never leaves the machine. Each side's {@code lo} is up.
 *
 * <p>Removal: {@link #close()} deletes the namespaces (which destroys the veth pair and its route),
 * also when setup failed midway; a shutdown hook does the same at JVM exit; {@link
 * #clearLeftovers()}, run by every {@link #create} and by {@code netem clear}, deletes namespaces
 * and interfaces whose owner no longer runs (after a kill -9), including an owner pid that now
 * belongs to another process.
 *
 * <p>Needs root. Thread-safe; {@link #close()} is idempotent; other methods fail after close.
 */
public final class NamespacePair implements AutoCloseable {

  /** One end of the link. */
  public enum Side {
    HEAD,
    TAIL
  }

  /** Where the head end lives; see the class description. */
  public enum Layout {
    HEAD_IN_ROOT,
    BOTH_IN_NAMESPACES
  }

  /** The interface name of an end inside a created namespace. */
  public static final String NAMESPACE_INTERFACE_PREFIX = "pp-";

  private static volatile boolean namespacesVerified;

  private static final Pattern ROOT_INTERFACE = Pattern.compile("pp(\\d+)-(\\d+)");
  private static final Pattern ALIAS = Pattern.compile("\\salias (\\S+)\\s*$");

  private final Layout layout;
  private final String headNetns;
  private final String tailNetns;
  private final String headInterface;
  private final String tailInterface;
  private final InetAddress headAddress;
  private final InetAddress tailAddress;
  private final AtomicBoolean closed = new AtomicBoolean();

  private NamespacePair(Layout layout) {
    this.layout = layout;
    int counter = NamespaceNames.nextCounter();
    OwnerProcess owner = OwnerProcess.current();
    long pid = owner.pid();
    String base = NamespaceNames.PREFIX + owner.nameTag() + "-" + counter;
    this.tailNetns = base + "-tail";
    this.tailInterface = "pp-tail";
    if (layout == Layout.HEAD_IN_ROOT) {
      this.headNetns = null;
      this.headInterface = "pp" + pid + "-" + counter;
      if (headInterface.length() > 15) {
        throw new IllegalStateException(
            "interface name " + headInterface + " exceeds 15 characters");
      }
    } else {
      this.headNetns = base + "-head";
      this.headInterface = "pp-head";
    }
    int[] block = SubnetChooser.choose(pid * 131 + counter);
    this.headAddress = address(block, 1);
    this.tailAddress = address(block, 2);
  }

  /** A pair with the {@link Layout#HEAD_IN_ROOT} layout. */
  public static NamespacePair create() {
    return create(Layout.HEAD_IN_ROOT);
  }

  /**
   * Creates the namespaces, the veth pair and the addresses, and brings the interfaces up. On any
   * failure everything created so far is removed before the exception propagates.
   *
   * @throws IllegalStateException with {@link #unavailableReason()} when namespaces cannot be made
   *     here
   */
  public static NamespacePair create(Layout layout) {
    Optional<String> reason = unavailableReason();
    if (reason.isPresent()) {
      throw new IllegalStateException(reason.get());
    }
    try {
      clearLeftovers();
    } catch (RuntimeException e) {
      System.err.println("paretopipe netem: could not remove leftover namespaces: " + e);
    }
    NamespacePair pair = new NamespacePair(layout);
    ShutdownCleanup.register(pair);
    try {
      pair.setUp();
    } catch (RuntimeException e) {
      try {
        pair.close();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    return pair;
  }

  /**
   * Why namespaces cannot be created here, or empty when they can: needs root, the {@code ip}
   * command (iproute2), and the right to create a namespace (checked once per JVM by creating and
   * deleting one).
   */
  public static Optional<String> unavailableReason() {
    if (namespacesVerified) {
      return Optional.empty();
    }
    if (!Commands.isRoot()) {
      return Optional.of(
          "network namespaces need root (CAP_SYS_ADMIN and CAP_NET_ADMIN): run as root, as CI"
              + " does, or use the user-space link (UserSpaceLink) which needs no privileges");
    }
    if (!Commands.available("ip")) {
      return Optional.of(
          "the 'ip' command is missing: install iproute2 (apt-get install iproute2)");
    }
    String probe = NamespaceNames.next("check");
    CommandResult add = Commands.run(List.of("ip", "netns", "add", probe));
    Commands.run(List.of("ip", "netns", "del", probe));
    if (!add.succeeded()) {
      return Optional.of(
          "cannot create a network namespace here ('"
              + add.commandLine()
              + "': "
              + add.stderr().strip()
              + "); a container needs CAP_SYS_ADMIN (e.g. docker run --privileged)");
    }
    namespacesVerified = true;
    return Optional.empty();
  }

  private void setUp() {
    Commands.check(List.of("ip", "netns", "add", tailNetns));
    if (headNetns != null) {
      Commands.check(List.of("ip", "netns", "add", headNetns));
      Commands.check(
          List.of(
              "ip",
              "-n",
              headNetns,
              "link",
              "add",
              headInterface,
              "type",
              "veth",
              "peer",
              "name",
              tailInterface,
              "netns",
              tailNetns));
    } else {
      Commands.check(
          List.of(
              "ip",
              "link",
              "add",
              headInterface,
              "type",
              "veth",
              "peer",
              "name",
              tailInterface,
              "netns",
              tailNetns));
      Commands.check(List.of("ip", "link", "set", "dev", headInterface, "alias", tailNetns));
    }
    for (Side side : Side.values()) {
      String ns = namespace(side);
      if (ns != null) {
        Commands.check(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
      }
      Commands.check(
          ip(
              ns,
              "addr",
              "add",
              address(side).getHostAddress() + "/30",
              "dev",
              interfaceName(side)));
      Commands.check(ip(ns, "link", "set", interfaceName(side), "up"));
    }
  }

  private static List<String> ip(String netns, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add("ip");
    if (netns != null) {
      argv.add("-n");
      argv.add(netns);
    }
    argv.addAll(List.of(args));
    return argv;
  }

  private static InetAddress address(int[] block, int host) {
    try {
      return InetAddress.getByAddress(
          new byte[] {(byte) block[0], (byte) block[1], (byte) block[2], (byte) (block[3] + host)});
    } catch (UnknownHostException e) {
      throw new AssertionError("four bytes are a valid address", e);
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this NamespacePair is closed");
    }
  }

  /** The layout. */
  public Layout layout() {
    return layout;
  }

  /**
   * The namespace of {@code side}, {@code null} for the head side in {@link Layout#HEAD_IN_ROOT}.
   */
  public String namespace(Side side) {
    return side == Side.HEAD ? headNetns : tailNetns;
  }

  /** The veth end of {@code side} (inside {@link #namespace(Side)}). */
  public String interfaceName(Side side) {
    return side == Side.HEAD ? headInterface : tailInterface;
  }

  /** The IPv4 address of {@code side}'s veth end. */
  public InetAddress address(Side side) {
    return side == Side.HEAD ? headAddress : tailAddress;
  }

  /**
   * {@code argv} prefixed with {@code ip netns exec NS} when {@code side} lives in a created
   * namespace.
   */
  public List<String> command(Side side, List<String> argv) {
    checkOpen();
    String ns = namespace(side);
    if (ns == null) {
      return List.copyOf(argv);
    }
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    full.addAll(argv);
    return full;
  }

  /**
   * A process builder that starts {@code argv} on {@code side}; the caller owns (and must end) the
   * process.
   */
  public ProcessBuilder processBuilder(Side side, List<String> argv) {
    return new ProcessBuilder(command(side, argv));
  }

  /**
   * Runs a short command on {@code side} with a timeout and returns its result (a failure is not
   * thrown).
   */
  public CommandResult exec(Side side, List<String> argv) {
    return Commands.run(command(side, argv));
  }

  /**
   * Shapes what {@code side} sends (the egress of its veth end) with {@code condition}; the caller
   * closes the returned shaper (closing this pair also removes the rule, with the namespace).
   *
   * @param tcpPort only this TCP port, or 0 for all traffic
   */
  public TcShaper shape(Side side, NetworkCondition condition, int tcpPort) {
    checkOpen();
    return TcShaper.builder(interfaceName(side), condition)
        .optNetns(namespace(side))
        .optTcpPort(tcpPort)
        .apply();
  }

  /** Deletes the namespaces and the root-side interface. Harmless when called twice. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ShutdownCleanup.unregister(this);
    List<String> failures = new ArrayList<>();
    if (headNetns == null) {
      // Deleting one veth end destroys both at once; a namespace is destroyed asynchronously by the
      // kernel,
      // so the root-side end goes first to be gone when close() returns.
      CommandResult del = Commands.run(List.of("ip", "link", "del", headInterface));
      if (!del.succeeded() && !del.stderr().contains("Cannot find device")) {
        failures.add(del.commandLine() + ": " + del.stderr().strip());
      }
    }
    for (String ns : new String[] {tailNetns, headNetns}) {
      if (ns != null && namespaceExists(ns)) {
        CommandResult del = Commands.run(List.of("ip", "netns", "del", ns));
        if (!del.succeeded() && namespaceExists(ns)) {
          failures.add(del.commandLine() + ": " + del.stderr().strip());
        }
      }
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException(
          "could not remove all of "
              + this
              + ": "
              + failures
              + "; 'paretopipe.jar netem clear' retries once this process has exited");
    }
  }

  @Override
  public String toString() {
    return "NamespacePair["
        + layout
        + ", head "
        + (headNetns == null ? "root" : headNetns)
        + "/"
        + headInterface
        + " "
        + headAddress.getHostAddress()
        + ", tail "
        + tailNetns
        + "/"
        + tailInterface
        + " "
        + tailAddress.getHostAddress()
        + "]";
  }

  /** The names of existing namespaces (from {@code ip netns list}). */
  public static List<String> listNamespaces() {
    CommandResult list = Commands.run(List.of("ip", "netns", "list"));
    List<String> names = new ArrayList<>();
    if (list.succeeded()) {
      for (String line : list.stdout().split("\n")) {
        String name = line.trim().split("\\s+")[0];
        if (!name.isEmpty()) {
          names.add(name);
        }
      }
    }
    return names;
  }

  private static boolean namespaceExists(String ns) {
    return listNamespaces().contains(ns);
  }

  /**
   * Deletes namespaces named {@code pp-<pid>-t<startTicks>-...} and root-namespace interfaces named
   * {@code pp<pid>-<n>} (owner in their alias) whose owner no longer runs: the pid is gone or now
   * belongs to a process with another start time. Old names without the start time ({@code
   * pp-<pid>-<n>-...}, an interface without alias) are judged by the pid alone. Leaves everything
   * of live owners and every other name alone.
   *
   * @return what was deleted, e.g. {@code netns pp-123-0-tail}
   */
  public static List<String> clearLeftovers() {
    List<String> removed = new ArrayList<>();
    if (!Commands.isRoot() || !Commands.available("ip")) {
      return removed;
    }
    for (String ns : listNamespaces()) {
      Optional<OwnerProcess> owner = NamespaceNames.owner(ns);
      if (owner.isPresent()
          && !owner.get().isAlive()
          && Commands.run(List.of("ip", "netns", "del", ns)).succeeded()) {
        removed.add("netns " + ns);
      }
    }
    CommandResult links = Commands.run(List.of("ip", "-o", "link", "show"));
    if (links.succeeded()) {
      for (String line : links.stdout().split("\n")) {
        String[] fields = line.split(":\\s+", 3);
        if (fields.length < 2) {
          continue;
        }
        String name = fields[1].split("@")[0];
        Matcher matcher = ROOT_INTERFACE.matcher(name);
        if (matcher.matches()
            && !interfaceOwner(line, Long.parseLong(matcher.group(1))).isAlive()
            && Commands.run(List.of("ip", "link", "del", name)).succeeded()) {
          removed.add("interface " + name);
        }
      }
    }
    return removed;
  }

  /**
   * The owner of a root-namespace interface from its {@code ip -o link show} line: the tail
   * namespace named in its alias, else (no alias: made before aliases) the pid in its name.
   */
  static OwnerProcess interfaceOwner(String linkLine, long pidInName) {
    Matcher alias = ALIAS.matcher(linkLine);
    if (alias.find()) {
      Optional<OwnerProcess> owner = NamespaceNames.owner(alias.group(1));
      if (owner.isPresent() && owner.get().pid() == pidInName) {
        return owner.get();
      }
    }
    return OwnerProcess.ofPid(pidInName);
  }

  /** Picks a free /30: see the class description. */
  static final class SubnetChooser {
    private static final int[][] POOLS = {{10, 231, 0, 0, 16}, {198, 18, 0, 0, 15}};

    private SubnetChooser() {}

    static synchronized int[] choose(long seed) {
      List<long[]> taken = takenPrefixes();
      for (int[] pool : POOLS) {
        long base = toLong(pool[0], pool[1], pool[2], pool[3]);
        int blocks = 1 << (30 - pool[4]);
        int start = Math.floorMod(seed, blocks);
        for (int i = 0; i < blocks; i++) {
          long network = base + 4L * ((start + i) % blocks);
          if (taken.stream().noneMatch(p -> overlaps(p[0], (int) p[1], network, 30))) {
            return new int[] {
              (int) (network >>> 24),
              (int) (network >>> 16) & 255,
              (int) (network >>> 8) & 255,
              (int) network & 255
            };
          }
        }
      }
      throw new IllegalStateException(
          "no free /30 in 10.231.0.0/16 or 198.18.0.0/15: every block overlaps"
              + " an address or route of this machine");
    }

    private static long toLong(int a, int b, int c, int d) {
      return ((long) a << 24) | ((long) b << 16) | ((long) c << 8) | d;
    }

    static boolean overlaps(long net1, int len1, long net2, int len2) {
      int len = Math.min(len1, len2);
      if (len == 0) {
        return true;
      }
      long mask = (0xffffffffL << (32 - len)) & 0xffffffffL;
      return (net1 & mask) == (net2 & mask);
    }

    private static List<long[]> takenPrefixes() {
      List<long[]> taken = new ArrayList<>();
      Pattern prefix = Pattern.compile("(?:^|\\s)(\\d+\\.\\d+\\.\\d+\\.\\d+)(?:/(\\d+))?");
      for (List<String> argv :
          List.of(
              List.of("ip", "-4", "-o", "addr", "show"),
              List.of("ip", "-4", "route", "show", "table", "all"))) {
        CommandResult result;
        try {
          result = Commands.run(argv);
        } catch (UncheckedIOException e) {
          continue;
        }
        for (String line : result.stdout().split("\n")) {
          Matcher m = prefix.matcher(line);
          if (line.startsWith("default") || !m.find()) {
            continue;
          }
          String[] octets = m.group(1).split("\\.");
          long network =
              toLong(
                  Integer.parseInt(octets[0]),
                  Integer.parseInt(octets[1]),
                  Integer.parseInt(octets[2]),
                  Integer.parseInt(octets[3]));
          int len = m.group(2) == null ? 32 : Integer.parseInt(m.group(2));
          if (network >>> 24 == 127) {
            continue;
          }
          taken.add(new long[] {network, len});
        }
      }
      return taken;
    }
  }
}
