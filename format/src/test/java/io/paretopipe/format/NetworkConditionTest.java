package io.paretopipe.format;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkConditionTest {

  @Test
  void presetsHaveTheDocumentedValues() {
    NetworkCondition pi = NetworkCondition.parse("pi-link");
    assertAll(
        () -> assertEquals(200_000_000L, pi.delayNanos()),
        () -> assertEquals(200, pi.delayMillis()),
        () -> assertEquals(5_000_000L, pi.rateBitsPerSecond()),
        () -> assertEquals(0, pi.lossPercent()),
        () -> assertEquals("delay:200ms+rate:5mbit", pi.toSpec()),
        () -> assertEquals("delay:200us+rate:1gbit", NetworkCondition.preset("lan").toSpec()),
        () ->
            assertEquals(
                "delay:5ms+jitter:2ms+rate:50mbit", NetworkCondition.preset("wifi").toSpec()),
        () ->
            assertEquals(
                "delay:30ms+jitter:5ms+rate:20mbit", NetworkCondition.preset("4g").toSpec()),
        () ->
            assertEquals(
                "delay:100ms+jitter:20ms+rate:2mbit", NetworkCondition.preset("3G").toSpec()),
        () -> assertSame(NetworkCondition.NONE, NetworkCondition.parse(" None ")),
        () -> assertEquals("none", NetworkCondition.NONE.toSpec()),
        () ->
            assertEquals(
                java.util.List.of("none", "lan", "wifi", "4g", "3g", "pi-link"),
                NetworkCondition.presetNames()));
  }

  @Test
  void parsesEveryKeyAndUnit() {
    NetworkCondition c =
        NetworkCondition.parse("delay:20ms+jitter:500us+loss:0.5%+rate:50mbit+burst:32kb");
    assertEquals(new NetworkCondition(20_000_000L, 500_000L, 0.5, 50_000_000L, 32 * 1024L), c);
    assertEquals(1_500_000_000L, NetworkCondition.parse("delay:1.5s").delayNanos());
    assertEquals(250L, NetworkCondition.parse("delay:250ns").delayNanos());
    assertEquals(2_500L, NetworkCondition.parse("rate:2.5kbit").rateBitsPerSecond());
    assertEquals(1_000_000_000L, NetworkCondition.parse("rate:1gbit").rateBitsPerSecond());
    assertEquals(9_600L, NetworkCondition.parse("rate:9600bps").rateBitsPerSecond());
    assertEquals(3L << 20, NetworkCondition.parse("rate:1mbit+burst:3mb").burstBytes());
    assertEquals(1500L, NetworkCondition.parse("rate:1mbit+burst:1500b").burstBytes());
    // order of terms and case do not matter
    assertEquals(
        NetworkCondition.parse("delay:20ms+rate:50mbit"),
        NetworkCondition.parse("RATE:50Mbit+Delay:20ms"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "delay:20ms+rate:50mbit",
        "delay:1s",
        "delay:1500us",
        "delay:7ns+jitter:3ns",
        "loss:0.25%",
        "loss:100%",
        "rate:123456bps",
        "rate:1500kbit+burst:1500b",
        "delay:1ms+jitter:1ms+loss:2%",
        "rate:10gbit+burst:2mb"
      })
  void toSpecRoundTrips(String spec) {
    NetworkCondition parsed = NetworkCondition.parse(spec);
    assertEquals(spec, parsed.toSpec());
    assertEquals(parsed, NetworkCondition.parse(parsed.toSpec()));
    assertEquals(parsed.hashCode(), NetworkCondition.parse(parsed.toSpec()).hashCode());
  }

  @Test
  void randomConditionsRoundTrip() {
    Random random = new Random(42);
    for (int i = 0; i < 2000; i++) {
      long delay =
          random.nextBoolean()
              ? 0
              : 1 + random.nextInt(5_000_000) * (long) (1 + random.nextInt(1000));
      long jitter = delay == 0 || random.nextBoolean() ? 0 : 1 + random.nextInt(1_000_000);
      double loss = random.nextBoolean() ? 0 : random.nextInt(10_001) / 100.0;
      long rate =
          random.nextBoolean()
              ? 0
              : 1 + (long) random.nextInt(Integer.MAX_VALUE) * (1 + random.nextInt(4));
      long burst = rate == 0 || random.nextBoolean() ? 0 : 1 + random.nextInt(10 << 20);
      NetworkCondition c = new NetworkCondition(delay, jitter, loss, rate, burst);
      assertEquals(c, NetworkCondition.parse(c.toSpec()), c.toSpec());
    }
  }

  @Test
  void equalityIsByValue() {
    NetworkCondition a = NetworkCondition.ofDelayMillis(50);
    assertEquals(a, NetworkCondition.parse("delay:50ms"));
    assertEquals(a, NetworkCondition.parse("delay:50000us"));
    assertNotEquals(a, new NetworkCondition(50_000_000L, 1, 0, 0, 0));
    assertNotEquals(
        NetworkCondition.parse("rate:1mbit"), NetworkCondition.parse("rate:1mbit+burst:32kb"));
    assertTrue(NetworkCondition.parse("loss:1%").needsNetem());
    assertTrue(!NetworkCondition.parse("rate:1mbit").needsNetem());
  }

  @Test
  void effectiveBurstDefaultsToFiveMillisecondsAtLeast32KiB() {
    assertEquals(32 * 1024, NetworkCondition.parse("rate:50mbit").effectiveBurstBytes());
    assertEquals(625_000, NetworkCondition.parse("rate:1gbit").effectiveBurstBytes());
    assertEquals(1500, NetworkCondition.parse("rate:1gbit+burst:1500b").effectiveBurstBytes());
    assertEquals(0, NetworkCondition.NONE.effectiveBurstBytes());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "delay:20xs+rate:50mbit | token 'delay:20xs' has unknown unit 'xs'; valid time units are ns, us, ms, s",
        "delay:20         | token 'delay:20' has no unit; valid time units are ns, us, ms, s",
        "rate:50mb        | token 'rate:50mb' has unknown unit 'mb'; valid rate units are bps, kbit, mbit, gbit",
        "rate:1mbit+burst:32kbit | token 'burst:32kbit' has unknown unit 'kbit'; valid size units are b, kb, mb",
        "latency:20ms     | token 'latency:20ms' has unknown key 'latency'; valid keys are delay, jitter, loss, rate, burst",
        "delay:20ms+delay:30ms | key 'delay' appears twice",
        "delay:20ms,rate:50mbit | commas are not allowed",
        "loss:1           | token 'loss:1' needs a percent sign",
        "loss:101%        | token 'loss:101%' is above 100%",
        "jitter:5ms       | needs a delay",
        "burst:32kb       | needs a rate",
        "delay:ms         | token 'delay:ms' needs a non-negative number",
        "delay:-5ms       | token 'delay:-5ms' needs a non-negative number",
        "delay:1.5ns      | token 'delay:1.5ns' is finer than 1 ns",
        "delay:20ms+      | token '' is not key:value",
        "fast             | unknown link spec 'fast': valid forms are 'none', a preset (none, lan, wifi, 4g, 3g, pi-link)",
        "delay:1.2.3ms    | has a malformed number '1.2.3'"
      })
  void badSpecsNameTheTokenAndWhatIsValid(String spec, String expectedFragment) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NetworkCondition.parse(spec));
    assertTrue(e.getMessage().contains(expectedFragment), e.getMessage());
    assertTrue(e.getMessage().contains(spec) || spec.isBlank(), e.getMessage());
  }

  @Test
  void emptyAndNullSpecsListTheValidForms() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> NetworkCondition.parse(" "))
            .getMessage()
            .contains("e.g. delay:20ms+rate:50mbit"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> NetworkCondition.parse(null))
            .getMessage()
            .contains("valid forms"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> NetworkCondition.preset("5g"))
            .getMessage()
            .contains(
                "unknown network preset '5g': valid presets are none, lan, wifi, 4g, 3g, pi-link"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new NetworkCondition(-1, 0, 0, 0, 0))
            .getMessage()
            .contains("delayNanos: -1 (expected: >= 0)"));
  }
}
