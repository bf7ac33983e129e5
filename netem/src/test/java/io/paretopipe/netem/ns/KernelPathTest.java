package io.paretopipe.netem.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.format.NetworkCondition;
import io.paretopipe.netem.NetemTool;
import io.paretopipe.netem.internal.CommandResult;
import io.paretopipe.netem.internal.Commands;
import io.paretopipe.netem.internal.OwnerProcess;
import io.paretopipe.netem.ns.NamespacePair.Side;
import io.paretopipe.netem.tc.QdiscProbe;
import io.paretopipe.netem.tc.QdiscSupport;
import io.paretopipe.netem.tc.TcShaper;
import io.paretopipe.netem.tc.TcTarget;
import io.paretopipe.netem.tc.UnsupportedConditionException;
import io.paretopipe.netem.testsupport.ApplyAndWait;
import io.paretopipe.netem.testsupport.ChildJvm;
import io.paretopipe.netem.testsupport.SinkClient;
import io.paretopipe.netem.testsupport.SinkServer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel path on real interfaces: namespaces, veth pairs, tc rules, kill -9 and clean-up. Needs
 * root and iproute2; skipped (with the reason) elsewhere. Everything happens on interfaces these
 * tests create.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KernelPathTest {

  @TempDir static Path stateDir;

  private static final String OWN_PREFIX = "pp-" + ProcessHandle.current().pid() + "-";

  @BeforeAll
  static void requireRootAndIproute2() {
    NamespacePair.unavailableReason()
        .ifPresent(
            reason -> Assumptions.assumeTrue(false, "skipping kernel-path tests: " + reason));
    Assumptions.assumeTrue(
        Commands.available("tc"),
        "skipping: the 'tc' command is missing (apt-get install iproute2)");
    System.setProperty("paretopipe.netem.stateDir", stateDir.toString());
  }

  @AfterAll
  static void noRuleNamespaceOrInterfaceOutlivesTheTests() {
    if (NamespacePair.unavailableReason().isPresent()) {
      return;
    }
    System.clearProperty("paretopipe.netem.stateDir");
    assertEquals(List.of(), TcShaper.listRules(stateDir), "tc rule records left behind");
    assertTrue(
        NamespacePair.listNamespaces().stream().noneMatch(ns -> ns.startsWith(OWN_PREFIX)),
        "namespaces left behind: " + NamespacePair.listNamespaces());
    CommandResult links = Commands.run(List.of("ip", "-o", "link", "show"));
    assertFalse(
        links.stdout().contains(": pp" + ProcessHandle.current().pid() + "-"),
        "root-namespace interfaces left behind: " + links.stdout());
  }

  /**
   * The root qdisc's counters on {@code side}'s veth end, from {@code tc -s qdisc}: bytes sent and
   * overlimits (packets the shaper held back), what a rate limiter guarantees whatever the load.
   */
  private static long[] rootQdiscStatistics(NamespacePair pair, Side side) {
    CommandResult stats =
        pair.exec(side, List.of("tc", "-s", "qdisc", "show", "dev", pair.interfaceName(side)));
    Matcher m =
        Pattern.compile("Sent (\\d+) bytes \\d+ pkt \\(dropped \\d+, overlimits (\\d+)")
            .matcher(stats.stdout());
    assertTrue(m.find(), "no statistics in tc -s qdisc output: " + stats.stdout());
    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
  }

  private static String rootQdisc(TcTarget target) {
    return TcShaper.rootQdisc(target).map(q -> q[0] + " " + q[1]).orElse("(none)");
  }

  @Test
  void thePairHasPrivateAddressesAndCarriesRealTraffic() throws IOException {
    try (NamespacePair pair = NamespacePair.create()) {
      assertEquals(NamespacePair.Layout.HEAD_IN_ROOT, pair.layout());
      assertEquals(null, pair.namespace(Side.HEAD));
      assertTrue(pair.namespace(Side.TAIL).startsWith(OWN_PREFIX), pair.namespace(Side.TAIL));
      byte[] head = pair.address(Side.HEAD).getAddress();
      byte[] tail = pair.address(Side.TAIL).getAddress();
      assertEquals(head[3] + 1, tail[3]);
      assertEquals(1, head[3] & 3, "head is .1 of its /30");
      CommandResult addr =
          pair.exec(Side.TAIL, List.of("ip", "-4", "-o", "addr", "show", "dev", "pp-tail"));
      assertTrue(
          addr.stdout().contains(pair.address(Side.TAIL).getHostAddress() + "/30"), addr.stdout());
      CommandResult lo = pair.exec(Side.TAIL, List.of("ip", "-o", "link", "show", "dev", "lo"));
      assertTrue(lo.stdout().contains("UP"), lo.stdout());
      // only lo and the veth end live in the tail namespace
      CommandResult all = pair.exec(Side.TAIL, List.of("ip", "-o", "link", "show"));
      assertEquals(2, all.stdout().strip().split("\n").length, all.stdout());
      try (SinkChild sink = new SinkChild(pair);
          SinkClient client = new SinkClient(sink.address())) {
        byte[] payload = new byte[100_000];
        new Random(3).nextBytes(payload);
        client.timedExchangeNanos(payload);
      }
    }
  }

  @Test
  void tbfOnTheVethLimitsA4MiBTransferTo50Mbit() throws IOException {
    try (NamespacePair pair = NamespacePair.create();
        SinkChild sink = new SinkChild(pair);
        SinkClient client = new SinkClient(sink.address());
        TcShaper shaper = pair.shape(Side.HEAD, NetworkCondition.parse("rate:50mbit"), 0)) {
      assertEquals(
          "tbf " + Integer.toHexString(shaper.rule().handleMajor()) + ":",
          rootQdisc(new TcTarget(null, pair.interfaceName(Side.HEAD), 0)));
      client.timedExchangeNanos(new byte[1]);
      byte[] payload = new byte[4 << 20];
      new Random(4).nextBytes(payload);
      double seconds = client.timedExchangeNanos(payload) / 1e9;
      double expected = 4.0 * 1048576 * 8 / 50e6;
      System.out.printf(
          "tbf on veth: 4 MiB at 50 Mbit/s took %.3f s (expected %.3f s)%n", seconds, expected);
      assertTrue(
          seconds > expected * 0.9,
          "4 MiB through tbf at 50 Mbit/s took "
              + seconds
              + " s: faster than the rate allows ("
              + expected
              + " s)");
      long[] sentAndOverlimits = rootQdiscStatistics(pair, Side.HEAD);
      assertTrue(
          sentAndOverlimits[0] >= payload.length,
          "the tbf qdisc sent "
              + sentAndOverlimits[0]
              + " bytes, the payload is "
              + payload.length);
      assertTrue(sentAndOverlimits[1] > 0, "the tbf qdisc never held a packet back: overlimits 0");
      assertEquals(1, TcShaper.listRules(stateDir).size());
    }
  }

  @Test
  void aPortFilterShapesOnlyThatPort() throws IOException {
    try (NamespacePair pair = NamespacePair.create();
        SinkChild shaped = new SinkChild(pair);
        SinkChild free = new SinkChild(pair);
        TcShaper shaper =
            pair.shape(Side.HEAD, NetworkCondition.parse("rate:20mbit"), shaped.port);
        SinkClient shapedClient = new SinkClient(shaped.address());
        SinkClient freeClient = new SinkClient(free.address())) {
      assertEquals(
          "htb " + Integer.toHexString(shaper.rule().handleMajor()) + ":",
          rootQdisc(new TcTarget(null, pair.interfaceName(Side.HEAD), 0)));
      byte[] payload = new byte[1 << 20];
      new Random(5).nextBytes(payload);
      double shapedSeconds = shapedClient.timedExchangeNanos(payload) / 1e9;
      double freeSeconds = freeClient.timedExchangeNanos(payload) / 1e9;
      double expected = 1048576 * 8 / 20e6;
      System.out.printf(
          "htb+u32 port filter: 1 MiB on port %d took %.3f s (expected %.3f), other port %.3f s%n",
          shaped.port, shapedSeconds, expected, freeSeconds);
      assertTrue(
          shapedSeconds > expected * 0.85,
          "shaped port took "
              + shapedSeconds
              + " s: faster than the rate allows ("
              + expected
              + " s)");
      assertTrue(
          freeSeconds < expected / 3,
          "the other port must not be shaped, took " + freeSeconds + " s");
    }
  }

  @Test
  void closingRestoresTheDefaultQdiscAndNeverReplacesAForeignOne() {
    try (NamespacePair pair = NamespacePair.create(NamespacePair.Layout.BOTH_IN_NAMESPACES)) {
      TcTarget tail = new TcTarget(pair.namespace(Side.TAIL), pair.interfaceName(Side.TAIL), 0);
      String before = rootQdisc(tail);
      assertTrue(before.endsWith(" 0:"), "a fresh veth has a default root qdisc, got " + before);
      TcShaper shaper = pair.shape(Side.TAIL, NetworkCondition.parse("rate:10mbit+burst:64kb"), 0);
      assertTrue(rootQdisc(tail).startsWith("tbf 5"), rootQdisc(tail));
      shaper.close();
      shaper.close();
      assertEquals(before, rootQdisc(tail));
      assertEquals(List.of(), TcShaper.listRules(stateDir));

      // a qdisc someone else added is neither replaced nor removed
      Commands.check(
          tail.tc("qdisc", "add", "dev", tail.interfaceName(), "root", "handle", "1:", "htb"));
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> pair.shape(Side.TAIL, NetworkCondition.parse("rate:10mbit"), 0));
      assertTrue(
          e.getMessage().contains("already has root qdisc 'htb 1:' that this rule did not add"),
          e.getMessage());
      assertEquals("htb 1:", rootQdisc(tail));
      assertEquals(List.of(), TcShaper.listRules(stateDir));

      IllegalStateException missing =
          assertThrows(
              IllegalStateException.class,
              () ->
                  TcShaper.builder("pp-nosuch", NetworkCondition.parse("rate:1mbit"))
                      .optNetns(pair.namespace(Side.TAIL))
                      .apply());
      assertTrue(
          missing
              .getMessage()
              .contains(
                  "interface pp-nosuch in namespace "
                      + pair.namespace(Side.TAIL)
                      + " does not exist"),
          missing.getMessage());
    }
  }

  @Test
  void aDelayFailsWithTheNetemMessageWhereTheKernelLacksNetem() {
    QdiscSupport support = QdiscProbe.cached();
    assertTrue(support.probed(), support.notProbedReason());
    assertTrue(
        support.has("tbf") || support.has("htb"), "the probe found " + support.availableKinds());
    try (NamespacePair pair = NamespacePair.create(NamespacePair.Layout.BOTH_IN_NAMESPACES)) {
      TcTarget tail = new TcTarget(pair.namespace(Side.TAIL), pair.interfaceName(Side.TAIL), 0);
      NetworkCondition delay = NetworkCondition.ofDelayMillis(50);
      if (support.has("netem")) {
        try (TcShaper shaper = pair.shape(Side.TAIL, delay, 0)) {
          assertEquals(
              "netem " + Integer.toHexString(shaper.rule().handleMajor()) + ":", rootQdisc(tail));
        }
      } else {
        UnsupportedConditionException e =
            assertThrows(
                UnsupportedConditionException.class, () -> pair.shape(Side.TAIL, delay, 0));
        assertTrue(e.getMessage().contains("needs the tc qdisc 'netem'"), e.getMessage());
        assertTrue(e.getMessage().contains("netem is missing from this kernel"), e.getMessage());
        assertTrue(e.getMessage().contains("user-space link"), e.getMessage());
        // even without the probe, tc's own error is translated into the same message
        UnsupportedConditionException raw =
            assertThrows(
                UnsupportedConditionException.class,
                () ->
                    TcShaper.builder(tail.interfaceName(), delay)
                        .optNetns(tail.netns())
                        .optQdiscSupport(QdiscSupport.notProbed("test"))
                        .apply());
        assertTrue(
            raw.getMessage().contains("netem is missing from this kernel"), raw.getMessage());
        assertTrue(raw.getMessage().contains("user-space link"), raw.getMessage());
      }
      assertTrue(
          rootQdisc(tail).endsWith(" 0:"),
          "nothing may be left on the interface: " + rootQdisc(tail));
      assertEquals(List.of(), TcShaper.listRules(stateDir));
    }
  }

  @Test
  void netemClearRemovesTheRulesOfAJvmKilledWithSigkill() throws Exception {
    try (NamespacePair pair = NamespacePair.create(NamespacePair.Layout.BOTH_IN_NAMESPACES)) {
      TcTarget tail = new TcTarget(pair.namespace(Side.TAIL), pair.interfaceName(Side.TAIL), 0);
      String before = rootQdisc(tail);
      Process child =
          new ProcessBuilder(
                  ChildJvm.javaCommand(
                      ApplyAndWait.class,
                      stateDir.toString(),
                      tail.netns(),
                      tail.interfaceName(),
                      "rate:20mbit"))
              .start();
      try {
        String applied = ChildJvm.awaitLine(child, ChildJvm.stdout(child), "APPLIED ", 20_000);
        String handle = applied.substring("APPLIED ".length()) + ":";
        assertEquals("tbf " + handle, rootQdisc(tail));
        ChildJvm.kill(child);
        assertEquals(137, child.exitValue(), "SIGKILL gives exit status 128 + 9");
        // the shutdown hook could not run: the rule and its record outlive the JVM
        assertEquals("tbf " + handle, rootQdisc(tail));
        assertEquals(1, TcShaper.listRules(stateDir).size());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
            NetemTool.run(
                new String[] {"clear", "--state-dir", stateDir.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(
            printed.contains("removed tc rule")
                && printed.contains("rate:20mbit on " + tail.describe()),
            printed);
        assertEquals(before, rootQdisc(tail), "netem clear must restore the default qdisc");
        assertEquals(List.of(), TcShaper.listRules(stateDir));
      } finally {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void netemApplyIsDetachedUntilClear() {
    try (NamespacePair pair = NamespacePair.create(NamespacePair.Layout.BOTH_IN_NAMESPACES)) {
      TcTarget tail = new TcTarget(pair.namespace(Side.TAIL), pair.interfaceName(Side.TAIL), 0);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
      PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
      String dir = stateDir.toString();
      assertEquals(
          0,
          NetemTool.run(
              new String[] {
                "apply",
                tail.interfaceName(),
                "rate:5mbit",
                "--netns",
                tail.netns(),
                "--port",
                "5000",
                "--state-dir",
                dir
              },
              o,
              e),
          err.toString(StandardCharsets.UTF_8));
      assertTrue(rootQdisc(tail).startsWith("htb 5"), rootQdisc(tail));
      CommandResult filters = Commands.run(tail.tc("filter", "show", "dev", tail.interfaceName()));
      assertTrue(
          filters.stdout().contains("00001388/0000ffff"),
          "u32 match on port 5000:\n" + filters.stdout());
      assertEquals(0, NetemTool.run(new String[] {"show", "--state-dir", dir}, o, e));
      assertTrue(
          out.toString(StandardCharsets.UTF_8).contains("owner detached"),
          out.toString(StandardCharsets.UTF_8));
      assertTrue(
          out.toString(StandardCharsets.UTF_8).contains("qdisc htb"),
          out.toString(StandardCharsets.UTF_8));
      assertEquals(0, NetemTool.run(new String[] {"clear", "--state-dir", dir}, o, e));
      assertTrue(rootQdisc(tail).endsWith(" 0:"), rootQdisc(tail));
      assertEquals(
          2,
          NetemTool.run(
              new String[] {"apply", tail.interfaceName(), "rate:5xbit", "--state-dir", dir},
              o,
              e));
      assertTrue(
          err.toString(StandardCharsets.UTF_8).contains("unknown unit 'xbit'"),
          err.toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void leftoverNamespacesOfDeadProcessesAreRemoved() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    assertTrue(gone.waitFor(5, TimeUnit.SECONDS));
    String name = "pp-" + gone.pid() + "-0-tail";
    Commands.check(List.of("ip", "netns", "add", name));
    try {
      List<String> removed = NamespacePair.clearLeftovers();
      assertTrue(removed.contains("netns " + name), removed.toString());
      assertFalse(NamespacePair.listNamespaces().contains(name));
    } finally {
      Commands.run(List.of("ip", "netns", "del", name));
    }
    try (NamespacePair live = NamespacePair.create()) {
      assertFalse(
          NamespacePair.clearLeftovers().stream()
              .anyMatch(r -> r.contains(live.namespace(Side.TAIL))),
          "namespaces of a live owner stay");
      assertTrue(NamespacePair.listNamespaces().contains(live.namespace(Side.TAIL)));
    }
  }

  @Test
  void leftoversOfDeadOrRecycledOwnersAreRemovedAtCreateAndOwnOnesKept() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    assertTrue(gone.waitFor(5, TimeUnit.SECONDS));
    OwnerProcess me = OwnerProcess.current();
    assertTrue(me.startTicks() > 0, "start time of this JVM: " + me);
    String deadOwner = "pp-" + gone.pid() + "-t1-0-tail";
    String recycledPid = "pp-" + me.pid() + "-t" + (me.startTicks() + 1) + "-90001-tail";
    String own = "pp-" + me.nameTag() + "-90002-tail";
    // a root-side veth end whose alias names an owner with this pid but another start time; its
    // peer sits in a namespace this module does not manage, so only the alias can condemn it
    String peerNetns = "leftover-peer-" + me.pid();
    String recycledInterface = "pp" + me.pid() + "-9001";
    List<String> names = List.of(deadOwner, recycledPid, own, peerNetns);
    try {
      for (String ns : names) {
        Commands.check(List.of("ip", "netns", "add", ns));
      }
      Commands.check(
          List.of(
              "ip",
              "link",
              "add",
              recycledInterface,
              "type",
              "veth",
              "peer",
              "name",
              "pp-tail",
              "netns",
              peerNetns));
      Commands.check(List.of("ip", "link", "set", "dev", recycledInterface, "alias", recycledPid));
      try (NamespacePair live = NamespacePair.create()) {
        List<String> namespaces = NamespacePair.listNamespaces();
        assertFalse(namespaces.contains(deadOwner), "owner pid gone: " + namespaces);
        assertFalse(namespaces.contains(recycledPid), "pid of another start time: " + namespaces);
        assertTrue(namespaces.contains(own), "this live owner's namespace stays: " + namespaces);
        assertTrue(namespaces.contains(live.namespace(Side.TAIL)));
        assertTrue(live.namespace(Side.TAIL).startsWith("pp-" + me.nameTag() + "-"));
        assertFalse(
            Commands.run(List.of("ip", "link", "show", recycledInterface)).succeeded(),
            "interface whose alias names a recycled pid: " + recycledInterface);
        assertTrue(
            Commands.run(List.of("ip", "link", "show", live.interfaceName(Side.HEAD)))
                .stdout()
                .contains("alias " + live.namespace(Side.TAIL)));
        assertEquals(List.of(), NamespacePair.clearLeftovers(), "a live owner's pair stays");
      }
    } finally {
      Commands.run(List.of("ip", "link", "del", recycledInterface));
      for (String ns : names) {
        Commands.run(List.of("ip", "netns", "del", ns));
      }
    }
  }

  @Test
  void interfaceOwnerComesFromTheAliasElseFromThePidInTheName() {
    String line =
        "27: pp4711-3@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT"
            + " group default qlen 1000\\    link/ether 26:60:13:ab:09:1d brd ff:ff:ff:ff:ff:ff"
            + " link-netns pp-4711-t983-3-tail";
    assertEquals(
        new OwnerProcess(4711, 983),
        NamespacePair.interfaceOwner(line + "\\    alias pp-4711-t983-3-tail", 4711));
    assertEquals(OwnerProcess.ofPid(4711), NamespacePair.interfaceOwner(line, 4711));
    assertEquals(
        OwnerProcess.ofPid(4711),
        NamespacePair.interfaceOwner(line + "\\    alias pp-99-t983-3-tail", 4711),
        "an alias naming another pid is not trusted");
  }

  @Test
  void setupFailureRemovesWhatWasCreated() {
    NamespacePair pair = NamespacePair.create(NamespacePair.Layout.BOTH_IN_NAMESPACES);
    String head = pair.namespace(Side.HEAD);
    pair.close();
    pair.close();
    assertFalse(NamespacePair.listNamespaces().contains(head));
    assertThrows(IllegalStateException.class, () -> pair.command(Side.HEAD, List.of("true")));
    assertNotEquals(pair.address(Side.HEAD), pair.address(Side.TAIL));
  }

  /** A {@link SinkServer} child JVM inside the tail namespace, bound to the tail address. */
  static final class SinkChild implements AutoCloseable {
    final Process process;
    final int port;
    final NamespacePair pair;

    SinkChild(NamespacePair pair) throws IOException {
      this.pair = pair;
      this.process =
          pair.processBuilder(
                  Side.TAIL,
                  ChildJvm.javaCommand(SinkServer.class, pair.address(Side.TAIL).getHostAddress()))
              .start();
      BufferedReader stdout = ChildJvm.stdout(process);
      String line;
      try {
        line = ChildJvm.awaitLine(process, stdout, "PORT ", 20_000);
      } catch (IOException e) {
        process.destroyForcibly();
        throw e;
      }
      this.port = Integer.parseInt(line.substring(5).trim());
    }

    InetSocketAddress address() {
      return new InetSocketAddress(pair.address(Side.TAIL), port);
    }

    @Override
    public void close() throws IOException {
      process.getOutputStream().close();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
