package io.paretopipe.harness.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.placement.CpuSet;
import io.paretopipe.harness.placement.Placement;
import io.paretopipe.harness.transport.TransportKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which runs may spin for answers ({@code run --spin-wait}). */
class SpinWaitPolicyTest {
  private static Placement cpus(String list) {
    return Placement.of(CpuSet.parse(list), 1);
  }

  private static SpinWaitPolicy.Decision auto(
      TransportKind transport, int depth, boolean linked, String head, String tail, boolean spawn) {
    return SpinWaitPolicy.AUTO.decide(transport, depth, linked, cpus(head), cpus(tail), spawn);
  }

  @ParameterizedTest(name = "head {0}, tail {1}: {2}")
  @CsvSource({
    "0, 1, true",
    "0, 1-3, true",
    "0-1, 2-3, true",
    "0, 0, false",
    "0-1, 1, false",
    "0, none, false",
    "none, 1, false",
    "none, none, false"
  })
  void spawnedStagesAtDepthOneSpinOnlyOnDisjointPinnedCpus(String head, String tail, boolean spin) {
    SpinWaitPolicy.Decision d = auto(TransportKind.NIO, 1, false, head, tail, true);
    assertEquals(spin, d.spin(), d.reason());
    assertEquals(spin ? "on" : "off", d.value());
  }

  @Test
  void remoteStagesSpinAtDepthOneWhateverTheHeadsPinning() {
    assertTrue(auto(TransportKind.NIO, 1, false, "none", "none", false).spin());
    assertTrue(auto(TransportKind.NIO, 1, false, "0", "none", false).spin());
  }

  @ParameterizedTest(name = "depth {0}")
  @CsvSource({"0", "2", "4"})
  void noSpinWhenTheHeadComputesWhileItWaits(int depth) {
    SpinWaitPolicy.Decision spawned = auto(TransportKind.NIO, depth, false, "0", "1", true);
    SpinWaitPolicy.Decision remote = auto(TransportKind.NIO, depth, false, "0", "none", false);
    assertFalse(spawned.spin(), spawned.reason());
    assertFalse(remote.spin(), remote.reason());
    assertTrue(spawned.reason().contains("the head computes while it waits"), spawned.reason());
  }

  @Test
  void noSpinWithALinkProxyAHeadQuotaOrAnotherTransport() {
    assertFalse(auto(TransportKind.NIO, 1, true, "0", "1", true).spin());
    assertFalse(
        SpinWaitPolicy.AUTO
            .decide(
                TransportKind.NIO,
                1,
                false,
                new Placement(CpuSet.parse("0"), 1, 50),
                cpus("1"),
                true)
            .spin());
    assertFalse(auto(TransportKind.GRPC, 1, false, "0", "1", true).spin());
    assertFalse(auto(TransportKind.LOCAL, 1, false, "0", "1", false).spin());
  }

  @Test
  void onSpinsAnyNioRunAndOffNone() {
    assertTrue(
        SpinWaitPolicy.ON.decide(TransportKind.NIO, 4, true, cpus("0"), cpus("0"), true).spin());
    assertFalse(
        SpinWaitPolicy.ON.decide(TransportKind.GRPC, 1, false, cpus("0"), cpus("1"), true).spin());
    assertFalse(
        SpinWaitPolicy.OFF.decide(TransportKind.NIO, 1, false, cpus("0"), cpus("1"), true).spin());
  }

  @Test
  void parseTakesTheThreeNamesAndNamesThemOtherwise() {
    assertEquals(SpinWaitPolicy.AUTO, SpinWaitPolicy.parse("auto"));
    assertEquals(SpinWaitPolicy.ON, SpinWaitPolicy.parse(" ON "));
    assertEquals(SpinWaitPolicy.OFF, SpinWaitPolicy.parse("off"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SpinWaitPolicy.parse("sometimes"));
    assertEquals("--spin-wait 'sometimes' (expected: auto, on or off)", e.getMessage());
  }
}
