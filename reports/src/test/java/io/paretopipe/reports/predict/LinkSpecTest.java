package io.paretopipe.reports.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.format.NetworkCondition;
import org.junit.jupiter.api.Test;

/**
 * A link as the prediction reads it: the label it was given by, the shared grammar's values (the
 * grammar itself is tested in the format module's {@code NetworkConditionTest}), and the wire-time
 * arithmetic.
 */
class LinkSpecTest {

  @Test
  void keepsTheTrimmedLabelAndTheSharedGrammarsValues() {
    LinkSpec link = LinkSpec.parse(" DELAY:1.5ms+Rate:1.5Mbit ");
    assertEquals("DELAY:1.5ms+Rate:1.5Mbit", link.label());
    assertEquals(NetworkCondition.parse("delay:1500us+rate:1500kbit"), link.condition());
    assertEquals(1_500_000L, link.delayNanos());
    assertEquals(1_500_000L, link.rateBitsPerSecond());
    LinkSpec pi = LinkSpec.parse("PI-LINK");
    assertEquals("PI-LINK", pi.label());
    assertEquals(NetworkCondition.preset("pi-link"), pi.condition(), "the paper's pi-link");
  }

  @Test
  void badSpecsGetTheSharedGrammarsError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LinkSpec.parse("rate:5mbps"));
    assertTrue(
        e.getMessage()
            .contains(
                "token 'rate:5mbps' has unknown unit 'mbps'; valid rate units are bps, kbit, mbit, gbit"),
        e.getMessage());
  }

  @Test
  void wireTimesFollowTheRateAndTheBurst() {
    LinkSpec pi = LinkSpec.parse("pi-link");
    assertEquals(
        32_768, pi.effectiveBurstBytes(), "5 Mbit/s: 5 ms is 3125 bytes, below the 32 KiB floor");
    assertEquals(
        625_000,
        LinkSpec.parse("rate:1gbit").effectiveBurstBytes(),
        "1 Gbit/s: 5 ms is 625000 bytes");
    assertEquals(1024, LinkSpec.parse("rate:1gbit+burst:1kb").effectiveBurstBytes());
    assertEquals(0, LinkSpec.parse("none").effectiveBurstBytes());
    assertEquals(
        1600.0, pi.transferMs(1_000_000), 1e-9, "1 MB at 5 Mbit/s = 8e6 bit / 5e6 bit/s = 1.6 s");
    assertEquals((1_000_000 - 32_768) * 8e3 / 5e6, pi.transferAfterIdleMs(1_000_000), 1e-9);
    assertEquals(0.0, pi.transferAfterIdleMs(32_000), "a message within the burst passes at once");
    assertEquals(0.0, LinkSpec.parse("none").transferMs(1 << 30));
    assertEquals(200.0, pi.delayMs());
  }

  @Test
  void labelsAndRates() {
    assertEquals("delay:200ms+rate:5mbit", LinkSpec.of(200_000_000L, 5_000_000L).label());
    assertEquals("rate:1259kbit", LinkSpec.of(0, 1_259_000L).label());
    assertEquals(
        LinkSpec.parse("rate:1259kbit").rateBitsPerSecond(),
        LinkSpec.of(0, 1_259_000L).rateBitsPerSecond(),
        "the label of a sweep link parses back to its rate");
    assertEquals("none", LinkSpec.of(0, 0).label());
    assertEquals("5 Mbit/s", LinkSpec.rateText(5_000_000));
    assertEquals("1.259 Mbit/s", LinkSpec.rateText(1_258_925));
    assertEquals("10 Gbit/s", LinkSpec.rateText(10_000_000_000L));
    assertEquals("unlimited", LinkSpec.rateText(0));
  }
}
