package io.paretopipe.reports.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The link grammar and presets: the same values as netem's NetworkCondition, and the wire-time
 * arithmetic.
 */
class LinkSpecTest {
  private static final Path NETEM_SOURCE =
      Path.of("../netem/src/main/java/io/paretopipe/netem/NetworkCondition.java");

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "none                                  | 0         | 0        | 0   | 0          | 0",
        "delay:20ms+rate:50mbit                | 20000000  | 0        | 0   | 50000000   | 0",
        "DELAY:1.5ms+Rate:1.5Mbit              | 1500000   | 0        | 0   | 1500000    | 0",
        "delay:200ms+jitter:5ms+loss:0.5%      | 200000000 | 5000000  | 0.5 | 0          | 0",
        "rate:10gbit+burst:64kb                | 0         | 0        | 0   | 10000000000 | 65536",
        "rate:100kbit+burst:2mb+delay:1s       | 1000000000 | 0       | 0   | 100000     | 2097152",
        "delay:250us+rate:999bps+burst:100b    | 250000    | 0        | 0   | 999        | 100",
        "delay:7ns                             | 7         | 0        | 0   | 0          | 0",
      })
  void parsesTheSpecGrammar(
      String spec, long delayNanos, long jitterNanos, double loss, long rate, long burst) {
    LinkSpec link = LinkSpec.parse(spec);
    assertEquals(spec.trim(), link.label());
    assertEquals(delayNanos, link.delayNanos());
    assertEquals(jitterNanos, link.jitterNanos());
    assertEquals(loss, link.lossPercent());
    assertEquals(rate, link.rateBitsPerSecond());
    assertEquals(burst, link.burstBytes());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''                      | link spec is empty: valid forms are 'none', a preset (none, lan, wifi, 4g, 3g, pi-link)",
        "fast                    | unknown link spec 'fast': valid forms are",
        "delay:10                | token 'delay:10' has no unit; valid time units are ns, us, ms, s",
        "rate:5mbps              | token 'rate:5mbps' has unknown unit 'mbps'; valid rate units are bps, kbit, mbit, gbit",
        "speed:5mbit             | token 'speed:5mbit' has unknown key 'speed'; valid keys are delay, jitter, loss, rate, burst",
        "delay:1ms+delay:2ms     | key 'delay' appears twice",
        "delay:0.5ns             | is finer than 1 ns",
        "loss:2                  | needs a percentage such as loss:0.5%",
        "loss:101%               | is above 100%",
        "delay:ms                | needs a non-negative number before the unit",
        "delay:1ms++rate:1mbit   | token '' is not key:value",
      })
  void rejectsBadSpecsNamingTheToken(String spec, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LinkSpec.parse(spec));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void presetsHaveTheValuesOfNetemsNetworkCondition() throws IOException {
    Assumptions.assumeTrue(
        Files.isRegularFile(NETEM_SOURCE),
        "netem's source "
            + NETEM_SOURCE.toAbsolutePath()
            + " is not here (reports built outside the repository): the preset cross-check needs the full checkout");
    String source = Files.readString(NETEM_SOURCE);
    Matcher m =
        Pattern.compile(
                "map\\.put\\(\\s*\"([^\"]+)\",\\s*(NONE|new NetworkCondition\\(([^;]*)\\))\\);")
            .matcher(source);
    Map<String, long[]> netem = new LinkedHashMap<>();
    while (m.find()) {
      if (m.group(2).equals("NONE")) {
        netem.put(m.group(1), new long[5]);
        continue;
      }
      String[] args = m.group(3).split(",");
      assertEquals(
          5, args.length, "NetworkCondition(delay, jitter, loss, rate, burst) in " + m.group());
      long[] values = new long[5];
      for (int i = 0; i < 5; i++) {
        values[i] = evaluate(args[i]);
      }
      netem.put(m.group(1), values);
    }
    assertEquals(
        List.copyOf(netem.keySet()), LinkSpec.presetNames(), "the same presets in the same order");
    for (Map.Entry<String, long[]> e : netem.entrySet()) {
      LinkSpec link = LinkSpec.parse(e.getKey());
      long[] v = e.getValue();
      String name = "preset " + e.getKey();
      assertEquals(v[0], link.delayNanos(), name + " delay");
      assertEquals(v[1], link.jitterNanos(), name + " jitter");
      assertEquals(v[2], (long) link.lossPercent(), name + " loss");
      assertEquals(v[3], link.rateBitsPerSecond(), name + " rate");
      assertEquals(v[4], link.burstBytes(), name + " burst");
    }
    assertEquals(
        200_000_000L, LinkSpec.parse("pi-link").delayNanos(), "the paper's pi-link: 200 ms");
    assertEquals(
        5_000_000L, LinkSpec.parse("PI-LINK").rateBitsPerSecond(), "the paper's pi-link: 5 Mbit/s");
    assertTrue(
        source.contains("Math.max(32 * 1024L, fiveMillisBytes)")
            && source.contains("rateBitsPerSecond / 8 / 200"),
        "netem's default burst rule is still max(32 KiB, 5 ms at the rate), as effectiveBurstBytes() assumes");
  }

  /** Evaluates {@code 5 * NANOS_PER_MILLI}, {@code 200_000L}, {@code 0}. */
  private static long evaluate(String expression) {
    long product = 1;
    for (String factor : expression.split("\\*")) {
      String f = factor.trim().replace("_", "");
      if (f.equals("NANOSPERMILLI")) {
        product *= 1_000_000L;
      } else {
        product *= Long.parseLong(f.endsWith("L") ? f.substring(0, f.length() - 1) : f);
      }
    }
    return product;
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
