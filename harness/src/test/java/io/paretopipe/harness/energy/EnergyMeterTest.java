package io.paretopipe.harness.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.harness.metrics.CpuReport;
import io.paretopipe.harness.metrics.CpuSubject;
import io.paretopipe.harness.metrics.StageCpu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The energy tiers on fakes of what a host offers, and the {@code unavailable} label. */
class EnergyMeterTest {

  private static final CpuReport NO_CPU =
      new CpuReport(
          List.of(new StageCpu(CpuSubject.process("head", 1, null), 1.0, 0.0, 0, null)),
          1,
          1.0,
          1.0,
          100);

  private static Path zone(Path root, String id, String name, long energy, long max)
      throws Exception {
    Path d = Files.createDirectories(root.resolve(id));
    Files.writeString(d.resolve("name"), name + "\n");
    Files.writeString(d.resolve("energy_uj"), energy + "\n");
    Files.writeString(d.resolve("max_energy_range_uj"), max + "\n");
    return d;
  }

  @Test
  void raplSumsPackagesNamesDomainsAndHandlesTheWrapAround(@TempDir Path root) throws Exception {
    long max = 262_143_328_850L;
    Path pkg = zone(root, "intel-rapl:0", "package-0", max - 1_000_000, max);
    Path dram = zone(root, "intel-rapl:0:0", "dram", 5_000_000, 65_712_999_613L);
    Path psys = zone(root, "intel-rapl:1", "psys", 10_000_000, max);
    RaplEnergyMeter meter = new RaplEnergyMeter(root);
    assertEquals(Optional.empty(), meter.unavailableReason());
    EnergyMeter.Window w = meter.start();
    Files.writeString(pkg.resolve("energy_uj"), "2500000\n"); // wrapped: 1 J before, 2.5 J after
    Files.writeString(dram.resolve("energy_uj"), "5750000\n");
    Files.writeString(psys.resolve("energy_uj"), "19000000\n");
    EnergyReading r = w.stop(NO_CPU);
    assertEquals(EnergyLabel.MEASURED, r.label());
    assertEquals(3.5, r.joules(), 1e-9, "package only: psys contains it, dram is part of it");
    assertEquals(3.5, r.parts().get("package-0"), 1e-9);
    assertEquals(0.75, r.parts().get("package-0/dram"), 1e-9);
    assertEquals(9.0, r.parts().get("psys"), 1e-9);
    assertEquals(3_500_000, RaplEnergyMeter.delta(max - 1_000_000, 2_500_000, max));
  }

  @Test
  void raplWithoutPowercapIsUnavailableWithTheReason(@TempDir Path root) throws Exception {
    EnergyMeter m =
        EnergyMeters.select(
                "rapl", new EnergyMeters.Stages(List.of(), List.of()), root.resolve("none"))
            .orElseThrow();
    EnergyReading r = m.start().stop(NO_CPU);
    assertEquals(EnergyLabel.UNAVAILABLE, r.label());
    assertNull(r.joules());
    assertTrue(r.reason().contains("no powercap"), r.reason());
  }

  @Test
  void raplOnThisHostIsUsedWhereTheHostAllows() throws Exception {
    RaplEnergyMeter host = RaplEnergyMeter.system();
    Optional<String> reason = host.unavailableReason();
    assumeTrue(
        reason.isEmpty(), "skipped: RAPL is not available on this host: " + reason.orElse(""));
    EnergyReading r = host.start().stop(NO_CPU);
    assertEquals(EnergyLabel.MEASURED, r.label());
    assertTrue(r.joules() >= 0);
  }

  @Test
  void autoWithNoTierIsLabelledUnavailableNeverZero(@TempDir Path root) throws Exception {
    Optional<EnergyMeter> m =
        EnergyMeters.select(
            "auto",
            new EnergyMeters.Stages(Arrays.asList(null, null), Arrays.asList(null, null)),
            root.resolve("no-powercap"));
    assumeTrue(
        new PerfEnergyMeter().unavailableReason().isPresent(),
        "skipped: perf energy events work on this host, so auto does not fall through");
    EnergyReading r = m.orElseThrow().start().stop(NO_CPU);
    assertEquals(EnergyLabel.UNAVAILABLE, r.label());
    assertTrue(r.reason().contains("rapl: ") && r.reason().contains("perf: "), r.reason());
    assertTrue(r.reason().contains("model: head has no device power profile"), r.reason());
    ObjectNode json = new ObjectMapper().createObjectNode();
    r.writeTo(json, 8);
    assertEquals("unavailable", json.get("energy").get("label").asText());
    assertTrue(json.get("energy").get("j_per_image").isNull(), json.toString());
    assertThrows(
        IllegalArgumentException.class,
        () -> new EnergyReading(EnergyLabel.UNAVAILABLE, "x", 0.0, java.util.Map.of(), null, "r"));
  }

  @Test
  void csvIntegratesWattsOverTheRunWindowAndRefusesAWindowItDoesNotCover(@TempDir Path dir)
      throws Exception {
    Path csv = dir.resolve("meter.csv");
    Files.writeString(
        csv, "time,watts\n100.0,2.0\n101.0,4.0\n102.0,4.0\n2026-12-05T00:00:00Z,1.0\n");
    CsvPowerMeter m = new CsvPowerMeter(csv, 0);
    EnergyReading r =
        m.integrate(Instant.ofEpochSecond(100, 500_000_000), Instant.ofEpochSecond(102));
    // 100.5..101: (3 + 4) / 2 * 0.5 = 1.75; 101..102: 4 = 5.75 J
    assertEquals(EnergyLabel.IMPORTED, r.label());
    assertEquals(5.75, r.joules(), 1e-9);
    EnergyReading shifted =
        new CsvPowerMeter(csv, 10)
            .integrate(Instant.ofEpochSecond(110), Instant.ofEpochSecond(111));
    assertEquals(3.0, shifted.joules(), 1e-9);
    EnergyReading outside = m.integrate(Instant.ofEpochSecond(50), Instant.ofEpochSecond(60));
    assertEquals(EnergyLabel.UNAVAILABLE, outside.label());
    assertTrue(outside.reason().contains("samples cover 100.000.."), outside.reason());
  }

  @Test
  void modelIsCpuTimeTimesPublishedWattsScaledByTheQuota() {
    DevicePower pi4 = DevicePower.forDevice("pi4-tail");
    assertEquals(1.0775, pi4.activeWattsPerCore(), 1e-9);
    ModelEnergyMeter m = new ModelEnergyMeter(List.of(pi4, pi4), List.of(1.0, 4.0));
    CpuReport cpu =
        new CpuReport(
            List.of(
                new StageCpu(CpuSubject.process("head", 1, null), 100.0, 0.0, 0, null),
                new StageCpu(CpuSubject.process("stage1", 2, null), 300.0, 100.0, 0, null)),
            10,
            2.0,
            500.0,
            100);
    EnergyReading r = m.start().stop(cpu);
    assertEquals(EnergyLabel.ESTIMATED, r.label());
    assertEquals(2.1 * 2 + 1.0775 * 0.1, r.parts().get("head"), 1e-9);
    assertEquals(2.1 * 2 + 1.0775 * 0.4 * 4, r.parts().get("stage1"), 1e-9);
    assertTrue(r.source().contains("The MagPi 88"), r.source());
    assertThrows(IllegalArgumentException.class, () -> DevicePower.forDevice("pi9"));
  }
}
