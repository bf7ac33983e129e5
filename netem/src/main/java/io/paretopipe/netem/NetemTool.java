package io.paretopipe.netem;

import io.paretopipe.format.NetworkCondition;
import io.paretopipe.netem.device.CpuQuota;
import io.paretopipe.netem.internal.CommandResult;
import io.paretopipe.netem.internal.Commands;
import io.paretopipe.netem.ns.NamespacePair;
import io.paretopipe.netem.tc.QdiscProbe;
import io.paretopipe.netem.tc.QdiscSupport;
import io.paretopipe.netem.tc.TcCommandBuilder;
import io.paretopipe.netem.tc.TcRule;
import io.paretopipe.netem.tc.TcShaper;
import io.paretopipe.netem.tc.TcTarget;
import io.paretopipe.netem.tc.UnsupportedConditionException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code netem} command: {@code probe | apply IFACE SPEC [--netns NS] [--port P] | show [IFACE]
 * [--netns NS] | clear}, with {@code --state-dir DIR} before or after the subcommand. Exposed as
 * {@code paretopipe.jar netem ...}.
 *
 * <p>{@code apply} adds a <em>detached</em> rule: owned by no process, it outlives the command and
 * stays until {@code clear}. {@code clear} removes every recorded rule whose owner is dead or
 * detached, plus namespaces and CPU-quota cgroups left by dead processes; rules, namespaces and
 * cgroups of live processes are left alone.
 *
 * <p>Exit status: 0 success, 1 the operation failed, 2 bad usage. Stateless and thread-safe.
 */
public final class NetemTool {

  /** The usage text printed by {@code --help} and after a usage error. */
  public static final String HELP =
      """
            usage: netem [--state-dir DIR] COMMAND [ARGS]

            Network conditions on the kernel path (tc; needs root). Commands:
              probe                               which qdiscs this kernel has (netem, tbf, htb) and the u32 filter
              apply IFACE SPEC [--netns NS] [--port P]
                                                  shape what IFACE sends with SPEC; the rule is detached: it stays
                                                  until 'netem clear' (a port limits it to TCP traffic from/to P)
              show [IFACE] [--netns NS]           recorded rules and the qdiscs of their interfaces (or of IFACE)
              clear                               remove recorded rules of dead or detached owners, and namespaces
                                                  (pp-PID-...) and cgroups (paretopipe-PID-...) of dead processes
              profiles                            the device profiles (built-in, plus $%s)

            SPEC: none | a preset (%s) | terms joined by '+':
              delay:20ms  jitter:5ms  loss:1%%  rate:50mbit  burst:32kb
              time units ns us ms s; rate units bps kbit mbit gbit (x1000); size units b kb mb (x1024)
              e.g. delay:200ms+rate:5mbit (= pi-link). Delay, jitter and loss need the netem qdisc; where it is
              missing use the user-space link (a TCP proxy; no root) instead.

            --state-dir DIR  where rule records live (default: -Dparetopipe.netem.stateDir,
                             $PARETOPIPE_NETEM_STATE_DIR, else /run/paretopipe/tc)
            """
          .formatted(
              io.paretopipe.netem.device.DeviceProfiles.FILE_ENV,
              String.join(", ", NetworkCondition.presetNames()));

  private NetemTool() {}

  /** Runs the command line as {@code java ... NetemTool ARGS}; exits with {@link #run}'s status. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs one command.
   *
   * @return 0 on success, 1 when the operation failed, 2 on a usage error (the message and the
   *     usage go to {@code err})
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> positional = new ArrayList<>();
    String netns = null;
    Integer port = null;
    Path stateDir = TcShaper.defaultStateDirectory();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "-h", "--help", "help" -> {
          out.print(HELP);
          return 0;
        }
        case "--netns", "--port", "--state-dir" -> {
          if (i + 1 >= args.length) {
            return usage(err, "option " + arg + " needs a value");
          }
          String value = args[++i];
          if (arg.equals("--netns")) {
            netns = value;
          } else if (arg.equals("--state-dir")) {
            stateDir = Path.of(value);
          } else {
            try {
              port = Integer.parseInt(value);
            } catch (NumberFormatException e) {
              return usage(err, "--port '" + value + "' is not a number (expected: 1..65535)");
            }
            if (port < 1 || port > 65535) {
              return usage(err, "--port " + port + " is out of range (expected: 1..65535)");
            }
          }
        }
        default -> {
          if (arg.startsWith("--")) {
            return usage(
                err,
                "unknown option '"
                    + arg
                    + "'; valid options are --netns, --port,"
                    + " --state-dir, --help");
          }
          positional.add(arg);
        }
      }
    }
    if (positional.isEmpty()) {
      return usage(err, "no command given; valid commands are probe, apply, show, clear, profiles");
    }
    String command = positional.get(0);
    List<String> rest = positional.subList(1, positional.size());
    try {
      return switch (command) {
        case "probe" ->
            rest.isEmpty() ? probe(out) : usage(err, "probe takes no arguments, got " + rest);
        case "apply" ->
            rest.size() == 2
                ? apply(rest.get(0), rest.get(1), netns, port, stateDir, out, err)
                : usage(err, "apply needs IFACE and SPEC, got " + rest);
        case "show" ->
            rest.size() <= 1
                ? show(rest.isEmpty() ? null : rest.get(0), netns, stateDir, out)
                : usage(err, "show takes at most one IFACE, got " + rest);
        case "clear" ->
            rest.isEmpty()
                ? clear(stateDir, out)
                : usage(err, "clear takes no arguments, got " + rest);
        case "profiles" ->
            rest.isEmpty() ? profiles(out) : usage(err, "profiles takes no arguments, got " + rest);
        default ->
            usage(
                err,
                "unknown command '"
                    + command
                    + "'; valid commands are probe, apply, show, clear, profiles");
      };
    } catch (UnsupportedConditionException | IllegalStateException | UncheckedIOException e) {
      err.println("netem " + command + ": " + e.getMessage());
      return 1;
    }
  }

  private static int usage(PrintStream err, String message) {
    err.println("netem: " + message);
    err.print(HELP);
    return 2;
  }

  private static int probe(PrintStream out) {
    QdiscSupport support = QdiscProbe.probe();
    support.describe().forEach(out::println);
    return support.probed() ? 0 : 1;
  }

  private static int apply(
      String iface,
      String spec,
      String netns,
      Integer port,
      Path stateDir,
      PrintStream out,
      PrintStream err) {
    NetworkCondition condition;
    TcShaper.Builder builder;
    try {
      condition = NetworkCondition.parse(spec);
      builder = TcShaper.builder(iface, condition).optNetns(netns).optStateDirectory(stateDir);
      if (port != null) {
        builder.optTcpPort(port);
      }
      new TcTarget(netns, iface, port == null ? 0 : port);
    } catch (IllegalArgumentException e) {
      return usage(err, e.getMessage());
    }
    TcRule rule = builder.applyDetached();
    if (rule == null) {
      out.println("'none' changes nothing: no rule added");
      return 0;
    }
    out.println("applied " + rule.describe());
    out.println("it stays until 'netem clear'");
    return 0;
  }

  private static int profiles(PrintStream out) {
    io.paretopipe.netem.device.DeviceProfiles profiles =
        io.paretopipe.netem.device.DeviceProfiles.standard(null);
    out.printf("%-16s %-8s %-8s %s%n", "profile", "cpus", "threads", "cpu quota");
    for (io.paretopipe.netem.device.DeviceProfile p : profiles.asMap().values()) {
      out.printf(
          "%-16s %-8s %-8d %s%n",
          p.name(),
          p.cpuSet(),
          p.threads(),
          p.cpuQuotaPercent() == null ? "none" : p.cpuQuotaPercent() + "% of one CPU");
    }
    return 0;
  }

  private static int show(String iface, String netns, Path stateDir, PrintStream out) {
    List<TcRule> rules = TcShaper.listRules(stateDir);
    Set<TcTarget> targets = new LinkedHashSet<>();
    int shown = 0;
    out.println("recorded rules in " + stateDir + ":");
    for (TcRule rule : rules) {
      if (iface == null || rule.target().interfaceName().equals(iface)) {
        out.println("  " + rule.describe());
        targets.add(new TcTarget(rule.target().netns(), rule.target().interfaceName(), 0));
        shown++;
      }
    }
    if (shown == 0) {
      out.println("  (none)");
    }
    if (iface != null) {
      targets.add(new TcTarget(netns, iface, 0));
    }
    for (TcTarget target : targets) {
      CommandResult result = Commands.run(TcCommandBuilder.showCommand(target));
      out.println("qdiscs of " + target.describe() + ":");
      String text = result.succeeded() ? result.stdout() : result.stderr();
      for (String line : text.strip().split("\n")) {
        out.println("  " + line);
      }
    }
    return 0;
  }

  private static int clear(Path stateDir, PrintStream out) {
    List<String> removed = new ArrayList<>();
    for (TcRule rule : TcShaper.clearLeftovers(stateDir)) {
      removed.add("tc rule " + rule.describe());
    }
    removed.addAll(NamespacePair.clearLeftovers());
    removed.addAll(CpuQuota.clearLeftovers().stream().map(dir -> "cgroup " + dir).toList());
    if (removed.isEmpty()) {
      out.println("nothing to clear");
    }
    for (String line : removed) {
      out.println("removed " + line);
    }
    return 0;
  }
}
