package io.paretopipe.harness.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.paretopipe.harness.auth.SecretException;
import io.paretopipe.harness.auth.SharedSecret;
import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.harness.transport.grpc.GrpcClientTls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared secret and TLS wired end to end through real stage server JVMs ({@code serve}):
 * spawned stages get the head's secret (through a file that is gone once they are up), a middle
 * stage proves it to its downstream stage, heads without it or with another one are refused, a
 * secret lets {@code serve} listen on all interfaces without {@code --insecure}, and grpc runs over
 * TLS with a certificate made by {@code openssl}.
 */
class AuthenticatedPipelineTest {
  private static final SharedSecret SECRET = secret("0123456789abcdef0123456789abcdef-pipeline");
  private static final SharedSecret OTHER = secret("0123456789abcdef0123456789abcdef-pipelinE");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static SharedSecret secret(String s) {
    try {
      return SharedSecret.of(s.getBytes(StandardCharsets.UTF_8), "test secret");
    } catch (SecretException e) {
      throw new AssertionError(e);
    }
  }

  private static PipelineSpec spec(String transport, String split) {
    return PipelineSpec.defaults("mobilenetv2", split)
        .withTransport(TransportKind.parse(transport))
        .withBatch(1)
        .withTimeout(TIMEOUT);
  }

  private static void assertRuns(Pipeline pipeline) throws Exception {
    try (PipelineDriver driver = new PipelineDriver(pipeline, 1, new PhaseRecorder())) {
      driver.runOne();
      float[] logits = driver.lastOutput();
      assertEquals(10, logits.length);
      for (float f : logits) {
        assertTrue(Float.isFinite(f), "logit " + f);
      }
    }
  }

  /** The value of {@code --secret-file} on the process's command line. */
  private static Path secretFileOf(StageServerProcess server) throws IOException {
    List<String> args = commandLine(server);
    int at = args.indexOf(SharedSecret.OPTION);
    assertTrue(at >= 0, "no " + SharedSecret.OPTION + " in " + args);
    return Path.of(args.get(at + 1));
  }

  /** The process's arguments, from /proc (ProcessHandle.Info drops long command lines). */
  private static List<String> commandLine(StageServerProcess server) throws IOException {
    String raw =
        Files.readString(
            Path.of("/proc", Long.toString(server.pid()), "cmdline"), StandardCharsets.UTF_8);
    return List.of(raw.split("\0"));
  }

  @Test
  void spawnedStagesShareTheSecretAndHeadsWithoutItAreRefused() throws Exception {
    try (Pipeline threeStages = Pipeline.open(spec("nio", "3:9"), Credentials.of(SECRET, null))) {
      // the head proves the secret to the middle stage, the middle stage to the tail
      assertRuns(threeStages);
      for (StageServerProcess s : threeStages.servers()) {
        assertFalse(
            Files.exists(secretFileOf(s)), "the secret file handed to " + s + " must be gone");
      }
      String middle = threeStages.servers().get(0).address();
      PipelineSpec direct = spec("nio", "3").withTails(List.of(middle));
      StageException none =
          assertThrows(StageException.class, () -> Pipeline.open(direct, Credentials.NONE));
      assertEquals(ErrorCode.UNAUTHENTICATED, none.code());
      assertTrue(
          none.getMessage().contains("stage at " + middle + " requires authentication"),
          none.getMessage());
      StageException other =
          assertThrows(
              StageException.class, () -> Pipeline.open(direct, Credentials.of(OTHER, null)));
      assertEquals(ErrorCode.UNAUTHENTICATED, other.code());
      assertTrue(other.getMessage().contains("different shared secret"), other.getMessage());
    }
    // with a secret, serve may listen on every interface without --insecure
    try (StageServerProcess everywhere =
        StageServerProcess.builder()
            .optCommandPrefix(List.of(), "0.0.0.0")
            .optSecret(SECRET)
            .start()) {
      List<String> args = commandLine(everywhere);
      assertFalse(args.contains("--insecure"), args.toString());
      String port = everywhere.address().substring(everywhere.address().lastIndexOf(':') + 1);
      try (Pipeline p =
          Pipeline.open(
              spec("nio", "7").withTails(List.of("127.0.0.1:" + port)),
              Credentials.of(SECRET, null))) {
        assertRuns(p);
      }
    }
  }

  @Test
  void grpcOverTlsWithTheSecret(@TempDir Path dir) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    makeCertificate(cert, key);
    try (StageServerProcess tls =
        StageServerProcess.builder()
            .optTransport(TransportKind.GRPC)
            .optSecret(SECRET)
            .optServeOptions(List.of("--tls-cert", cert.toString(), "--tls-key", key.toString()))
            .start()) {
      PipelineSpec remote =
          spec("grpc", "7").withTails(List.of(tls.address())).withTimeout(Duration.ofSeconds(20));
      GrpcClientTls trust = GrpcClientTls.of(cert, null);
      try (Pipeline p = Pipeline.open(remote, Credentials.of(SECRET, trust))) {
        assertRuns(p);
        assertTrue(p.credentials().tls().isPresent());
      }
      long start = System.nanoTime();
      Exception plaintext =
          assertThrows(Exception.class, () -> Pipeline.open(remote, Credentials.of(SECRET, null)));
      assertTrue(
          plaintext instanceof IOException || plaintext instanceof StageException,
          plaintext.toString());
      assertTrue(plaintext.getMessage().contains(tls.address()), plaintext.getMessage());
      assertTrue(
          System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30),
          "plaintext to TLS took too long");
      StageException noSecret =
          assertThrows(
              StageException.class, () -> Pipeline.open(remote, Credentials.of(null, trust)));
      assertEquals(ErrorCode.UNAUTHENTICATED, noSecret.code());
      IllegalArgumentException spawned =
          assertThrows(
              IllegalArgumentException.class,
              () -> Pipeline.open(spec("grpc", "7"), Credentials.of(SECRET, trust)));
      assertTrue(
          spawned.getMessage().contains("TLS applies to remote grpc stages only"),
          spawned.getMessage());
    }
  }

  /** A self-signed P-256 certificate for 127.0.0.1 and localhost, by openssl. */
  static void makeCertificate(Path cert, Path key) throws Exception {
    Process p;
    try {
      p =
          new ProcessBuilder(
                  "openssl",
                  "req",
                  "-x509",
                  "-newkey",
                  "ec",
                  "-pkeyopt",
                  "ec_paramgen_curve:P-256",
                  "-nodes",
                  "-keyout",
                  key.toString(),
                  "-out",
                  cert.toString(),
                  "-days",
                  "2",
                  "-subj",
                  "/CN=localhost",
                  "-addext",
                  "subjectAltName=DNS:localhost,IP:127.0.0.1")
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      assumeTrue(false, "openssl is needed to make a test certificate: apt-get install openssl");
      return;
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl failed: " + output);
  }
}
