package io.paretopipe.harness.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcCpuTest {

  @Test
  void statLineIsReadFromTheLastParenthesisSoNamesWithSpacesWork() {
    String line =
        "4242 (stage-compute) m) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 9 0 1 2 3";
    ProcCpu.Parsed p = ProcCpu.parseStat(line, Path.of("/proc/4242/stat"));
    assertEquals("stage-compute) m", p.name());
    assertEquals(new ProcCpu.Ticks(1234, 567), p.ticks());
  }

  @Test
  void malformedLineNamesTheFile() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> ProcCpu.parseStat("garbage", Path.of("/proc/1/stat")));
    assertTrue(e.getMessage().startsWith("/proc/1/stat: not a stat line"), e.getMessage());
  }

  @Test
  void cgroupV1AndV2ThrottlingAreInMicroseconds() {
    CgroupCpuStat v2 =
        CgroupCpuStat.parse(
            "usage_usec 5000\nuser_usec 4000\nsystem_usec 1000\nnr_periods 10\nnr_throttled 4\n"
                + "throttled_usec 2500\n",
            "v2");
    CgroupCpuStat v1 =
        CgroupCpuStat.parse("nr_periods 10\nnr_throttled 4\nthrottled_time 2500000\n", "v1");
    assertEquals(2500L, v2.throttledMicros().orElseThrow());
    assertEquals(2500L, v1.throttledMicros().orElseThrow());
    assertTrue(v1.usageMicros().isEmpty(), "v1 cpu.stat has no usage: empty, not 0");
    assertEquals(
        1000L,
        CgroupCpuStat.parse("usage_usec 6000\n", "b")
            .minus(CgroupCpuStat.parse("usage_usec 5000\n", "a"))
            .usageMicros()
            .orElseThrow());
  }
}
