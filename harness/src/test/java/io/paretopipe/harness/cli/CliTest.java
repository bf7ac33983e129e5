package io.paretopipe.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.harness.placement.StageServerProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The paretopipe command line: stable JSON keys, exit codes, and errors that name what is valid.
 */
class CliTest {

  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = ParetoPipeCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void modelsCutsJsonHasTheDocumentedKeys() throws Exception {
    Result r = run("models", "cuts", "resnet18", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertEquals("resnet18", root.get("model").asText());
    assertEquals(11181642, root.get("params").asLong());
    assertEquals("[3,224,224]", root.get("input").toString());
    JsonNode cuts = root.get("cuts");
    assertEquals(9, cuts.size());
    JsonNode four = cuts.get(4);
    assertEquals(4, four.get("split").asInt());
    assertEquals("block4", four.get("unit").asText());
    assertEquals("[128,28,28]", four.get("shape").toString());
    assertEquals(8L * 401408, four.get("bytes").asLong());
    assertEquals(
        8L * (118013952L + 2 * 231211008L + 179830784L + 231211008L), four.get("macs").asLong());
  }

  @Test
  void runAndServeHelpNameTheEnvironmentTheyRead() {
    Result r = run("run", "--help");
    assertEquals(0, r.exit(), r.err());
    for (String variable :
        List.of(
            "PARETOPIPE_SECRET_FILE",
            "PARETOPIPE_DEVICE_PROFILES",
            "PARETOPIPE_STEP_TRACE=DIR",
            "MALLOC_MMAP_MAX_=0")) {
      assertTrue(r.out().contains(variable), variable + " in\n" + r.out());
    }
    Result serve = run("serve", "--help");
    assertEquals(0, serve.exit(), serve.err());
    assertTrue(
        serve.out().contains("PARETOPIPE_SECRET_FILE")
            && serve.out().contains("PARETOPIPE_STEP_TRACE=DIR"),
        serve.out());
  }

  @Test
  void runAndTheSoakShareThePlacementOptionsWithTheirOwnCpuDefaults() {
    List<String> options =
        List.of(
            "--head-threads=N",
            "--tail-threads=N",
            "--head-cpus=CPUS",
            "--tail-cpus=CPUS",
            "--head-device=PROFILE",
            "--tail-device=PROFILE",
            "--device-profiles=FILE");
    Result r = run("run", "--help");
    String soak =
        new picocli.CommandLine(new io.paretopipe.harness.robustness.Soak()).getUsageMessage();
    for (String option : options) {
      assertTrue(r.out().contains(option), option + " in\n" + r.out());
      assertTrue(soak.contains(option), option + " in\n" + soak);
    }
    String runHeadCpus = r.out().substring(r.out().lastIndexOf("--head-cpus=CPUS"));
    assertTrue(
        runHeadCpus.substring(0, runHeadCpus.indexOf("--head-device")).contains("(default: none)"),
        runHeadCpus);
    String soakTailCpus = soak.substring(soak.lastIndexOf("--tail-cpus=CPUS"));
    assertTrue(
        soakTailCpus.substring(0, soakTailCpus.indexOf("--tail-device")).contains("(default: 1)"),
        soakTailCpus);
  }

  @Test
  void aBadCpuListIsNamedBeforeAnythingStarts() {
    Result r = run("run", "--split", "3", "--tail-cpus", "1;2");
    assertEquals(2, r.exit(), r.out());
    assertTrue(
        r.err().contains("--tail-cpus: CPU list '1;2' (expected: CPU numbers and ranges"), r.err());
  }

  @Test
  void modelsListNamesEveryModel() {
    Result r = run("models", "list");
    assertEquals(0, r.exit());
    for (String m :
        List.of("resnet18", "resnet50", "mobilenetv2", "vgg16", "alexnet", "inceptionv3")) {
      assertTrue(r.out().contains(m), m);
    }
  }

  @Test
  void unknownModelExitsTwoListingTheKnownOnes() {
    Result r = run("models", "cuts", "resnet19");
    assertEquals(2, r.exit());
    assertEquals(
        "error: unknown model 'resnet19': known models are resnet18, resnet50, mobilenetv2, vgg16,"
            + " alexnet, inceptionv3",
        r.err().trim());
  }

  @Test
  void serveRefusesAnIdleTimeoutOutOfRange() {
    Result zero = run("serve", "--idle-timeout", "0");
    assertEquals(2, zero.exit());
    assertTrue(
        zero.err()
            .contains(
                "--idle-timeout 0, --max-calls-per-connection 8 (expected: --idle-timeout"
                    + " 1..86400 seconds"),
        zero.err());
  }

  @Test
  void serveRefusesAPendingConnectionLimitBelowOne() {
    Result zero = run("serve", "--max-pending-per-source", "0");
    assertEquals(2, zero.exit());
    assertTrue(
        zero.err()
            .contains(
                "--max-pending-connections 16, --max-pending-per-source 0 (expected: each >= 1)"),
        zero.err());
  }

  @Test
  void serveRefusesANetworkAddressWithoutInsecureAndAMissingModelsDir() {
    Result open = run("serve", "--listen", "0.0.0.0:0");
    assertEquals(2, open.exit());
    assertTrue(
        open.err()
            .contains("refusing to listen on all interfaces (0.0.0.0) without a shared secret"),
        open.err());
    assertTrue(open.err().contains("--secret-file FILE"), open.err());
    assertTrue(open.err().contains("--insecure"), open.err());
    Result dir = run("serve", "--models-dir", "/nonexistent/paretopipe-models");
    assertEquals(2, dir.exit());
    assertTrue(
        dir.err().contains("--models-dir /nonexistent/paretopipe-models does not exist"),
        dir.err());
  }

  @Test
  void aSecretFileOthersCanReadOrTlsOnNioIsRefusedBeforeAnythingStarts(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path secret = dir.resolve("secret");
    java.nio.file.Files.writeString(secret, "0123456789abcdef0123456789abcdef\n");
    java.nio.file.Files.setPosixFilePermissions(
        secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    Result serve = run("serve", "--secret-file", secret.toString());
    assertEquals(2, serve.exit());
    assertTrue(
        serve.err().contains("secret file " + secret + " is accessible by other users (rw-r--r--)"),
        serve.err());
    assertTrue(serve.err().contains("chmod 600 " + secret), serve.err());
    Result runWithIt = run("run", "--split", "7", "--secret-file", secret.toString());
    assertEquals(2, runWithIt.exit());
    assertTrue(runWithIt.err().contains("chmod 600"), runWithIt.err());
    Result tlsOnNio = run("serve", "--tls-cert", secret.toString(), "--tls-key", secret.toString());
    assertEquals(2, tlsOnNio.exit());
    assertTrue(tlsOnNio.err().contains("apply to --transport grpc only"), tlsOnNio.err());
    Result notPem =
        run("run", "--split", "7", "--transport", "grpc", "--tls-trust", secret.toString());
    assertEquals(2, notPem.exit());
    assertTrue(notPem.err().contains(secret.toString()), notPem.err());
  }

  @Test
  void splitOutOfRangeExitsTwoWithTheValidRange() {
    Result r = run("run", "--model", "resnet18", "--split", "19", "--transport", "local");
    assertEquals(2, r.exit());
    assertEquals(
        "error: split 19 is out of range for resnet18: valid splits are 0..8", r.err().trim());
  }

  @Test
  void unknownTransportIsNamed() {
    Result r = run("run", "--split", "3", "--transport", "carrier-pigeon");
    assertEquals(2, r.exit());
    assertEquals(
        "error: unknown transport 'carrier-pigeon': known transports are nio, local, grpc",
        r.err().trim());
  }

  @Test
  void runJsonHasTheDocumentedKeysAndConsistentNumbers() throws Exception {
    Result r =
        run(
            "run",
            "--model",
            "mobilenetv2",
            "--split",
            "9",
            "--transport",
            "local",
            "--batch",
            "2",
            "--requests",
            "6",
            "--warmup",
            "1",
            "--depth",
            "2",
            "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    JsonNode latency = root.get("latency_ms");
    for (String k : List.of("mean", "p50", "p90", "p99", "p999", "max")) {
      assertTrue(latency.get(k).asDouble() > 0, k);
    }
    assertTrue(latency.get("p50").asDouble() <= latency.get("max").asDouble());
    assertTrue(root.get("throughput_img_s").asDouble() > 0);
    JsonNode phases = root.get("phases_ms");
    for (String k : List.of("head_compute", "encode", "network", "tail_compute", "decode")) {
      assertTrue(phases.get(k).asDouble() >= 0, k);
    }
    assertTrue(phases.get("head_compute").asDouble() > 0);
    assertTrue(phases.get("tail_compute").asDouble() > 0);
    double overhead =
        latency.get("mean").asDouble()
            - phases.get("head_compute").asDouble()
            - phases.get("tail_compute").asDouble();
    assertEquals(overhead, root.get("overhead_ms").asDouble(), 1e-9);
    assertEquals(2L * 64 * 14 * 14 * 4, root.get("bytes_per_request").asLong());
    assertEquals(6, root.get("requests").asInt());
    assertEquals("1", root.get("warmup").asText());
    assertTrue(r.err().contains(RunCommand.warmupNote(1)), r.err());
    assertEquals("off", root.get("spin_wait").asText());
    assertEquals("off (auto: transport local never spins)", root.get("spin_wait_reason").asText());
    assertEquals("", root.get("stage_jvm_options").asText());
    assertEquals("", root.get("grpc_tuning").asText(), "no grpc, no tuning");
    assertEquals(RunCommand.headJit(), root.get("head_jit").asText());
  }

  /** {@code run} of mobilenetv2 split 18 over nio, 2 requests, no warm-up, and {@code extra}. */
  private static Result twoRequestsThroughASpawnedStage(String... extra) {
    return twoRequestsThroughASpawnedStageOver("nio", extra);
  }

  /** {@code run} of mobilenetv2 split 18 over {@code transport}, 2 requests, no warm-up. */
  private static Result twoRequestsThroughASpawnedStageOver(String transport, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "run",
                "--model",
                "mobilenetv2",
                "--split",
                "18",
                "--transport",
                transport,
                "--requests",
                "2",
                "--warmup",
                "0"));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  @Test
  void aSpawnedStageGetsTheJvmOptionsOfStageJvmOptionsAndTheJsonSaysWhich() throws Exception {
    Result r =
        twoRequestsThroughASpawnedStage(
            "--stage-jvm-options", "-XX:TieredStopAtLevel=1 -Xss2m", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertEquals("-XX:TieredStopAtLevel=1 -Xss2m", root.get("stage_jvm_options").asText());
  }

  @Test
  void runOverGrpcSaysWhichGrpcTuningBothEndsHad() throws Exception {
    Result r =
        twoRequestsThroughASpawnedStageOver(
            "grpc", "--grpc-tuning", "tuned-write-buffer", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertEquals("grpc", root.get("transport").asText());
    assertEquals("tuned-write-buffer", root.get("grpc_tuning").asText());
  }

  @Test
  void headJitSaysC1OnlyForAHeadStartedWithTieredStopAtLevel1() throws Exception {
    Process p =
        new ProcessBuilder(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "io.paretopipe.harness.cli.ParetoPipeCli",
                "run",
                "--split",
                "3",
                "--transport",
                "local",
                "--requests",
                "1",
                "--warmup",
                "0",
                "--json")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertEquals("C1 only", new ObjectMapper().readTree(out).get("head_jit").asText());
  }

  @Test
  void aBadStageJvmOptionIsNamedBeforeAnythingStarts() {
    Result r = run("run", "--split", "3", "--stage-jvm-options", "-Xss2m TieredStopAtLevel=1");
    assertEquals(2, r.exit(), r.out());
    assertEquals(
        "error: --stage-jvm-options: stage JVM options: 'TieredStopAtLevel=1' is not a JVM option"
            + " (expected 'auto', 'none' or options starting with '-', e.g."
            + " -XX:TieredStopAtLevel=1)",
        r.err().trim());
  }

  @Test
  void aWarmUpShorterThanTheJitNeedsIsNamedInANote() {
    assertEquals(
        "note: 1 warm-up request: the JVMs had not compiled the per-request code yet, so"
            + " overhead_ms is a cold JVM's (about 1 ms more per round trip at 0.4 MB); --warmup 500"
            + " for a JIT-warm one (docs/OVERHEAD.md)",
        RunCommand.warmupNote(1));
    assertTrue(RunCommand.warmupNote(499).startsWith("note: 499 warm-up requests: "));
    assertEquals("", RunCommand.warmupNote(RunCommand.JIT_WARMUP_REQUESTS));
    assertEquals("", RunCommand.warmupNote(10_000));
  }

  @Test
  void aBadSpinWaitIsNamedBeforeAnythingStarts() {
    Result r = run("run", "--split", "3", "--spin-wait", "sometimes");
    assertEquals(2, r.exit(), r.out());
    assertTrue(r.err().contains("--spin-wait 'sometimes' (expected: auto, on or off)"), r.err());
  }

  @Test
  void keepLogsKeepsNoEmptyLogAndSaysSo() {
    Result r;
    try {
      r = twoRequestsThroughASpawnedStage("--keep-logs");
    } finally {
      System.clearProperty(StageServerProcess.KEEP_LOGS_PROPERTY);
    }
    assertEquals(0, r.exit(), r.err());
    Matcher m =
        Pattern.compile("stage log of pid (\\d+) not kept \\(log empty\\)").matcher(r.err());
    assertTrue(m.find(), r.err());
    assertFalse(r.err().contains("stage log kept: "), r.err());
  }

  @Test
  void linkNeedsANetworkTransport() {
    Result r = run("run", "--split", "3", "--transport", "local", "--link", "pi-link");
    assertEquals(2, r.exit());
    assertTrue(
        r.err().startsWith("error: link delay:200ms+rate:5mbit needs a network transport"),
        r.err());
  }

  @Test
  void badLinkSpecIsRejectedBeforeAnythingStarts() {
    Result r = run("run", "--split", "3", "--link", "delay=20ms");
    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("error: "), r.err());
  }
}
