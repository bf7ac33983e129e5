package io.paretopipe.harness.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepTraceTest {

  @Test
  void writesOneLinePerMarkInOrderAndCountsWhatDidNotFit(@TempDir Path dir) throws Exception {
    StepTrace trace = new StepTrace(3);
    trace.record("head.forward.start", 100);
    trace.record("frame.header.read", 250);
    trace.record("head.result.decoded", 900);
    trace.record("late.one", 1000);
    trace.record("late.two", 1100);
    Path file = dir.resolve("steps-1.tsv");
    trace.writeTo(file);
    assertEquals(
        List.of(
            "100\thead.forward.start",
            "250\tframe.header.read",
            "900\thead.result.decoded",
            "#dropped\t2"),
        Files.readAllLines(file));
    assertFalse(
        Files.exists(dir.resolve("steps-1.tsv.tmp")), "the temporary file is renamed into place");
  }

  @Test
  void replacesAnEarlierFileAndWritesNoDroppedLineWhenAllFit(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("steps-2.tsv");
    new StepTrace(1).writeTo(dir.resolve("not/yet/there/steps-3.tsv"));
    assertEquals(List.of(), Files.readAllLines(dir.resolve("not/yet/there/steps-3.tsv")));
    Files.writeString(file, "stale\n");
    StepTrace trace = new StepTrace(4);
    trace.record("stage.compute.start", 7);
    trace.writeTo(file);
    assertEquals(List.of("7\tstage.compute.start"), Files.readAllLines(file));
  }

  @Test
  void isOffWithoutTheEnvironmentVariable() {
    String dir = System.getenv(StepTrace.ENV);
    assertEquals(dir != null && !dir.isBlank(), StepTrace.enabled());
    StepTrace.mark("harmless when off");
  }
}
