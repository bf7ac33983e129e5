package io.paretopipe.reports.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.fixtures.CliRunner;
import io.paretopipe.reports.fixtures.RunFolderGenerator;
import io.paretopipe.reports.model.CostFigure;
import io.paretopipe.reports.model.Point;
import io.paretopipe.reports.model.PointCosts;
import io.paretopipe.reports.model.SampleUnit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPU time and energy per image from the hlog comments of a sweep (issue 20): one unit per pass,
 * paired with the latency's, intervals over the passes, {@code unavailable} never 0, and the report
 * files with three objectives.
 */
class CostReadingTest {

  @TempDir Path dir;

  private Path run(String energy) throws IOException {
    return run(energy, false);
  }

  private Path run(String energy, boolean profiled) throws IOException {
    Path run = dir.resolve("run-" + energy + (profiled ? "-profiled" : ""));
    new RunFolderGenerator(20)
        .optUnitProfiles(profiled)
        .optLinks("none", "delay:10ms+rate:50mbit")
        .optForksIterations(1, 1)
        .optPasses(4, 0.05, 0.03)
        .optCosts(energy)
        .write(run);
    return run;
  }

  @Test
  void everyPassIsOneUnitPairedWithTheLatencysPassAndTheFigureIsTheirPooledMean() throws Exception {
    List<Point> points = new RunLoader().load(List.of(run("estimated"))).points();
    assertFalse(points.isEmpty());
    for (Point p : points) {
      PointCosts c = p.costs();
      assertEquals("throughput", c.method());
      assertEquals("estimated", c.energyLabel());
      assertEquals(List.of("head", "stage1", "total"), List.copyOf(c.cpuMsPerImage().keySet()));
      for (CostFigure f : List.of(c.cpuTotal(), c.energyJPerImage())) {
        List<SampleUnit> units = f.samples().units();
        assertEquals(4, units.size(), p.label());
        double pooled =
            units.stream().mapToDouble(u -> u.mean() * u.weight()).sum()
                / units.stream().mapToDouble(SampleUnit::weight).sum();
        assertEquals(pooled, f.value(), 1e-12 * pooled);
        assertTrue(f.interval().known(), p.label() + ": 4 passes give an interval");
        assertTrue(f.interval().low() < f.value() && f.value() < f.interval().high());
      }
      Set<String> costSources =
          c.cpuTotal().samples().units().stream()
              .map(SampleUnit::source)
              .collect(Collectors.toSet());
      Set<String> throughputSources =
          p.samples().throughput().units().stream()
              .map(SampleUnit::source)
              .collect(Collectors.toSet());
      assertEquals(throughputSources, costSources, "units named as the JMH passes are");
      assertEquals(c.cpu("head").value() + c.cpu("stage1").value(), c.cpuTotal().value(), 1e-4);
      assertEquals(c.energyHead().value() + c.energyTailValue(), c.energyJPerImage().value(), 1e-4);
      assertEquals("estimated", c.energyLinkLabel());
      assertEquals(
          RunFolderGenerator.LINK_J_PER_IMAGE, c.energyLinkJPerImage().value(), 1e-12, p.label());
      assertEquals(4, c.energyLinkJPerImage().samples().units().size());
      assertEquals("", c.energyLinkNote());
    }
  }

  @Test
  void unavailableEnergyIsLabelledEmptyNeverZeroAndKeepsThePointOffTheFrontier() throws Exception {
    Path out = dir.resolve("out");
    CliRunner.Outcome o =
        CliRunner.run(
            "pareto",
            run("unavailable").toString(),
            "--out",
            out.toString(),
            "--objectives",
            "latency,throughput,energy");
    assertEquals(0, o.code(), o.err());
    List<String> lines = Files.readAllLines(out.resolve("points.csv"), StandardCharsets.UTF_8);
    List<String> header = Arrays.asList(lines.get(0).split(","));
    int label = header.indexOf("energy_label");
    int joules = header.indexOf("energy_j_per_image");
    int cls = header.indexOf("frontier_class");
    int cpu = header.indexOf("cpu_ms_per_image");
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      assertEquals("unavailable", cells[label], line);
      assertEquals("", cells[joules], line);
      assertEquals("unavailable", cells[header.indexOf("energy_link_label")], line);
      assertEquals("", cells[header.indexOf("energy_link_j_per_image")], line);
      assertEquals("head has no device profile", cells[header.indexOf("energy_link_note")], line);
      assertEquals("", cells[cls], line);
      assertTrue(Double.parseDouble(cells[cpu]) > 0, line);
    }
    String md = Files.readString(out.resolve("summary.md"));
    assertTrue(md.contains("### CPU time and energy per image"), md);
    assertTrue(
        md.contains("unknown energy_j_per_image: not part of the frontier")
            || md.contains("| unavailable |"),
        md);
    assertFalse(md.contains("| 0.0000 |"), md);
  }

  @Test
  void threeObjectivesWriteTheFrontierTableTheProjectionsAndTheAppendedColumns() throws Exception {
    Path out = dir.resolve("out3");
    CliRunner.Outcome o =
        CliRunner.run(
            "pareto",
            run("estimated").toString(),
            "--out",
            out.toString(),
            "--objectives",
            "latency,throughput,energy");
    assertEquals(0, o.code(), o.err());
    String md = Files.readString(out.resolve("summary.md"));
    assertTrue(md.contains("### Frontier on 3 objectives"), md);
    assertTrue(md.contains("energy_j_per_image ± 95% (lower is better)"), md);
    for (String chart : List.of("latency-throughput", "latency-energy", "throughput-energy")) {
      assertTrue(Files.size(out.resolve("charts/g01-proj-" + chart + ".png")) > 1000, chart);
    }
    String html = Files.readString(out.resolve("index.html"));
    assertTrue(html.contains("Frontier projections (pairs of objectives)"));
    String header = Files.readAllLines(out.resolve("points.csv")).get(0);
    assertTrue(
        header.endsWith(
            ",frontier_note,cpu_ms_per_image,cpu_ms_per_image_ci95_low,cpu_ms_per_image_ci95_high,"
                + "cpu_head_ms_per_image,cpu_tail_ms_per_image,cpu_passes,cpu_images,"
                + "energy_j_per_image,energy_j_per_image_ci95_low,energy_j_per_image_ci95_high,"
                + "energy_label,energy_head_j_per_image,energy_tail_j_per_image,energy_passes,"
                + "energy_images,energy_note,predicted_cpu_ms_per_image,predicted_cpu_error_pct,"
                + "predicted_energy_j_per_image,predicted_energy_error_pct,"
                + "energy_link_j_per_image,energy_link_label,energy_link_note"),
        header);
    List<String> rows = Files.readAllLines(out.resolve("points.csv"));
    List<String> columns = Arrays.asList(header.split(","));
    for (String line : rows.subList(1, rows.size())) {
      String[] cells = line.split(",", -1);
      assertEquals(
          RunFolderGenerator.LINK_J_PER_IMAGE,
          Double.parseDouble(cells[columns.indexOf("energy_link_j_per_image")]),
          1e-12,
          line);
      assertEquals("estimated", cells[columns.indexOf("energy_link_label")], line);
    }
    assertTrue(md.contains("| 0.003867 |"), "the link's energy by stage: " + md);
  }

  @Test
  void cpuAndEnergyArePredictedOutOfSampleAndTheAgreementIsReported() throws Exception {
    Path run = run("estimated", true);
    Path out = dir.resolve("out-predicted");
    CliRunner.Outcome o =
        CliRunner.run("pareto", run.toString(), "--out", out.toString(), "--formats", "csv,md");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("predicted CPU time and energy: median absolute error "), o.out());
    String md = Files.readString(out.resolve("summary.md"));
    assertTrue(md.contains("### CPU time and energy: predicted vs measured"), md);
    List<String> lines = Files.readAllLines(out.resolve("points.csv"));
    List<String> header = Arrays.asList(lines.get(0).split(","));
    int predicted = header.indexOf("predicted_cpu_ms_per_image");
    int error = header.indexOf("predicted_cpu_error_pct");
    int energy = header.indexOf("predicted_energy_j_per_image");
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      assertTrue(Double.parseDouble(cells[predicted]) > 0, line);
      assertTrue(Math.abs(Double.parseDouble(cells[error])) < 100, line);
      assertTrue(Double.parseDouble(cells[energy]) > 0, line);
    }

    Path predictOut = dir.resolve("out-predict");
    CliRunner.Outcome p =
        CliRunner.run(
            "predict",
            run.resolve("jmh/unit-profile.json").toString(),
            "--head-threads",
            "1",
            "--tail-threads",
            "2",
            "--link",
            "pi-link",
            "--calibrate",
            run.toString(),
            "--out",
            predictOut.toString());
    assertEquals(0, p.code(), p.err());
    List<String> costs = Files.readAllLines(predictOut.resolve("costs.csv"));
    assertEquals(
        "link,split,predicted_latency_ms,predicted_throughput_img_s,predicted_cpu_ms_per_image,"
            + "predicted_energy_j_per_image,energy_label",
        costs.get(0));
    assertEquals(RunFolderGenerator.UNITS + 2, costs.size(), "every split 0..n of tinynet");
    for (String line : costs.subList(1, costs.size())) {
      String[] cells = line.split(",", -1);
      assertEquals("pi-link", cells[0]);
      assertTrue(Double.parseDouble(cells[4]) > 0, line);
      assertTrue(Double.parseDouble(cells[5]) > 0, line);
      assertEquals("estimated", cells[6]);
    }
    assertTrue(
        Files.readString(predictOut.resolve("costs.md"))
            .contains("## CPU time and energy per image (predicted)"));
  }
}
