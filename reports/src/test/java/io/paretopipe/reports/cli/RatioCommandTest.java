package io.paretopipe.reports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.reports.fixtures.CliRunner;
import io.paretopipe.reports.fixtures.CliRunner.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatioCommandTest {
  @TempDir Path tmp;

  /** One TransportBenchmark result: transport, grpcTuning, bytes, score (us/op). */
  private record Row(String transport, String tuning, long bytes, double score) {}

  private static String json(List<Row> rows, String unit) {
    List<String> items = new ArrayList<>();
    for (Row r : rows) {
      items.add(
          String.format(
              Locale.ROOT,
              "{\"benchmark\":\"io.paretopipe.benchmarks.TransportBenchmark.roundTrip\","
                  + "\"mode\":\"avgt\",\"params\":{\"bytes\":\"%d\",\"dispatch\":\"run-to-completion\","
                  + "\"grpcTuning\":\"%s\",\"pin\":\"false\",\"transport\":\"%s\"},"
                  + "\"primaryMetric\":{\"score\":%s,\"scoreError\":10.0,\"scoreUnit\":\"%s\"},"
                  + "\"secondaryMetrics\":{\"hop\":{\"score\":%s,\"scoreUnit\":\"%s\"}}}",
              r.bytes,
              r.tuning,
              r.transport,
              r.score,
              unit,
              r.score / 2,
              unit));
    }
    return "[" + String.join(",", items) + "]";
  }

  private Path round(String name, List<Row> rows) throws IOException {
    Path file = tmp.resolve(name);
    Files.writeString(file, json(rows, "us/op"));
    return file;
  }

  /** Three rounds: nio / echo 1.1, 1.2, 1.0 at 4096 B and 2.0, 2.2, 1.8 at 16 MiB. */
  private List<String> threeRounds() throws IOException {
    double[][] ratios = {{1.1, 2.0}, {1.2, 2.2}, {1.0, 1.8}};
    List<String> files = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      files.add(
          round(
                  "round" + (i + 1) + ".json",
                  List.of(
                      new Row("echo", "default", 4096, 100),
                      new Row("nio", "default", 4096, 100 * ratios[i][0]),
                      new Row("echo", "default", 16777216, 1000),
                      new Row("nio", "default", 16777216, 1000 * ratios[i][1]),
                      new Row("grpc", "tuned", 4096, 300),
                      new Row("grpc", "tuned", 16777216, 3000)))
              .toString());
    }
    return files;
  }

  private static Outcome ratio(List<String> files, String... options) {
    List<String> args = new ArrayList<>(List.of("ratio"));
    args.addAll(List.of(options));
    args.addAll(files);
    return CliRunner.run(args.toArray(String[]::new));
  }

  @Test
  void perSetRatiosWithTheirIntervalOverTheRounds() throws IOException {
    Outcome o = ratio(threeRounds(), "--of", "transport=nio", "--to", "transport=echo");
    assertEquals(ExitCodes.OK, o.code(), o.err());
    assertTrue(
        o.out().contains("| bytes=4096 | 3 | 1.100, 1.200, 1.000 | 1.100 | 1.097 [0.875, 1.376] |"),
        o.out());
    assertTrue(
        o.out()
            .contains(
                "| bytes=16777216 | 3 | 2.000, 2.200, 1.800 | 2.000 | 1.993 [1.553, 2.558] |"),
        o.out());
    assertTrue(o.out().startsWith("ratio transport=nio / transport=echo,"), o.out());
    assertTrue(
        o.out()
            .contains(
                "3 rounds; interval: 95% t over the rounds' log ratios; params of every set:"
                    + " dispatch=run-to-completion, grpcTuning=default, pin=false"),
        o.out());
    assertTrue(
        o.out().indexOf("| bytes=4096 | 3 |") < o.out().indexOf("| bytes=16777216 | 3 |"),
        "in the file's order: " + o.out());
    assertTrue(
        o.out()
            .contains(
                "| bytes=4096 | 1 | "
                    + tmp.resolve("round1.json")
                    + " | 110 ± 10 | 100 ± 10 | 1.100 |"),
        o.out());
  }

  @Test
  void atMostGivesAVerdictPerSetAndTheExitCode() throws IOException {
    List<String> files = threeRounds();
    Outcome all = ratio(files, "--of", "transport=nio", "--to", "transport=echo", "--at-most", "3");
    assertEquals(ExitCodes.OK, all.code(), all.out());
    assertTrue(all.out().contains("| 3 of 3 | holds |"), all.out());

    Outcome undecided =
        ratio(files, "--of", "transport=nio", "--to", "transport=echo", "--at-most", "2.3");
    assertEquals(ExitCodes.TOO_LITTLE_COMPARED, undecided.code(), undecided.out());
    assertTrue(undecided.out().contains("| 3 of 3 | undecided |"), undecided.out());
    assertTrue(undecided.out().contains("| holds |"), undecided.out());

    Outcome fails =
        ratio(files, "--of", "transport=nio", "--to", "transport=echo", "--at-most", "1.5");
    assertEquals(ExitCodes.REGRESSION, fails.code(), fails.out());
    assertTrue(fails.out().contains("| 0 of 3 | fails |"), fails.out());
  }

  @Test
  void oneRoundSaysItsIntervalIsUnknown() throws IOException {
    Outcome o =
        ratio(
            threeRounds().subList(0, 1),
            "--of",
            "transport=nio",
            "--to",
            "transport=echo",
            "--at-most",
            "5");
    assertEquals(ExitCodes.TOO_LITTLE_COMPARED, o.code(), o.out());
    assertTrue(o.out().contains("1.100 [unknown: one round] | 1 of 1 | undecided |"), o.out());
  }

  @Test
  void selectorsMayNameSeveralParamsAndTheOthersFormTheSets() throws IOException {
    Outcome o =
        ratio(threeRounds(), "--of", "transport=grpc,grpcTuning=tuned", "--to", "transport=nio");
    assertEquals(ExitCodes.OK, o.code(), o.err());
    assertTrue(o.out().contains("| bytes=4096 | 3 | 2.727, 2.500, 3.000 | 2.727 |"), o.out());
    assertTrue(
        o.out().contains("params of every set: dispatch=run-to-completion, pin=false"), o.out());
  }

  @Test
  void aSecondaryMetricCanBeDivided() throws IOException {
    Outcome o =
        ratio(threeRounds(), "--of", "transport=nio", "--to", "transport=echo", "--metric", "hop");
    assertEquals(ExitCodes.OK, o.code(), o.err());
    assertTrue(o.out().contains("metric hop"), o.out());
    assertTrue(o.out().contains("round1.json | 55 | 50 | 1.100 |"), o.out());
    Outcome missing =
        ratio(threeRounds(), "--of", "transport=nio", "--to", "transport=echo", "--metric", "nope");
    assertEquals(ExitCodes.BAD_INPUT, missing.code());
    assertTrue(
        missing.err().contains("has no metric \"nope\"; its secondary metrics: hop"),
        missing.err());
  }

  @Test
  void aFolderIsOneRound() throws IOException {
    Path folder = Files.createDirectory(tmp.resolve("r1"));
    Files.writeString(
        folder.resolve("echo.json"), json(List.of(new Row("echo", "default", 4096, 100)), "us/op"));
    Files.writeString(
        folder.resolve("nio.json"), json(List.of(new Row("nio", "default", 4096, 130)), "us/op"));
    Outcome o =
        ratio(List.of(folder.toString()), "--of", "transport=nio", "--to", "transport=echo");
    assertEquals(ExitCodes.OK, o.code(), o.err());
    assertTrue(o.out().contains("| 1.300 | 1.300 [unknown: one round] |"), o.out());
  }

  @Test
  void filesJoinedByCommasAreOneRound() throws IOException {
    Path echo = round("echo.json", List.of(new Row("echo", "default", 4096, 100)));
    Path nio = round("nio.json", List.of(new Row("nio", "default", 4096, 125)));
    Outcome o = ratio(List.of(echo + "," + nio), "--of", "transport=nio", "--to", "transport=echo");
    assertEquals(ExitCodes.OK, o.code(), o.err());
    assertTrue(o.out().contains("| 1.250 | 1.250 [unknown: one round] |"), o.out());
    Path gone = tmp.resolve("gone.json");
    o = ratio(List.of(echo + "," + gone), "--of", "transport=nio", "--to", "transport=echo");
    assertEquals("error: " + gone + ": no such file", o.err().strip());
  }

  @Test
  void badInputNamesTheRoundAndTheProblem() throws IOException {
    List<String> files = threeRounds();
    Path fewer =
        round(
            "fewer.json",
            List.of(new Row("echo", "default", 4096, 100), new Row("nio", "default", 4096, 120)));
    Outcome o =
        ratio(
            List.of(files.get(0), fewer.toString()),
            "--of",
            "transport=nio",
            "--to",
            "transport=echo");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(o.err().startsWith("error: " + fewer + ": this round's pairs differ"), o.err());
    assertTrue(o.err().contains("missing [TransportBenchmark.roundTrip bytes=16777216"), o.err());

    o = ratio(files, "--of", "transport=quic", "--to", "transport=echo");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(
        o.err()
            .contains(
                "no result matches --of transport=quic; params here: bytes=16777216|4096,"
                    + " dispatch=run-to-completion, grpcTuning=default|tuned, pin=false,"
                    + " transport=echo|grpc|nio"),
        o.err());

    Path twice =
        round(
            "twice.json",
            List.of(
                new Row("echo", "default", 4096, 100),
                new Row("nio", "default", 4096, 120),
                new Row("nio", "default", 4096, 120)));
    o = ratio(List.of(twice.toString()), "--of", "transport=nio", "--to", "transport=echo");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(o.err().contains("two results match --of transport=nio for"), o.err());

    // a set only one side has is refused, not silently dropped
    Path unpaired =
        round(
            "unpaired.json",
            List.of(
                new Row("echo", "default", 4096, 100),
                new Row("nio", "default", 4096, 120),
                new Row("nio", "default", 65536, 120)));
    o = ratio(List.of(unpaired.toString()), "--of", "transport=nio", "--to", "transport=echo");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(
        o.err()
            .contains(
                "no result matches --to transport=echo for TransportBenchmark.roundTrip"
                    + " bytes=65536, dispatch=run-to-completion, grpcTuning=default, pin=false"
                    + " (--of has one)"),
        o.err());

    Path ms = tmp.resolve("ms.json");
    Files.writeString(
        ms,
        json(List.of(new Row("echo", "default", 4096, 100)), "us/op")
            .replace(
                "]",
                "," + json(List.of(new Row("nio", "default", 4096, 1)), "ms/op").substring(1)));
    o = ratio(List.of(ms.toString()), "--of", "transport=nio", "--to", "transport=echo");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(o.err().contains("units differ for"), o.err());

    Path zero =
        round(
            "zero.json",
            List.of(new Row("echo", "default", 4096, 0), new Row("nio", "default", 4096, 1)));
    o = ratio(List.of(zero.toString()), "--of", "transport=nio", "--to", "transport=echo");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(o.err().contains("score 0.0 cannot be divided"), o.err());

    Path missing = tmp.resolve("missing.json");
    o = ratio(List.of(missing.toString()), "--of", "transport=nio", "--to", "transport=echo");
    assertEquals("error: " + missing + ": no such file or folder", o.err().strip());

    Path empty = Files.createDirectory(tmp.resolve("empty"));
    o = ratio(List.of(empty.toString()), "--of", "transport=nio", "--to", "transport=echo");
    assertEquals("error: " + empty + ": no *.json file in this folder", o.err().strip());
  }

  @Test
  void usageErrorsSayWhatIsValid() throws IOException {
    List<String> files = threeRounds();
    Outcome o = ratio(files, "--of", "nio", "--to", "transport=echo");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(o.err().contains("--of nio: expected K=V[,K=V...], e.g. transport=nio"), o.err());
    o = ratio(files, "--of", "transport=nio", "--to", "transport=nio");
    assertTrue(o.err().contains("--of and --to select the same results"), o.err());
    o = ratio(files, "--of", "transport=nio", "--to", "transport=echo", "--at-most", "-1");
    assertTrue(o.err().contains("--at-most: -1.0 (expected: a positive number)"), o.err());
    o = ratio(files, "--of", "transport=nio,transport=grpc", "--to", "transport=echo");
    assertTrue(o.err().contains("param transport given twice"), o.err());
    o = CliRunner.run("ratio", "--of", "transport=nio", "--to", "transport=echo");
    assertEquals(ExitCodes.BAD_INPUT, o.code());
    assertTrue(o.err().contains("Missing required parameter"), o.err());
  }
}
