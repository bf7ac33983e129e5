package io.paretopipe.reports.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.fixtures.CliRunner;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history database's contract, run against every database it supports (one subclass each):
 * adding is complete and idempotent, a corrupt run changes nothing, a {@code kill -9} during an add
 * leaves the database as it was, and {@code check} finds a real step and names the point.
 */
abstract class HistoryDatabaseContractTest {
  static final Path REAL_RUN = Path.of("src/test/resources/fixtures/real-run-mobilenetv2");

  @TempDir Path tmp;

  String url;

  /** A new, empty database for one test. */
  abstract String newDatabase() throws Exception;

  /** Drops what {@link #newDatabase()} made. */
  void dropDatabase() throws Exception {}

  @BeforeEach
  void open() throws Exception {
    url = newDatabase();
  }

  @AfterEach
  void drop() throws Exception {
    dropDatabase();
  }

  Map<String, Long> counts() throws Exception {
    try (HistoryDatabase db = HistoryDatabase.open(url, false)) {
      return db.counts();
    }
  }

  @Test
  void aRealRunIsStoredWithEveryPointFigureAndItsHost() throws Exception {
    CliRunner.Outcome add = CliRunner.run("history", "add", REAL_RUN.toString(), "--db", url);
    assertEquals(0, add.code(), add.err());
    assertTrue(add.out().contains("added " + REAL_RUN + ": 40 points"), add.out());
    Map<String, Long> counts = counts();
    assertEquals(1, counts.get("runs"));
    assertEquals(40, counts.get("points"));
    assertEquals(1, counts.get("hosts"));
    try (HistoryDatabase db = HistoryDatabase.open(url, false)) {
      assertEquals(HistorySchema.VERSION, db.schemaVersion());
      List<HistoryDatabase.FigureRow> rows = db.figures(List.of("latency_mean_ms"));
      assertEquals(40, rows.size());
      HistoryDatabase.FigureRow first = rows.get(0);
      // one measurement iteration per point: one unit, so no interval, and no point can be
      // frontier or dominated beyond doubt (as pareto says of the same run)
      assertEquals(1, first.units(), first.toString());
      assertTrue(first.samples() > 0, first.toString());
      assertTrue(Double.isNaN(first.ciLow()) && Double.isNaN(first.ciHigh()), first.toString());
      assertFalse(first.identity().contains("tail="), first.identity());
      assertTrue(rows.stream().allMatch(r -> "possible".equals(r.frontierClass())));
      assertEquals(1, db.runs().size());
      assertTrue(db.hosts().values().iterator().next().contains("AMD EPYC x2"));
    }
  }

  @Test
  void aMultiPassRunStoresThePooledIntervalsUnitsAndBootstrapClasses() throws Exception {
    Path multiPass = Path.of("src/test/resources/fixtures/multi-pass-run");
    CliRunner.Outcome add = CliRunner.run("history", "add", multiPass.toString(), "--db", url);
    assertEquals(0, add.code(), add.err());
    io.paretopipe.reports.model.Run run =
        new io.paretopipe.reports.run.RunLoader().load(List.of(multiPass));
    try (HistoryDatabase db = HistoryDatabase.open(url, false)) {
      List<HistoryDatabase.FigureRow> rows = db.figures(List.of("latency_mean_ms"));
      assertEquals(run.points().size(), rows.size());
      for (io.paretopipe.reports.model.Point p : run.points()) {
        HistoryDatabase.FigureRow row =
            rows.stream()
                .filter(r -> r.identity().contains("split=" + p.split() + " "))
                .filter(r -> r.identity().contains("transport=" + p.group().transport()))
                .findFirst()
                .orElseThrow();
        assertEquals(p.latencyMeanMs(), row.value(), 1e-9);
        assertEquals(p.samples().latencyMean().low(), row.ciLow(), 1e-9, row.toString());
        assertEquals(p.samples().latencyMean().high(), row.ciHigh(), 1e-9, row.toString());
        assertEquals(0.95, row.ciLevel(), 1e-12);
        assertEquals(p.samples().latency().units().size(), row.units());
        assertEquals(p.samples().latency().requests(), row.samples());
        assertTrue(row.units() >= 2, row.toString());
        assertTrue(Double.isFinite(row.relativeStandardError()), row.toString());
      }
      assertTrue(
          rows.stream().allMatch(r -> PointRecord.FRONTIER_CLASSES.contains(r.frontierClass())),
          "every point classified by the bootstrap");
    }
  }

  @Test
  void aVersionOneDatabaseIsUpgradedByTheNextAddAndKeepsItsRuns() throws Exception {
    Path v1Run = tmp.resolve("v1");
    HistoryFixtures.largeRun(v1Run, 3);
    try (HistoryDatabase db = HistoryDatabase.open(url, true, 1)) {
      assertEquals(1, db.schemaVersion());
      db.add(new RunImporter().read(v1Run), null);
    }
    try (HistoryDatabase db = HistoryDatabase.open(url, false)) {
      assertEquals(1, db.schemaVersion(), "check and report read an old schema without writing");
      assertTrue(db.figures(List.of()).stream().allMatch(r -> r.units() == -1));
    }
    Path multiPass = Path.of("src/test/resources/fixtures/multi-pass-run");
    CliRunner.Outcome add = CliRunner.run("history", "add", multiPass.toString(), "--db", url);
    assertEquals(0, add.code(), add.err());
    try (HistoryDatabase db = HistoryDatabase.open(url, false)) {
      assertEquals(2, db.schemaVersion());
      assertEquals(2, db.runs().size());
      List<HistoryDatabase.FigureRow> rows = db.figures(List.of("latency_mean_ms"));
      assertEquals(3, rows.stream().filter(r -> r.units() == -1).count(), "version 1 rows kept");
      assertTrue(rows.stream().anyMatch(r -> r.units() >= 2), "new rows carry their units");
    }
    CliRunner.Outcome check = CliRunner.run("history", "check", "--db", url);
    assertTrue(check.code() == 0 || check.code() == 1, check.err());
  }

  @Test
  void theSameRunTwiceAddsNothingAlsoFromACopy() throws Exception {
    assertEquals(0, CliRunner.run("history", "add", REAL_RUN.toString(), "--db", url).code());
    Map<String, Long> before = counts();
    Path copy = tmp.resolve("copy");
    copyTree(REAL_RUN, copy);
    CliRunner.Outcome again =
        CliRunner.run("history", "add", REAL_RUN.toString(), copy.toString(), "--db", url);
    assertEquals(0, again.code(), again.err());
    assertEquals(2, again.out().split("already in the history", -1).length - 1, again.out());
    assertEquals(before, counts());
  }

  @Test
  void aCorruptRunIsRefusedWithOneLineAndTheDatabaseIsUntouched() throws Exception {
    assertEquals(0, CliRunner.run("history", "add", REAL_RUN.toString(), "--db", url).code());
    Map<String, Long> before = counts();
    Path corrupt = tmp.resolve("corrupt");
    copyTree(REAL_RUN, corrupt);
    Path json;
    try (Stream<Path> files = Files.list(corrupt.resolve("jmh"))) {
      json = files.sorted().skip(5).findFirst().orElseThrow();
    }
    String text = Files.readString(json);
    Files.writeString(json, text.substring(0, text.length() / 2));
    Path good = HistoryFixtures.largeRun(tmp.resolve("good"), 3);
    CliRunner.Outcome add =
        CliRunner.run("history", "add", good.toString(), corrupt.toString(), "--db", url);
    assertEquals(2, add.code(), add.out());
    assertEquals(1, add.err().strip().lines().count(), add.err());
    assertTrue(add.err().startsWith("error: " + json), add.err());
    assertEquals(before, counts(), "the good run given with the corrupt one is not added either");
  }

  @Test
  void killNineDuringALargeAddLeavesTheDatabaseAsBefore() throws Exception {
    assertEquals(0, CliRunner.run("history", "add", REAL_RUN.toString(), "--db", url).code());
    Map<String, Long> before = counts();
    Path large = HistoryFixtures.largeRun(tmp.resolve("large"), 6000);
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            // a killed JVM cannot delete the native library sqlite-jdbc extracted: into tmp, not
            // /tmp
            "-Dorg.sqlite.tmpdir=" + tmp,
            "-cp",
            System.getProperty("java.class.path"),
            "io.paretopipe.reports.cli.ReportsCli",
            "history",
            "add",
            large.toString(),
            "--db",
            url);
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> seen = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        seen.add(line);
        if (line.contains("figures written")) {
          child.destroyForcibly();
          break;
        }
      }
    } finally {
      child.destroyForcibly();
    }
    assertTrue(child.waitFor(60, TimeUnit.SECONDS));
    assertEquals(137, child.exitValue(), "killed with SIGKILL mid-add; output: " + seen);
    assertTrue(
        seen.stream().noneMatch(l -> l.startsWith("added")), "the add had finished: " + seen);
    assertEquals(before, counts());
    CliRunner.Outcome retry = CliRunner.run("history", "add", large.toString(), "--db", url);
    assertEquals(0, retry.code(), retry.err());
    assertEquals(before.get("runs") + 1, counts().get("runs"));
    assertEquals(before.get("points") + 6000, counts().get("points"));
  }

  @Test
  void checkIsQuietOnSteadyRunsAndNamesTheSlowedSplitAndTheFrontierDrop() throws Exception {
    Random random = new Random(3);
    try (HistoryDatabase db = HistoryDatabase.open(url, true)) {
      for (int night = 0; night < 6; night++) {
        assertTrue(db.add(HistoryFixtures.run(night, random, 1, 1), null).added());
      }
    }
    CliRunner.Outcome steady = CliRunner.run("history", "check", "--db", url);
    assertEquals(0, steady.code(), steady.out() + steady.err());
    assertTrue(steady.out().contains("nothing to decide yet"), steady.out());
    assertFalse(steady.out().contains("REGRESSION"), steady.out());
    try (HistoryDatabase db = HistoryDatabase.open(url, true)) {
      for (int night = 6; night < 8; night++) {
        assertTrue(db.add(HistoryFixtures.run(night, random, 1.3, 1.5), null).added());
      }
    }
    CliRunner.Outcome slowed = CliRunner.run("history", "check", "--db", url);
    assertEquals(1, slowed.code(), slowed.out() + slowed.err());
    List<String> regressions =
        slowed.out().lines().filter(l -> l.startsWith("  PartitionBenchmark")).toList();
    assertTrue(
        regressions.stream()
            .anyMatch(
                l -> l.contains("split=2 depth=4 latency_mean_ms: 3") && l.contains("% worse")),
        slowed.out());
    assertTrue(
        regressions.stream()
            .anyMatch(l -> l.contains("split=0 depth=4: frontier class frontier -> dominated")),
        slowed.out());
    assertTrue(
        regressions.stream().noneMatch(l -> l.contains("split=1") || l.contains("split=3")),
        slowed.out());
    assertTrue(slowed.out().contains("commits 000000600000..000000700000"), slowed.out());

    Path out = tmp.resolve("report");
    CliRunner.Outcome report =
        CliRunner.run("history", "report", "--db", url, "--out", out.toString());
    assertEquals(0, report.code(), report.err());
    String csv = Files.readString(out.resolve(HistoryReport.CSV));
    assertTrue(csv.startsWith(String.join(",", HistoryReport.CSV_COLUMNS) + "\n"), csv);
    assertTrue(csv.contains(",regression,true,"), csv);
    String html = Files.readString(out.resolve(HistoryReport.HTML));
    assertTrue(html.indexOf("Open regressions") < html.indexOf("Trends"));
    assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<script"));
    assertTrue(Files.size(out.resolve("charts").resolve("t001.png")) > 1000);
    assertTrue(Files.readString(out.resolve(HistoryReport.SERIES)).contains("\"ci_low\""));
  }

  @Test
  void checkOfAMissingHistoryIsBadInput() {
    CliRunner.Outcome check =
        CliRunner.run("history", "check", "--db", tmp.resolve("none.db").toString());
    assertEquals(2, check.code());
    assertFalse(Files.exists(tmp.resolve("none.db")));
    assertNotEquals("", check.err());
  }

  static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
