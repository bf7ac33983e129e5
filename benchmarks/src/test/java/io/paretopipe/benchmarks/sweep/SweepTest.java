package io.paretopipe.benchmarks.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SweepTest {

  private static Sweep parse(String... args) {
    Sweep sweep = new Sweep();
    new CommandLine(sweep).parseArgs(args);
    return sweep;
  }

  @Test
  void quickDefaultIsEverySplitOfMobilenetOverNioGrpcAndLocal() {
    List<Sweep.Point> points = parse().plan();
    assertEquals(60, points.size());
    assertEquals(new Sweep.Point("mobilenetv2", "nio", "none", "0"), points.get(0));
    assertEquals(new Sweep.Point("mobilenetv2", "grpc", "none", "0"), points.get(20));
    assertEquals(new Sweep.Point("mobilenetv2", "local", "none", "19"), points.get(59));
  }

  @Test
  void localRunsOnlyWithoutALink() {
    List<Sweep.Point> points =
        parse("--transports", "nio,local", "--links", "none,delay:5ms", "--splits", "3,5:9").plan();
    assertEquals(
        List.of(
            new Sweep.Point("mobilenetv2", "nio", "none", "3"),
            new Sweep.Point("mobilenetv2", "nio", "none", "5:9"),
            new Sweep.Point("mobilenetv2", "nio", "delay:5ms", "3"),
            new Sweep.Point("mobilenetv2", "nio", "delay:5ms", "5:9"),
            new Sweep.Point("mobilenetv2", "local", "none", "3"),
            new Sweep.Point("mobilenetv2", "local", "none", "5:9")),
        points);
    assertEquals("mobilenetv2__nio__delay%3A5ms__split=5%3A9", points.get(3).fileStem());
  }

  @Test
  void badInputIsNamed() {
    IllegalArgumentException split =
        assertThrows(
            IllegalArgumentException.class,
            () -> parse("--models", "resnet18", "--splits", "9").plan());
    assertEquals("split 9 is out of range for resnet18: valid splits are 0..8", split.getMessage());
    IllegalArgumentException transport =
        assertThrows(
            IllegalArgumentException.class, () -> parse("--transports", "smoke-signals").plan());
    assertTrue(
        transport
            .getMessage()
            .startsWith("unknown transport 'smoke-signals': known transports are"),
        transport.getMessage());
    IllegalArgumentException setting =
        assertThrows(IllegalArgumentException.class, () -> SweepSetting.parse("medium"));
    assertEquals(
        "setting 'medium' is unknown: valid settings are quick, full", setting.getMessage());
  }

  @Test
  void resumeKeepsCompleteResultsDropsHalfWrittenOnesAndRefusesAnotherSweep(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path jmh) throws Exception {
    List<Sweep.Point> plan = parse("--transports", "nio", "--splits", "3,5,7").plan();
    String both =
        "[{\"benchmark\":\"x.PartitionBenchmark.latency\",\"primaryMetric\":{\"score\":1.0}},"
            + "{\"benchmark\":\"x.PartitionBenchmark.throughput\",\"primaryMetric\":{\"score\":2.0}}]";
    java.nio.file.Files.writeString(jmh.resolve(Sweep.resultName(0, plan.get(0))), both);
    java.nio.file.Files.writeString(
        jmh.resolve(Sweep.resultName(1, plan.get(1))),
        "[{\"benchmark\":\"x.PartitionBenchmark.latency\",\"primaryMetric\":{\"score\":1.0}}]");
    java.nio.file.Files.writeString(
        jmh.resolve(Sweep.resultName(2, plan.get(2))), "[{\"benchmark\":");
    java.nio.file.Path tmp = jmh.resolve("." + Sweep.resultName(2, plan.get(2)) + ".tmp");
    java.nio.file.Files.writeString(tmp, "[");
    java.nio.file.Files.writeString(jmh.resolve("unit-profile-mobilenetv2.json"), "[]");

    assertEquals(List.of("001-mobilenetv2__nio__none__split=3.json"), Sweep.keptResults(jmh, plan));
    assertTrue(
        java.nio.file.Files.notExists(tmp), "the half-written temporary file is still there");

    List<Sweep.Point> other = parse("--transports", "nio", "--splits", "3,5").plan();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Sweep.keptResults(jmh, other));
    assertTrue(
        e.getMessage()
            .contains("003-mobilenetv2__nio__none__split=7.json is not a point of this sweep"),
        e.getMessage());
  }
}
