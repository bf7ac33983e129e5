package io.paretopipe.netem.tc;

import io.paretopipe.format.NetworkCondition;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link QdiscProbe} found out about the kernel's traffic control.
 *
 * @param probed true when the probe ran; false when it could not (see {@code notProbedReason})
 * @param availableKinds the probed qdisc kinds the kernel accepted (subset of {@link
 *     QdiscProbe#PROBED_KINDS})
 * @param missingKinds the probed qdisc kinds the kernel rejected
 * @param u32Filter true when the {@code u32} classifier is available (needed for a port filter)
 * @param notProbedReason why the probe did not run, {@code null} when it did
 */
public record QdiscSupport(
    boolean probed,
    Set<String> availableKinds,
    Set<String> missingKinds,
    boolean u32Filter,
    String notProbedReason) {

  /** Copies the sets, sorted. */
  public QdiscSupport {
    availableKinds = Set.copyOf(new TreeSet<>(availableKinds));
    missingKinds = Set.copyOf(new TreeSet<>(missingKinds));
  }

  /** A result that says the probe could not run and why. */
  public static QdiscSupport notProbed(String reason) {
    return new QdiscSupport(false, Set.of(), Set.of(), false, reason);
  }

  /** True when the kernel accepted {@code kind}. */
  public boolean has(String kind) {
    return availableKinds.contains(kind);
  }

  /**
   * The qdisc kinds {@link TcCommandBuilder} uses for {@code condition} on {@code target}: {@code
   * netem} for delay, jitter and loss; {@code tbf} for a rate on all traffic; {@code htb} (and the
   * {@code u32} classifier) for a port filter.
   */
  public static Set<String> requiredKinds(NetworkCondition condition, TcTarget target) {
    Set<String> kinds = new LinkedHashSet<>();
    if (condition.isNone()) {
      return kinds;
    }
    if (target.tcpPort() != 0) {
      kinds.add("htb");
    } else if (condition.hasRateLimit()) {
      kinds.add("tbf");
    }
    if (condition.needsNetem()) {
      kinds.add("netem");
    }
    return kinds;
  }

  /**
   * Checks that this kernel can apply {@code condition} to {@code target}; does nothing when the
   * probe did not run (the {@code tc} error then speaks for itself).
   *
   * @throws UnsupportedConditionException naming the missing qdisc and, for netem, pointing to the
   *     user-space link
   */
  public void check(NetworkCondition condition, TcTarget target) {
    if (!probed) {
      return;
    }
    for (String kind : requiredKinds(condition, target)) {
      if (!has(kind)) {
        throw new UnsupportedConditionException(missingMessage(kind, condition, availableKinds));
      }
    }
    if (target.tcpPort() != 0 && !u32Filter) {
      throw new UnsupportedConditionException(
          "the port filter for "
              + target.describe()
              + " needs the tc classifier 'u32', which this kernel does not have (CONFIG_NET_CLS_U32)."
              + " Shape all traffic of the interface (no port) or use the user-space link"
              + " (io.paretopipe.netem.link.UserSpaceLink) instead.");
    }
  }

  /**
   * The message for a qdisc {@code kind} that is missing; shared with the translation of tc's own
   * error.
   */
  static String missingMessage(String kind, NetworkCondition condition, Set<String> available) {
    String found =
        available.isEmpty()
            ? ""
            : " (qdiscs found: " + String.join(", ", new TreeSet<>(available)) + ")";
    if (kind.equals("netem")) {
      return "'"
          + condition.toSpec()
          + "' needs the tc qdisc 'netem' for delay, jitter and loss, but netem is"
          + " missing from this kernel"
          + found
          + ". Use the user-space link instead (UserSpaceLink, the"
          + " 'link' of a run: a TCP proxy that adds delay, jitter and a rate limit without root or kernel"
          + " modules), or load netem (modprobe sch_netem; kernel option CONFIG_NET_SCH_NETEM)."
          + " A rate alone works here with tbf/htb.";
    }
    return "'"
        + condition.toSpec()
        + "' needs the tc qdisc '"
        + kind
        + "', which is missing from this kernel"
        + found
        + " (kernel option CONFIG_NET_SCH_"
        + kind.toUpperCase(java.util.Locale.ROOT)
        + "). Use the user-space link (UserSpaceLink) instead.";
  }

  /** One line per fact, for {@code netem probe}. */
  public List<String> describe() {
    if (!probed) {
      return List.of("not probed: " + notProbedReason);
    }
    return List.of(
        "qdiscs available: "
            + (availableKinds.isEmpty()
                ? "(none)"
                : String.join(", ", new TreeSet<>(availableKinds))),
        "qdiscs missing:   "
            + (missingKinds.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(missingKinds))),
        "u32 classifier:   "
            + (u32Filter ? "available (port filters work)" : "missing (no port filters)"),
        has("netem")
            ? "delay/jitter/loss: kernel path (netem)"
            : "delay/jitter/loss: NOT on the kernel path (no netem): use the user-space link",
        has("tbf") || has("htb")
            ? "rate limits:       kernel path (" + (has("tbf") ? "tbf" : "htb") + ")"
            : "rate limits:       NOT on the kernel path: use the user-space link");
  }
}
