package io.paretopipe.netem.tc;

import io.paretopipe.format.NetworkCondition;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@code tc} command lines (argv lists) that apply a {@link NetworkCondition} to a
 * {@link TcTarget}. Pure: runs nothing, so it is testable anywhere. All qdiscs hang below one root
 * qdisc with handle {@code handleMajor:}, so deleting that root removes everything the commands
 * added.
 *
 * <p>Layouts ({@code H} = {@code handleMajor}, {@code C} = {@code H + 1}, both hexadecimal as tc
 * expects):
 *
 * <ul>
 *   <li>all traffic, rate only: {@code root handle H: tbf rate R burst B latency 100ms};
 *   <li>all traffic, delay/jitter/loss only: {@code root handle H: netem delay D J loss L% limit
 *       100000};
 *   <li>all traffic, both: {@code root handle H: tbf ...} with {@code parent H:1 handle C: netem
 *       ...} (packets are delayed, then leave at the rate);
 *   <li>one TCP port: {@code root handle H: htb} (unclassified traffic passes unshaped), class
 *       {@code H:1 htb rate R burst B} (10 gbit when no rate is asked), optional {@code parent H:1
 *       handle C: netem ...}, and {@code u32} filters sending TCP packets with source or
 *       destination port P to {@code H:1}, for IPv4 and IPv6 (packets without IP options or IPv6
 *       extension headers, i.e. ordinary TCP).
 * </ul>
 *
 * Times are written in microseconds (tc's resolution), rates in bit/s, sizes in bytes. Thread-safe
 * (stateless).
 */
public final class TcCommandBuilder {

  /** The class rate used on the port-filter path when the condition has no rate limit. */
  public static final long UNLIMITED_CLASS_RATE_BITS_PER_SECOND = 10_000_000_000L;

  /**
   * The netem queue length in packets: large enough that 200 ms at 1 Gbit/s never drops at the
   * queue.
   */
  public static final int NETEM_LIMIT_PACKETS = 100_000;

  private TcCommandBuilder() {}

  /** The root handle as tc writes it, e.g. {@code 5a3f:}. */
  public static String handle(int handleMajor) {
    checkHandle(handleMajor);
    return Integer.toHexString(handleMajor) + ":";
  }

  private static void checkHandle(int handleMajor) {
    if (handleMajor < 1 || handleMajor > 0xfffe) {
      throw new IllegalArgumentException("handleMajor: " + handleMajor + " (expected: 1..0xfffe)");
    }
  }

  /**
   * The commands that add {@code condition} to {@code target}, to be run in order. Empty for {@link
   * NetworkCondition#NONE}.
   */
  public static List<List<String>> addCommands(
      TcTarget target, NetworkCondition condition, int handleMajor) {
    checkHandle(handleMajor);
    List<List<String>> commands = new ArrayList<>();
    if (condition.isNone()) {
      return commands;
    }
    String dev = target.interfaceName();
    String root = handle(handleMajor);
    String child = handle(handleMajor + 1);
    String leafClass = Integer.toHexString(handleMajor) + ":1";
    if (target.tcpPort() != 0) {
      commands.add(target.tc("qdisc", "add", "dev", dev, "root", "handle", root, "htb"));
      long rate =
          condition.hasRateLimit()
              ? condition.rateBitsPerSecond()
              : UNLIMITED_CLASS_RATE_BITS_PER_SECOND;
      long burst =
          condition.hasRateLimit()
              ? condition.effectiveBurstBytes()
              : NetworkCondition.ofRateBitsPerSecond(rate).effectiveBurstBytes();
      commands.add(
          target.tc(
              "class",
              "add",
              "dev",
              dev,
              "parent",
              root,
              "classid",
              leafClass,
              "htb",
              "rate",
              rate + "bit",
              "burst",
              Long.toString(burst),
              "cburst",
              Long.toString(burst),
              "quantum",
              "60000"));
      if (condition.needsNetem()) {
        commands.add(netem(target, List.of("parent", leafClass, "handle", child), condition));
      }
      String port = Integer.toString(target.tcpPort());
      int prio = 1;
      for (String direction : List.of("sport", "dport")) {
        commands.add(
            target.tc(
                "filter",
                "add",
                "dev",
                dev,
                "parent",
                root,
                "protocol",
                "ip",
                "prio",
                Integer.toString(prio),
                "u32",
                "match",
                "ip",
                "protocol",
                "6",
                "0xff",
                "match",
                "ip",
                direction,
                port,
                "0xffff",
                "flowid",
                leafClass));
        commands.add(
            target.tc(
                "filter",
                "add",
                "dev",
                dev,
                "parent",
                root,
                "protocol",
                "ipv6",
                "prio",
                Integer.toString(prio + 1),
                "u32",
                "match",
                "ip6",
                "protocol",
                "6",
                "0xff",
                "match",
                "ip6",
                direction,
                port,
                "0xffff",
                "flowid",
                leafClass));
      }
      return commands;
    }
    if (condition.hasRateLimit()) {
      commands.add(
          target.tc(
              "qdisc",
              "add",
              "dev",
              dev,
              "root",
              "handle",
              root,
              "tbf",
              "rate",
              condition.rateBitsPerSecond() + "bit",
              "burst",
              Long.toString(condition.effectiveBurstBytes()),
              "latency",
              "100ms"));
      if (condition.needsNetem()) {
        commands.add(
            netem(target, List.of("parent", root.replace(":", ":1"), "handle", child), condition));
      }
      return commands;
    }
    commands.add(netem(target, List.of("root", "handle", root), condition));
    return commands;
  }

  private static List<String> netem(
      TcTarget target, List<String> placement, NetworkCondition condition) {
    List<String> argv = target.tc("qdisc", "add", "dev", target.interfaceName());
    argv.addAll(placement);
    argv.add("netem");
    if (condition.delayNanos() > 0) {
      argv.add("delay");
      argv.add(micros(condition.delayNanos()));
      if (condition.jitterNanos() > 0) {
        argv.add(micros(condition.jitterNanos()));
      }
    }
    if (condition.lossPercent() > 0) {
      argv.add("loss");
      argv.add(
          BigDecimal.valueOf(condition.lossPercent()).stripTrailingZeros().toPlainString() + "%");
    }
    argv.add("limit");
    argv.add(Integer.toString(NETEM_LIMIT_PACKETS));
    return argv;
  }

  private static String micros(long nanos) {
    return Math.max(1, Math.round(nanos / 1000.0)) + "us";
  }

  /**
   * Deletes the root qdisc of the target's interface (and all below it); check the handle first.
   */
  public static List<String> deleteRootCommand(TcTarget target) {
    return target.tc("qdisc", "del", "dev", target.interfaceName(), "root");
  }

  /** Lists the qdiscs of the target's interface. */
  public static List<String> showCommand(TcTarget target) {
    return target.tc("qdisc", "show", "dev", target.interfaceName());
  }
}
