package io.paretopipe.benchmarks.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.benchmarks.sweep.SweepPlan.Group;
import io.paretopipe.benchmarks.sweep.SweepPlan.Point;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SweepTest {

  private static Sweep parse(String... args) {
    Sweep sweep = new Sweep();
    new CommandLine(sweep).parseArgs(args);
    return sweep;
  }

  @Test
  void aBadOptionValueExitsTwoWithItsMessageAndNoStackTrace() {
    java.io.StringWriter err = new java.io.StringWriter();
    int code =
        Sweep.run(
            new String[] {"--stage-jvm-options", "C1", "--out", "/nonexistent/never-written"},
            new java.io.PrintWriter(err, true));
    assertEquals(2, code, err.toString());
    assertEquals(
        "error: --stage-jvm-options: stage JVM options: 'C1' is not a JVM option (expected 'auto',"
            + " 'none' or options starting with '-', e.g. -XX:TieredStopAtLevel=1)",
        err.toString().trim());
    err.getBuffer().setLength(0);
    assertEquals(
        2,
        Sweep.run(
            new String[] {"--energy", "watts", "--out", "/nonexistent/never-written"},
            new java.io.PrintWriter(err, true)));
    assertTrue(err.toString().startsWith("error: "), err.toString());
    assertTrue(!err.toString().contains("\tat "), err.toString());
    err.getBuffer().setLength(0);
    assertEquals(
        2,
        Sweep.run(
            new String[] {"--group-warmup", "soon", "--out", "/nonexistent/never-written"},
            new java.io.PrintWriter(err, true)));
    assertEquals(
        "error: --group-warmup 'soon' (expected: 'default', a duration such as 5s, 1m, or 0s for"
            + " none)",
        err.toString().trim());
  }

  @Test
  void severalGrpcTuningsMakeAGroupAndAServerEachAndOnlyForGrpc() {
    Sweep sweep =
        parse(
            "--transports",
            "nio,grpc,local",
            "--grpc-tuning",
            "default,Tuned,tuned",
            "--splits",
            "3");
    assertEquals(List.of("default", "tuned"), sweep.o.grpcTunings());
    assertEquals("default,tuned", sweep.o.grpcTuning());
    SweepPlan plan = sweep.plan();
    assertEquals(List.of("nio", "grpc", "grpc@tuned", "local"), plan.transports());
    assertEquals(4, plan.size());
    assertEquals(
        List.of("nio", "grpc@tuned"),
        parse("--transports", "nio,grpc", "--grpc-tuning", "tuned").plan().transports());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> parse("--grpc-tuning", "default,turbo").plan());
    assertTrue(e.getMessage().startsWith("--grpc-tuning: grpc tuning \"turbo\""), e.getMessage());
  }

  @Test
  void aResumeWithAnotherGrpcTuningThanTheInterruptedSweepIsRefused(@TempDir Path run)
      throws Exception {
    Files.createDirectories(run.resolve("jmh"));
    Files.writeString(
        run.resolve("run-metadata.json"),
        "{\"sweep\": {\"setting\": \"quick\", \"grpc_tuning\": \"default\"}}");
    java.io.StringWriter err = new java.io.StringWriter();
    int code =
        Sweep.run(
            new String[] {
              "--resume",
              run.toString(),
              "--grpc-tuning",
              "tuned",
              "--transports",
              "local",
              "--no-report",
              "--no-unit-profile",
              "--splits",
              "15",
              "--max-passes",
              "1" // bounds the run if the check ever lets it start
            },
            new java.io.PrintWriter(err, true));
    assertEquals(2, code, err.toString());
    assertEquals(
        "error: --resume: the interrupted sweep ran with grpc_tuning default, not tuned: give the"
            + " same options",
        err.toString().trim());
  }

  @Test
  void warmupLoadIsTenSecondsByDefaultZeroSkipsAndNonsenseIsRefusedByName() {
    assertEquals(Duration.ofSeconds(10), parse().o.warmupLoad());
    assertEquals(Duration.ofSeconds(90), parse("--warmup-load", "1m30s").o.warmupLoad());
    assertEquals(Duration.ZERO, parse("--warmup-load", "0s").o.warmupLoad());
    assertEquals(Duration.ZERO, parse("--warmup-load", "0").o.warmupLoad());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> parse("--warmup-load", "ten").o.warmupLoad());
    assertEquals(
        "--warmup-load 'ten' (expected: a duration such as 10s, 1m, or 0s to skip)",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> parse("--warmup-load", "none").o.warmupLoad());
  }

  @Test
  void groupWarmupIsOffByDefaultTakesADurationAndRefusesNonsenseByName() {
    assertEquals(Duration.ZERO, parse().o.groupWarmup());
    assertEquals(Duration.ofSeconds(5), parse("--group-warmup", "5s").o.groupWarmup());
    assertEquals(Duration.ZERO, parse("--group-warmup", "0").o.groupWarmup());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> parse("--group-warmup", "none").o.groupWarmup());
    assertEquals(
        "--group-warmup 'none' (expected: 'default', a duration such as 5s, 1m, or 0s for none)",
        e.getMessage());
  }

  @Test
  void aGroupWarmsUpAtItsLowestAndHighestSplitByFirstCut() {
    assertEquals(List.of("3", "15"), PassLoop.warmupSplits(List.of("9", "15", "3", "10")));
    assertEquals(List.of("1:4", "12:15"), PassLoop.warmupSplits(List.of("3:9", "12:15", "1:4")));
    assertEquals(List.of("7"), PassLoop.warmupSplits(List.of("7")));
  }

  @Test
  void failFastIsOnByDefaultAndBothOptOutsTurnItOff() {
    assertTrue(parse().o.failFast());
    assertTrue(parse("--fail-fast=true").o.failFast());
    assertEquals(false, parse("--fail-fast=false").o.failFast());
    assertEquals(false, parse("--no-fail-fast").o.failFast());
    String help = new CommandLine(new Sweep()).getUsageMessage();
    assertTrue(help.contains("--no-fail-fast") && help.contains("-Dbench.failFast"), help);
  }

  @Test
  void stageDispatchDefaultsToRunToCompletionAndRefusesAnUnknownName() {
    assertEquals("run-to-completion", parse().o.stageDispatch());
    assertEquals("pipelined", parse("--stage-dispatch", "pipelined").o.stageDispatch());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> parse("--stage-dispatch", "eager").o.stageDispatch());
    assertTrue(
        e.getMessage()
            .startsWith("--stage-dispatch: dispatch \"eager\" is unknown: valid names are"),
        e.getMessage());
    assertTrue(e.getMessage().contains("pipelined"), e.getMessage());
    String help = new CommandLine(new Sweep()).getUsageMessage();
    assertTrue(help.contains("--stage-dispatch") && help.contains("-Dbench.stageDispatch"), help);
  }

  @Test
  void grpcTuningDefaultsToGrpcJavasAndRefusesAnUnknownName() {
    assertEquals("default", parse().o.grpcTuning());
    assertEquals("tuned", parse("--grpc-tuning", "Tuned").o.grpcTuning());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> parse("--grpc-tuning", "turbo").o.grpcTuning());
    assertTrue(
        e.getMessage()
            .startsWith("--grpc-tuning: grpc tuning \"turbo\" is unknown: valid names are"),
        e.getMessage());
    String help = new CommandLine(new Sweep()).getUsageMessage();
    assertTrue(help.contains("--grpc-tuning") && help.contains("-Dbench.grpcTuning"), help);
  }

  @Test
  void stageJvmOptionsDefaultToNoneTakeOptionsInOneArgumentAndRefuseWhatIsNotOne() {
    assertEquals("none", parse().o.stageJvmOptions());
    assertEquals("auto", parse("--stage-jvm-options", "auto").o.stageJvmOptions());
    assertEquals("none", parse("--stage-jvm-options", "none").o.stageJvmOptions());
    assertEquals(
        "-XX:TieredStopAtLevel=2 -Xlog:gc",
        parse("--stage-jvm-options", " -XX:TieredStopAtLevel=2 -Xlog:gc ").o.stageJvmOptions());
    assertEquals("-Xss2m", parse("--stage-jvm-options=-Xss2m").o.stageJvmOptions());
    IllegalArgumentException notAnOption =
        assertThrows(
            IllegalArgumentException.class,
            () -> parse("--stage-jvm-options", "-Xss2m C1").o.stageJvmOptions());
    assertEquals(
        "--stage-jvm-options: stage JVM options: 'C1' is not a JVM option (expected 'auto',"
            + " 'none' or options starting with '-', e.g. -XX:TieredStopAtLevel=1)",
        notAnOption.getMessage());
    IllegalArgumentException classPath =
        assertThrows(
            IllegalArgumentException.class,
            () -> parse("--stage-jvm-options", "-cp").o.stageJvmOptions());
    assertTrue(
        classPath
            .getMessage()
            .startsWith(
                "--stage-jvm-options: stage JVM options: '-cp' is set by the spawned server's own"
                    + " command line"),
        classPath.getMessage());
    String help = new CommandLine(new Sweep()).getUsageMessage();
    assertTrue(
        help.contains("--stage-jvm-options=<stageJvmOptions>")
            && help.contains("-Dbench.stageJvmOptions")
            && help.contains("-Dparetopipe.stageJvmOptions"),
        help);
  }

  @Test
  void quickDefaultIsEverySplitOfMobilenetOverNioGrpcAndLocalInThreeGroups() {
    SweepPlan plan = parse().plan();
    List<Point> points = plan.points();
    assertEquals(60, points.size());
    assertEquals(new Point("mobilenetv2", "nio", "none", "0"), points.get(0));
    assertEquals(new Point("mobilenetv2", "grpc", "none", "0"), points.get(20));
    assertEquals(new Point("mobilenetv2", "local", "none", "19"), points.get(59));
    assertEquals(
        List.of(
            new Group("mobilenetv2", "nio", "none"),
            new Group("mobilenetv2", "grpc", "none"),
            new Group("mobilenetv2", "local", "none")),
        plan.groups());
    assertEquals(20, plan.splits(plan.groups().get(2)).size());
  }

  @Test
  void localRunsOnlyWithoutALink() {
    List<Point> points =
        parse("--transports", "nio,local", "--links", "none,delay:5ms", "--splits", "3,5:9")
            .plan()
            .points();
    assertEquals(
        List.of(
            new Point("mobilenetv2", "nio", "none", "3"),
            new Point("mobilenetv2", "nio", "none", "5:9"),
            new Point("mobilenetv2", "nio", "delay:5ms", "3"),
            new Point("mobilenetv2", "nio", "delay:5ms", "5:9"),
            new Point("mobilenetv2", "local", "none", "3"),
            new Point("mobilenetv2", "local", "none", "5:9")),
        points);
    assertEquals("mobilenetv2__nio__delay%3A5ms__split=5%3A9", points.get(3).fileStem());
    assertEquals("mobilenetv2__nio__delay%3A5ms", points.get(3).group().fileStem());
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
        "setting 'medium' is unknown: valid settings are quick, confident, full",
        setting.getMessage());
    IllegalArgumentException budget =
        assertThrows(IllegalArgumentException.class, () -> parse("--budget", "9 min").o.setting());
    assertEquals(
        "budget '9 min' (expected: none, or a duration such as 9m, 90s, 1h30m)",
        budget.getMessage());
    IllegalArgumentException endless =
        assertThrows(IllegalArgumentException.class, () -> parse("--budget", "none").o.setting());
    assertTrue(endless.getMessage().contains("give a budget or --max-passes N"));
    IllegalArgumentException passes =
        assertThrows(IllegalArgumentException.class, () -> parse("--max-passes", "0").o.setting());
    assertEquals("--max-passes '0' (expected: 'default' or a number >= 1)", passes.getMessage());
    IllegalArgumentException quota =
        assertThrows(
            IllegalArgumentException.class,
            () -> parse("--tail-cpu-quota", "half").o.tailCpuQuotaPercent());
    assertEquals(
        "--tail-cpu-quota 'half' (expected: none, or 1..100000, percent of one CPU)",
        quota.getMessage());
    IllegalArgumentException both =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                parse("--tail-cpu-quota", "50", "--tail-device", "edge-tail")
                    .o
                    .tailCpuQuotaPercent());
    assertTrue(both.getMessage().endsWith("both cap the stage servers: give one of them"));
    IllegalArgumentException energy =
        assertThrows(IllegalArgumentException.class, () -> parse("--energy", "watts").o.energy());
    assertEquals(
        "--energy 'watts' (expected: auto, rapl, perf, csv:FILE[@OFFSET_S], model, model:NAME, off)",
        energy.getMessage());
    assertEquals("auto", parse().o.energy());
    assertEquals("model:pi4", parse("--energy", "model:pi4").o.energy());
  }

  @Test
  void settingsAndTheirOverrides() {
    SweepSetting quick = parse().o.setting();
    assertEquals(SweepSetting.QUICK, quick);
    assertEquals(Duration.ofMinutes(9), quick.budget());
    assertEquals(2, quick.firstDecisionPass());
    SweepSetting full = parse("--setting", "FULL").o.setting();
    assertEquals(1, full.maxPasses());
    assertEquals(1, full.firstDecisionPass());
    assertNull(full.budget());
    SweepSetting custom =
        parse("--setting", "confident", "--budget", "1h2m3s", "--forks", "1", "--max-passes", "4")
            .o
            .setting();
    assertEquals(Duration.ofSeconds(3723), custom.budget());
    assertEquals(1, custom.forks());
    assertEquals(4, custom.maxPasses());
    assertEquals(Integer.valueOf(50), parse("--tail-cpu-quota", "50%").o.tailCpuQuotaPercent());
    assertEquals(Integer.valueOf(50), parse("--tail-device", "edge-tail").o.tailCpuQuotaPercent());
    assertNull(parse().o.tailCpuQuotaPercent());
    assertEquals("3 requests", SweepSetting.describe(3, 0, Duration.ZERO));
    assertEquals("3 x 5 s", SweepSetting.describe(0, 3, Duration.ofSeconds(5)));
    assertEquals("3 requests + 2 x 500 ms", SweepSetting.describe(3, 2, Duration.ofMillis(500)));
  }
}
