package io.paretopipe.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HlogFileNameTest {

  @Test
  void namesFollowTheReportsContract() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("transport", "nio");
    params.put("split", "3:9");
    params.put("model", "mobilenetv2");
    params.put("link", "delay:20ms+rate:50mbit");
    params.put("tail", "spawn");
    params.put("depth", "4");
    params.put("batch", "8");
    assertEquals(
        "PartitionBenchmark.latency__batch=8__depth=4__link=delay%3A20ms%2Brate%3A50mbit"
            + "__model=mobilenetv2__split=3%3A9__tail=spawn__transport=nio.hlog",
        HlogFileName.ofBenchmark("io.paretopipe.benchmarks.PartitionBenchmark.latency", params));
  }

  @Test
  void encodesKeysAndAddressValues() {
    assertEquals(
        "PartitionBenchmark.throughput__tail=127.0.0.1%3A4000%2F10.0.0.2%3A4000.hlog",
        HlogFileName.ofBenchmark(
            "x.PartitionBenchmark.throughput", Map.of("tail", "127.0.0.1:4000/10.0.0.2:4000")));
  }

  @Test
  void rejectsANameWithoutMethod() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> HlogFileName.ofBenchmark("latency", Map.of()));
    assertEquals("benchmark 'latency' is not CLASS.METHOD", e.getMessage());
  }
}
