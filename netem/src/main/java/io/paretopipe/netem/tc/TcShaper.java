package io.paretopipe.netem.tc;

import io.paretopipe.format.NetworkCondition;
import io.paretopipe.netem.internal.CommandResult;
import io.paretopipe.netem.internal.Commands;
import io.paretopipe.netem.internal.OwnerProcess;
import io.paretopipe.netem.internal.ShutdownCleanup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A {@link NetworkCondition} applied with {@code tc} to the egress of one interface, removed again
 * on {@link #close()}, at JVM shutdown (a shutdown hook), or by {@link #clearLeftovers()} after the
 * owner was killed.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>Only the interface named in the {@link TcTarget} is touched, and only when its root qdisc
 *       is a kernel default (handle {@code 0:}); a root qdisc someone else added makes {@link
 *       Builder#apply()} fail rather than replace it.
 *   <li>Every rule hangs below one root qdisc with a random handle in {@code 5000:..5ffe:}. Removal
 *       deletes the root qdisc only if it still has that handle, so a qdisc added later by someone
 *       else survives.
 *   <li>A record ({@link TcRule}) is written to the state directory before the first {@code tc}
 *       command runs and deleted after removal, so a kill -9 at any point leaves a record that
 *       {@link #clearLeftovers()} ({@code paretopipe.jar netem clear}) acts on.
 * </ul>
 *
 * The state directory is {@code -Dparetopipe.netem.stateDir}, else {@code
 * $PARETOPIPE_NETEM_STATE_DIR}, else {@value #DEFAULT_STATE_DIR}.
 *
 * <p>Needs root (CAP_NET_ADMIN). Thread-safe; {@link #close()} is idempotent.
 */
public final class TcShaper implements AutoCloseable {

  /** The state directory when neither the system property nor the environment variable is set. */
  public static final String DEFAULT_STATE_DIR = "/run/paretopipe/tc";

  private static final int HANDLE_BASE = 0x5000;
  private static final int HANDLE_RANGE = 0x0fff;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final TcRule rule;
  private final Path stateDirectory;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TcShaper(TcRule rule, Path stateDirectory) {
    this.rule = rule;
    this.stateDirectory = stateDirectory;
  }

  /** Starts describing a rule for {@code condition} on {@code interfaceName}. */
  public static Builder builder(String interfaceName, NetworkCondition condition) {
    return new Builder(interfaceName, condition);
  }

  /**
   * The state directory from the system property, the environment, or {@value #DEFAULT_STATE_DIR}.
   */
  public static Path defaultStateDirectory() {
    String property = System.getProperty("paretopipe.netem.stateDir");
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    String env = System.getenv("PARETOPIPE_NETEM_STATE_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(DEFAULT_STATE_DIR);
  }

  /**
   * The applied rule, or {@code null} when the condition was {@link NetworkCondition#NONE} (nothing
   * added).
   */
  public TcRule rule() {
    return rule;
  }

  /**
   * Removes the rule (if the root qdisc still has its handle) and its record. Harmless when called
   * twice.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ShutdownCleanup.unregister(this);
    if (rule != null) {
      remove(rule, stateDirectory);
    }
  }

  @Override
  public String toString() {
    return "TcShaper[" + (rule == null ? "none" : rule.describe()) + "]";
  }

  /** The records in the default state directory. */
  public static List<TcRule> listRules() {
    return listRules(defaultStateDirectory());
  }

  /**
   * The records in {@code stateDirectory}, oldest first; malformed files are reported on stderr and
   * skipped.
   */
  public static List<TcRule> listRules(Path stateDirectory) {
    if (!Files.isDirectory(stateDirectory)) {
      return List.of();
    }
    List<TcRule> rules = new ArrayList<>();
    try (Stream<Path> files = Files.list(stateDirectory)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".properties")).sorted().toList()) {
        try {
          rules.add(TcRule.read(file));
        } catch (RuntimeException e) {
          System.err.println("paretopipe netem: skipping " + e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + stateDirectory + ": " + e.getMessage(), e);
    }
    rules.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
    return rules;
  }

  /** {@link #clearLeftovers(Path)} on the default state directory. */
  public static List<TcRule> clearLeftovers() {
    return clearLeftovers(defaultStateDirectory());
  }

  /**
   * Removes every recorded rule whose owner is not alive (killed, or detached as by {@code netem
   * apply}) and its record. Rules of live owners are left alone.
   *
   * @return the rules removed
   */
  public static List<TcRule> clearLeftovers(Path stateDirectory) {
    List<TcRule> removed = new ArrayList<>();
    for (TcRule rule : listRules(stateDirectory)) {
      if (!rule.owner().isAlive()) {
        remove(rule, stateDirectory);
        removed.add(rule);
      }
    }
    return removed;
  }

  /**
   * The root qdisc of the target's interface as {@code {kind, handle}} (e.g. {@code tbf}, {@code
   * 5a3f:}).
   */
  public static Optional<String[]> rootQdisc(TcTarget target) {
    CommandResult show = Commands.run(TcCommandBuilder.showCommand(target));
    if (!show.succeeded()) {
      return Optional.empty();
    }
    for (String line : show.stdout().split("\n")) {
      String[] tokens = line.trim().split("\\s+");
      if (tokens.length >= 4 && tokens[0].equals("qdisc") && tokens[3].equals("root")) {
        return Optional.of(new String[] {tokens[1], tokens[2]});
      }
    }
    return Optional.empty();
  }

  private static boolean interfaceExists(TcTarget target) {
    return Commands.run(target.ip("link", "show", "dev", target.interfaceName())).succeeded();
  }

  private static void remove(TcRule rule, Path stateDirectory) {
    TcTarget target = rule.target();
    String handle = TcCommandBuilder.handle(rule.handleMajor());
    Optional<String[]> root = rootQdisc(target);
    if (root.isPresent() && root.get()[1].equals(handle)) {
      CommandResult del = Commands.run(TcCommandBuilder.deleteRootCommand(target));
      if (!del.succeeded() && interfaceExists(target)) {
        throw new UncheckedIOException(
            new IOException(
                "cannot remove tc rule "
                    + rule.describe()
                    + " ('"
                    + del.commandLine()
                    + "': "
                    + del.stderr().strip()
                    + "); its record stays in "
                    + stateDirectory
                    + " for 'paretopipe.jar netem clear'"));
      }
    }
    try {
      Files.deleteIfExists(rule.file(stateDirectory));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "removed tc rule " + rule.id() + " but cannot delete its record: " + e.getMessage(), e);
    }
  }

  /**
   * Describes one rule; {@link #apply()} adds it bound to this JVM, {@link #applyDetached()} adds
   * it bound to no process. Not thread-safe; use once.
   */
  public static final class Builder {
    private final String interfaceName;
    private final NetworkCondition condition;
    private String netns;
    private int tcpPort;
    private Path stateDirectory = defaultStateDirectory();
    private QdiscSupport support;

    private Builder(String interfaceName, NetworkCondition condition) {
      if (condition == null) {
        throw new IllegalArgumentException(
            "condition: null (expected: a NetworkCondition, e.g. NONE)");
      }
      this.interfaceName = interfaceName;
      this.condition = condition;
    }

    /**
     * The network namespace of the interface ({@code ip netns} name); default: this process's
     * namespace.
     */
    public Builder optNetns(String netnsName) {
      this.netns = netnsName;
      return this;
    }

    /** Shape only TCP packets from or to this port (1..65535); default 0: all traffic. */
    public Builder optTcpPort(int port) {
      this.tcpPort = port;
      return this;
    }

    /** Where the rule record goes; default {@link #defaultStateDirectory()}. */
    public Builder optStateDirectory(Path directory) {
      this.stateDirectory = directory;
      return this;
    }

    /**
     * What the kernel supports; default {@link QdiscProbe#cached()} when the condition needs netem,
     * so a delay on a kernel without netem fails before anything is touched.
     */
    public Builder optQdiscSupport(QdiscSupport qdiscSupport) {
      this.support = qdiscSupport;
      return this;
    }

    /**
     * Adds the rule, owned by this JVM: removed on {@link TcShaper#close()} or at JVM shutdown.
     *
     * @throws UnsupportedConditionException when the kernel lacks a needed qdisc (e.g. netem for a
     *     delay)
     * @throws IllegalStateException when the interface is missing or already has a non-default root
     *     qdisc
     * @throws UncheckedIOException when {@code tc} fails; nothing is left behind
     */
    public TcShaper apply() {
      TcShaper shaper = new TcShaper(add(OwnerProcess.current()), stateDirectory);
      if (shaper.rule != null) {
        ShutdownCleanup.register(shaper);
      }
      return shaper;
    }

    /**
     * Adds the rule owned by no process: it stays until {@code netem clear} ({@link
     * #clearLeftovers()}) or a {@link TcShaper#close()} of the returned shaper. This is what {@code
     * netem apply} does.
     *
     * @return the record written, {@code null} for {@link NetworkCondition#NONE}
     */
    public TcRule applyDetached() {
      return add(OwnerProcess.DETACHED);
    }

    private TcRule add(OwnerProcess owner) {
      TcTarget target = new TcTarget(netns, interfaceName, tcpPort);
      if (condition.isNone()) {
        return null;
      }
      QdiscSupport known = support;
      if (known == null && condition.needsNetem()) {
        known = QdiscProbe.cached();
      }
      if (known != null) {
        known.check(condition, target);
      }
      if (!interfaceExists(target)) {
        throw new IllegalStateException(
            "interface "
                + target.describe()
                + " does not exist"
                + (netns == null ? "" : " (or the namespace does not)")
                + "; list interfaces with 'ip "
                + (netns == null ? "" : "-n " + netns + " ")
                + "link'");
      }
      Optional<String[]> root = rootQdisc(target);
      if (root.isPresent() && !root.get()[1].equals("0:")) {
        throw new IllegalStateException(
            "interface "
                + target.describe()
                + " already has root qdisc '"
                + root.get()[0]
                + " "
                + root.get()[1]
                + "' that this rule did not add; paretopipe never"
                + " replaces it. If it is a leftover of paretopipe, run 'paretopipe.jar netem clear';"
                + " otherwise remove it ('tc qdisc del dev "
                + interfaceName
                + " root') or pick another"
                + " interface");
      }
      int handleMajor = HANDLE_BASE + RANDOM.nextInt(HANDLE_RANGE);
      String id =
          (owner.pid() == 0 ? "detached-" + System.currentTimeMillis() : "pid" + owner.pid())
              + "-"
              + COUNTER.getAndIncrement()
              + "-"
              + Integer.toHexString(handleMajor);
      TcRule rule = new TcRule(id, target, handleMajor, condition.toSpec(), owner, Instant.now());
      rule.write(stateDirectory);
      try {
        for (List<String> command : TcCommandBuilder.addCommands(target, condition, handleMajor)) {
          CommandResult result = Commands.run(command);
          if (!result.succeeded()) {
            throw translate(result, target);
          }
        }
      } catch (RuntimeException e) {
        try {
          remove(rule, stateDirectory);
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
      return rule;
    }

    private RuntimeException translate(CommandResult result, TcTarget target) {
      String stderr = result.stderr();
      if (stderr.contains("Specified qdisc kind is unknown") || stderr.contains("Unknown qdisc")) {
        String kind =
            result.argv().contains("netem")
                ? "netem"
                : result.argv().contains("tbf") ? "tbf" : "htb";
        return new UnsupportedConditionException(
            QdiscSupport.missingMessage(kind, condition, java.util.Set.of()));
      }
      if (stderr.contains("classifier not found") || stderr.contains("Unknown filter")) {
        return new UnsupportedConditionException(
            "the port filter for "
                + target.describe()
                + " needs the tc classifier 'u32', which this kernel does not have; use the user-space"
                + " link (UserSpaceLink) instead");
      }
      if (stderr.contains("Operation not permitted")) {
        return new IllegalStateException(
            "tc needs root (CAP_NET_ADMIN) to shape "
                + target.describe()
                + "; run as root or use the user-space link (UserSpaceLink). tc said: "
                + stderr.strip());
      }
      return new UncheckedIOException(
          new IOException("'" + result.commandLine() + "' failed: " + stderr.strip()));
    }
  }
}
