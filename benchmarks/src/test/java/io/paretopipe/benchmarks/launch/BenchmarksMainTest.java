package io.paretopipe.benchmarks.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BenchmarksMainTest {

  private static final String PARTITION = "io.paretopipe.benchmarks.PartitionBenchmark";

  @Test
  void splitAloneSelectsOnlyThePartitionBenchmark() {
    List<String> args = BenchmarksMain.effectiveArgs("-p", "split=3", "-f", "1");
    assertEquals(5, args.size());
    Pattern selected = Pattern.compile(args.get(4));
    assertTrue(selected.matcher(PARTITION + ".latency").find());
    assertTrue(selected.matcher(PARTITION + ".throughput").find());
    assertFalse(
        selected.matcher("io.paretopipe.benchmarks.UnitProfileBenchmark.unitForward").find());
    assertFalse(selected.matcher("io.paretopipe.benchmarks.TransportBenchmark.roundTrip").find());
    assertFalse(selected.matcher("io.paretopipe.benchmarks.ModelForwardBenchmark.forward").find());
  }

  @Test
  void anExplicitRegexpOrNoParamLeavesTheArgumentsAlone() {
    assertEquals(
        List.of("UnitProfile", "-p", "model=mobilenetv2"),
        BenchmarksMain.effectiveArgs("UnitProfile", "-p", "model=mobilenetv2"));
    assertEquals(List.of("-l"), BenchmarksMain.effectiveArgs("-l"));
  }

  @Test
  void splitOutOfRangeFailsBeforeJmhStarts() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BenchmarksMain.effectiveArgs("-p", "model=resnet18", "-p", "split=0,4,19"));
    assertEquals("split 19 is out of range for resnet18: valid splits are 0..8", e.getMessage());
    BenchmarksMain.effectiveArgs("-p", "model=resnet18", "-p", "split=0,4,8");
  }
}
