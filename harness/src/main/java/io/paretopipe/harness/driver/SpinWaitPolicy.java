package io.paretopipe.harness.driver;

import io.paretopipe.harness.placement.Placement;
import io.paretopipe.harness.transport.TransportKind;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Whether the head's nio channel may spin for answers ({@code run --spin-wait}): a spin must never
 * steal the core of a thread that computes for the same run.
 *
 * <p>{@code auto} spins only when, while the head waits for an answer, its CPUs hold no other busy
 * thread of the run:
 *
 * <ul>
 *   <li>transport {@code nio} (the only one whose wait spins);
 *   <li>depth 1 (a closed loop of one request, not open loop): the head computes the next request
 *       only after the answer came back, so no head compute runs beside the wait; at depth 2 or
 *       more the head computes while it waits;
 *   <li>no {@code --link}: the link's proxy moves the bytes in the head's process;
 *   <li>no CPU quota on the head: a spin would spend the quota its compute needs;
 *   <li>every stage remote, or the head pinned ({@code --head-cpus}) to CPUs disjoint from those of
 *       the stage servers it spawns ({@code --tail-cpus}, also pinned): then no stage thread can be
 *       scheduled on the spinning thread's CPU.
 * </ul>
 *
 * {@code on} spins whatever the placement (for measurements; it may steal a core), {@code off}
 * never spins (the behaviour before this option).
 */
public enum SpinWaitPolicy {
  AUTO,
  ON,
  OFF;

  /**
   * What the policy decided for one run.
   *
   * @param spin whether the head's channel spins for answers
   * @param reason why, in words, e.g. for {@code run}'s output
   */
  public record Decision(boolean spin, String reason) {
    public Decision {
      Objects.requireNonNull(reason, "reason");
    }

    /** {@code on} or {@code off}, the {@code spin_wait} value of {@code run --json}. */
    public String value() {
      return spin ? "on" : "off";
    }
  }

  /**
   * {@code auto}, {@code on} or {@code off}.
   *
   * @throws IllegalArgumentException naming the valid values
   */
  public static SpinWaitPolicy parse(String text) {
    for (SpinWaitPolicy p : values()) {
      if (p.cliName().equals(text == null ? "" : text.trim().toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException("--spin-wait '" + text + "' (expected: auto, on or off)");
  }

  /** The option value, lower case. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Decides for one run.
   *
   * @param transport the head's transport
   * @param depth requests in flight; 0 for an open-loop run (any number in flight)
   * @param linked whether a link proxy shapes the first hop in this process
   * @param head where the head computes (its CPUs already resolved, {@code auto} included)
   * @param tail where the stage servers this run spawns compute
   * @param spawnsTails whether this run spawns its stage servers on this machine
   */
  public Decision decide(
      TransportKind transport,
      int depth,
      boolean linked,
      Placement head,
      Placement tail,
      boolean spawnsTails) {
    if (this == OFF) {
      return new Decision(false, "off (--spin-wait off)");
    }
    if (this == ON) {
      return transport == TransportKind.NIO
          ? new Decision(true, "on (--spin-wait on, whatever the placement)")
          : new Decision(false, "off (transport " + transport + " never spins)");
    }
    if (transport != TransportKind.NIO) {
      return off("transport " + transport + " never spins");
    }
    if (depth != 1) {
      return off(
          depth == 0
              ? "open loop: the head computes while it waits"
              : "depth " + depth + ": the head computes while it waits");
    }
    if (linked) {
      return off("the link's proxy runs in the head's process");
    }
    if (head.cpuQuotaPercent() != null) {
      return off("the head has a CPU quota");
    }
    if (!spawnsTails) {
      return new Decision(true, "on (auto: depth 1, every stage remote)");
    }
    if (!head.cpus().pinned() || !tail.cpus().pinned()) {
      return off("head or spawned stages not pinned (--head-cpus, --tail-cpus)");
    }
    Set<Integer> shared = new HashSet<>(head.cpus().cpus());
    shared.retainAll(tail.cpus().cpus());
    if (!shared.isEmpty()) {
      return off("the head's CPUs " + head.cpus() + " overlap the stages' " + tail.cpus());
    }
    return new Decision(
        true,
        "on (auto: depth 1, head CPUs "
            + head.cpus()
            + " disjoint from the stages' "
            + tail.cpus()
            + ")");
  }

  private static Decision off(String why) {
    return new Decision(false, "off (auto: " + why + ")");
  }
}
