package io.paretopipe.netem.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.format.NetworkCondition;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TcCommandBuilderTest {

  private static List<String> argv(String line) {
    return List.of(line.split(" "));
  }

  @Test
  void rateOnlyIsOneTbf() {
    assertEquals(
        List.of(
            argv(
                "tc qdisc add dev veth0 root handle 5123: tbf rate 50000000bit burst 32768 latency 100ms")),
        TcCommandBuilder.addCommands(
            TcTarget.of("veth0"), NetworkCondition.parse("rate:50mbit"), 0x5123));
  }

  @Test
  void delayOnlyIsOneNetemInTheNamespace() {
    assertEquals(
        List.of(
            argv(
                "tc -n ns1 qdisc add dev v1 root handle 5000: netem delay 20000us 5000us loss 1.5% limit 100000")),
        TcCommandBuilder.addCommands(
            new TcTarget("ns1", "v1", 0),
            NetworkCondition.parse("delay:20ms+jitter:5ms+loss:1.5%"),
            0x5000));
  }

  @Test
  void delayAndRateNestNetemBelowTbf() {
    assertEquals(
        List.of(
            argv(
                "tc qdisc add dev eth9 root handle 5a3f: tbf rate 5000000bit burst 32768 latency 100ms"),
            argv(
                "tc qdisc add dev eth9 parent 5a3f:1 handle 5a40: netem delay 200000us limit 100000")),
        TcCommandBuilder.addCommands(
            TcTarget.of("eth9"), NetworkCondition.preset("pi-link"), 0x5a3f));
  }

  @Test
  void aPortFilterUsesHtbAndU32ForBothDirectionsAndBothIpVersions() {
    List<List<String>> commands =
        TcCommandBuilder.addCommands(
            new TcTarget("n", "v", 7000),
            NetworkCondition.parse("delay:10ms+rate:20mbit+burst:64kb"),
            0x5001);
    assertEquals(
        List.of(
            argv("tc -n n qdisc add dev v root handle 5001: htb"),
            argv(
                "tc -n n class add dev v parent 5001: classid 5001:1 htb rate 20000000bit burst 65536 cburst 65536 quantum 60000"),
            argv(
                "tc -n n qdisc add dev v parent 5001:1 handle 5002: netem delay 10000us limit 100000"),
            argv(
                "tc -n n filter add dev v parent 5001: protocol ip prio 1 u32 match ip protocol 6 0xff match ip sport 7000 0xffff flowid 5001:1"),
            argv(
                "tc -n n filter add dev v parent 5001: protocol ipv6 prio 2 u32 match ip6 protocol 6 0xff match ip6 sport 7000 0xffff flowid 5001:1"),
            argv(
                "tc -n n filter add dev v parent 5001: protocol ip prio 1 u32 match ip protocol 6 0xff match ip dport 7000 0xffff flowid 5001:1"),
            argv(
                "tc -n n filter add dev v parent 5001: protocol ipv6 prio 2 u32 match ip6 protocol 6 0xff match ip6 dport 7000 0xffff flowid 5001:1")),
        commands);
  }

  @Test
  void aPortFilterWithoutRateUsesAnUnlimitedClass() {
    List<String> classCommand =
        TcCommandBuilder.addCommands(
                new TcTarget(null, "v", 80), NetworkCondition.ofDelayMillis(5), 0x5001)
            .get(1);
    assertTrue(classCommand.contains("10000000000bit"), classCommand.toString());
  }

  @Test
  void noneAddsNothingAndHandlesAreChecked() {
    assertEquals(
        List.of(), TcCommandBuilder.addCommands(TcTarget.of("v"), NetworkCondition.NONE, 0x5000));
    assertEquals(
        argv("tc -n x qdisc del dev v root"),
        TcCommandBuilder.deleteRootCommand(new TcTarget("x", "v", 0)));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> TcCommandBuilder.handle(0x10000))
            .getMessage()
            .contains("expected: 1..0xfffe"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new TcTarget(null, "eth0; rm -rf /", 0))
            .getMessage()
            .contains("interfaceName"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new TcTarget(null, "v", 70000))
            .getMessage()
            .contains("tcpPort: 70000"));
  }

  @Test
  void missingNetemIsReportedWithTheUserSpaceLinkAsTheWayOut() {
    QdiscSupport noNetem =
        new QdiscSupport(true, Set.of("tbf", "htb"), Set.of("netem"), true, null);
    UnsupportedConditionException e =
        assertThrows(
            UnsupportedConditionException.class,
            () -> noNetem.check(NetworkCondition.parse("delay:50ms"), TcTarget.of("v")));
    assertTrue(e.getMessage().contains("'delay:50ms' needs the tc qdisc 'netem'"), e.getMessage());
    assertTrue(
        e.getMessage().contains("netem is missing from this kernel (qdiscs found: htb, tbf)"),
        e.getMessage());
    assertTrue(e.getMessage().contains("user-space link"), e.getMessage());
    noNetem.check(NetworkCondition.parse("rate:5mbit"), TcTarget.of("v"));
    noNetem.check(NetworkCondition.parse("rate:5mbit"), new TcTarget(null, "v", 9));
    QdiscSupport noU32 =
        new QdiscSupport(true, Set.of("tbf", "htb", "netem"), Set.of(), false, null);
    assertTrue(
        assertThrows(
                UnsupportedConditionException.class,
                () -> noU32.check(NetworkCondition.parse("rate:5mbit"), new TcTarget(null, "v", 9)))
            .getMessage()
            .contains("'u32'"));
    assertEquals(
        Set.of("htb", "netem"),
        QdiscSupport.requiredKinds(NetworkCondition.preset("pi-link"), new TcTarget(null, "v", 9)));
    assertEquals(
        Set.of("tbf", "netem"),
        QdiscSupport.requiredKinds(NetworkCondition.preset("pi-link"), TcTarget.of("v")));
  }
}
