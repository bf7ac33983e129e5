package io.paretopipe.harness.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.nio.NioStageServer;
import io.paretopipe.harness.transport.nio.NioTransport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The model side of a real stage server over real sockets: handshakes naming a bad model, split or
 * thread count are refused with a typed error, a tensor whose shape does not fit the loaded units
 * gets SHAPE_MISMATCH on that request while the connection keeps serving, and a fitting one gets
 * logits.
 */
class ModelStageServerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static ModelStageService service;
  private static NioStageServer server;

  @BeforeAll
  static void start() throws Exception {
    service = new ModelStageService(new NioTransport(), 1);
    server = NioStageServer.start(service);
  }

  @AfterAll
  static void stop() {
    server.close();
    service.close();
  }

  private static Handshake handshake(String model, int start, int end, int threads) {
    return new Handshake(
        model,
        10,
        new int[] {3, 224, 224},
        start,
        end,
        1,
        DType.FLOAT32,
        42,
        threads,
        "",
        List.of());
  }

  private static StageException refused(Handshake h) throws Exception {
    try (StageChannel channel = new NioTransport().connect(server.address(), TIMEOUT)) {
      return assertThrows(StageException.class, () -> channel.handshake(h, TIMEOUT));
    }
  }

  @Test
  void badHandshakesAreRefusedWithTypedErrors() throws Exception {
    StageException unknown = refused(handshake("resnet19", 3, 8, 0));
    assertEquals(ErrorCode.UNKNOWN_MODEL, unknown.code());
    assertTrue(
        unknown.getMessage().contains("known models are resnet18, resnet50"), unknown.getMessage());

    StageException split = refused(handshake("resnet18", 3, 19, 0));
    assertEquals(ErrorCode.BAD_SPLIT, split.code());
    assertEquals(
        "unit range [3, 19) is out of range for resnet18: valid splits are 0..8",
        split.getMessage());

    StageException notLast = refused(handshake("resnet18", 3, 5, 0));
    assertEquals(ErrorCode.BAD_SPLIT, notLast.code());

    StageException threads = refused(handshake("resnet18", 3, 8, 2));
    assertEquals(ErrorCode.BAD_HANDSHAKE, threads.code());
    assertTrue(
        threads.getMessage().startsWith("this stage server computes with 1 threads"),
        threads.getMessage());
  }

  /** Handshake fields that would make the server build a huge model are refused, typed. */
  @Test
  void handshakeFieldsOutOfTheirBoundsAreBadHandshakeAndBuildNothing() throws Exception {
    int cached = service.cachedStages();
    StageException classes =
        refused(
            new Handshake(
                "resnet18",
                Integer.MAX_VALUE,
                new int[] {3, 224, 224},
                3,
                8,
                1,
                DType.FLOAT32,
                42,
                0,
                "",
                List.of()));
    assertEquals(ErrorCode.BAD_HANDSHAKE, classes.code(), classes.getMessage());
    assertEquals(
        "handshake classes 2147483647 is out of range: a stage server builds models with classes"
            + " 1..100000",
        classes.getMessage());
    StageException side =
        refused(
            new Handshake(
                "mobilenetv2",
                10,
                new int[] {3, Integer.MAX_VALUE, Integer.MAX_VALUE},
                3,
                19,
                1,
                DType.FLOAT32,
                42,
                0,
                "",
                List.of()));
    assertEquals(ErrorCode.BAD_HANDSHAKE, side.code(), side.getMessage());
    assertTrue(side.getMessage().contains("input shape dim 1 2147483647"), side.getMessage());
    assertEquals(cached, service.cachedStages());
  }

  @Test
  void aDownstreamAddressThatIsNotHostPortIsRefusedBeforeAnythingIsContacted() throws Exception {
    for (String address :
        List.of(
            "127.0.0.1:7000\r\nFLUSHALL\r\n",
            "host name:80",
            "stage:0",
            "stage:65536",
            "[::1:7000",
            "x".repeat(300) + ":80")) {
      Handshake h =
          new Handshake(
              "resnet18",
              10,
              new int[] {3, 224, 224},
              3,
              5,
              1,
              DType.FLOAT32,
              42,
              0,
              "",
              List.of(new io.paretopipe.harness.protocol.Downstream(address, 8)));
      StageException e = refused(h);
      assertEquals(ErrorCode.BAD_HANDSHAKE, e.code(), address);
      assertTrue(e.getMessage().contains("is not HOST:PORT"), e.getMessage());
    }
  }

  @Test
  void aModelDigestForABuiltInIsRefused() throws Exception {
    Handshake h =
        new Handshake(
            "resnet18",
            10,
            new int[] {3, 224, 224},
            3,
            8,
            1,
            DType.FLOAT32,
            42,
            0,
            "ab".repeat(32),
            List.of());
    StageException e = refused(h);
    assertEquals(ErrorCode.BAD_HANDSHAKE, e.code());
    assertTrue(
        e.getMessage().contains("but resnet18 is a built-in model here (no digest)"),
        e.getMessage());
  }

  /**
   * An exported model directory (models/export/export_units.py on the models module's tiny test
   * network): the stage accepts only the digest of the export it has, and serves it when they
   * agree.
   */
  @Test
  void anExportedModelIsServedOnlyToAHeadWithTheSameDigest(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path python = java.nio.file.Path.of("/usr/bin/python3");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.Files.isExecutable(python)
            && new ProcessBuilder(python.toString(), "-c", "import torch").start().waitFor() == 0,
        "needs /usr/bin/python3 with torch: apt-get install python3-torch python3-torchvision");
    java.nio.file.Path root = java.nio.file.Path.of("..").toAbsolutePath().normalize();
    java.nio.file.Path out = dir.resolve("tiny");
    Process export =
        new ProcessBuilder(
                python.toString(),
                "-B",
                root.resolve("models/export/export_units.py").toString(),
                root.resolve("models/src/test/resources/torchscript/tiny_net.py") + ":split",
                "--out",
                out.toString())
            .redirectErrorStream(true)
            .start();
    String log =
        new String(export.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(export.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "export hung");
    assertEquals(0, export.exitValue(), log);
    String model = out.toString();
    String digest = io.paretopipe.models.ModelCatalog.digest(model);
    assertEquals(64, digest.length());
    io.paretopipe.models.ModelDefinition d =
        io.paretopipe.models.ModelCatalog.define(
            model, io.paretopipe.models.ModelOptions.builder().build());
    int n = d.unitCount();
    int[] input = d.options().input();

    StageException builtInOnly =
        refused(
            new Handshake(
                model,
                d.options().classes(),
                input,
                1,
                n,
                1,
                DType.FLOAT32,
                42,
                0,
                digest,
                List.of()));
    assertEquals(ErrorCode.UNKNOWN_MODEL, builtInOnly.code());
    assertTrue(
        builtInOnly
            .getMessage()
            .contains("this stage server serves the built-in models only; to serve exported"),
        builtInOnly.getMessage());

    try (ModelStageService roots =
            new ModelStageService(new NioTransport(), 1).serveModelDirectories(List.of(dir));
        NioStageServer rooted = NioStageServer.start(roots)) {
      java.nio.file.Path outside = java.nio.file.Files.createTempDirectory("paretopipe-outside");
      try {
        StageException escape =
            refusedBy(
                rooted,
                new Handshake(
                    outside.toString(),
                    10,
                    input,
                    1,
                    n,
                    1,
                    DType.FLOAT32,
                    42,
                    0,
                    digest,
                    List.of()));
        assertEquals(ErrorCode.UNKNOWN_MODEL, escape.code());
        assertTrue(
            escape.getMessage().contains("is not under a directory this stage server serves"),
            escape.getMessage());
        StageException dots =
            refusedBy(
                rooted,
                new Handshake(
                    dir + "/../" + outside.getFileName(),
                    10,
                    input,
                    1,
                    n,
                    1,
                    DType.FLOAT32,
                    42,
                    0,
                    digest,
                    List.of()));
        assertTrue(
            dots.getMessage().contains("must be an absolute, normalized path"), dots.getMessage());
      } finally {
        java.nio.file.Files.delete(outside);
      }
      servesOnlyTheSameExport(rooted, model, d, digest);
    }
  }

  private static StageException refusedBy(NioStageServer s, Handshake h) throws Exception {
    try (StageChannel channel = new NioTransport().connect(s.address(), TIMEOUT)) {
      return assertThrows(StageException.class, () -> channel.handshake(h, TIMEOUT));
    }
  }

  private static void servesOnlyTheSameExport(
      NioStageServer s, String model, io.paretopipe.models.ModelDefinition d, String digest)
      throws Exception {
    int n = d.unitCount();
    int[] input = d.options().input();
    StageException wrong =
        refusedBy(
            s,
            new Handshake(
                model,
                d.options().classes(),
                input,
                1,
                n,
                1,
                DType.FLOAT32,
                42,
                0,
                "0".repeat(64),
                List.of()));
    assertEquals(ErrorCode.BAD_HANDSHAKE, wrong.code());
    assertTrue(
        wrong
            .getMessage()
            .contains(
                "here has manifest digest " + digest + " but the head loaded " + "0".repeat(64)),
        wrong.getMessage());
    StageException none =
        refusedBy(
            s,
            new Handshake(
                model, d.options().classes(), input, 1, n, 1, DType.FLOAT32, 42, 0, "", List.of()));
    assertTrue(none.getMessage().contains("carries no model digest"), none.getMessage());

    try (StageChannel channel = new NioTransport().connect(s.address(), TIMEOUT)) {
      HandshakeReply reply =
          channel.handshake(
              new Handshake(
                  model,
                  d.options().classes(),
                  input,
                  1,
                  n,
                  1,
                  DType.FLOAT32,
                  42,
                  0,
                  digest,
                  List.of()),
              TIMEOUT);
      assertEquals(d.units().get(1).name(), reply.unitNames().get(0));
      long[] in = reply.expectedInputShape();
      channel.send(new InferenceRequest(1, Tensor.allocate(DType.FLOAT32, in)));
      InferenceResult result = channel.receive(TIMEOUT);
      assertArrayEquals(new long[] {1, d.options().classes()}, result.tensor().shape());
    }
  }

  @Test
  void aTensorThatDoesNotFitGetsShapeMismatchOrUnsupportedAndTheConnectionGoesOn()
      throws Exception {
    try (StageChannel channel = new NioTransport().connect(server.address(), TIMEOUT)) {
      HandshakeReply reply = channel.handshake(handshake("mobilenetv2", 3, 19, 0), TIMEOUT);
      assertArrayEquals(new long[] {1, 24, 56, 56}, reply.expectedInputShape());
      assertArrayEquals(new long[] {1, 10}, reply.outputShape());

      channel.send(new InferenceRequest(1, Tensor.allocate(DType.FLOAT32, 1, 24, 28, 28)));
      StageException e = assertThrows(StageException.class, () -> channel.receive(TIMEOUT));
      assertEquals(ErrorCode.SHAPE_MISMATCH, e.code());
      assertEquals(1, e.requestId());
      assertTrue(e.getMessage().endsWith("expected float32 (N, 24, 56, 56)"), e.getMessage());

      channel.send(new InferenceRequest(3, Tensor.allocate(DType.INT32, 1, 24, 56, 56)));
      StageException dtype = assertThrows(StageException.class, () -> channel.receive(TIMEOUT));
      assertEquals(ErrorCode.UNSUPPORTED, dtype.code(), dtype.getMessage());
      assertEquals(3, dtype.requestId());
      assertEquals(
          "request 3 carries a INT32 tensor: this stage computes in FLOAT32 only",
          dtype.getMessage());

      channel.send(new InferenceRequest(2, Tensor.allocate(DType.FLOAT32, 1, 24, 56, 56)));
      InferenceResult result = channel.receive(TIMEOUT);
      assertEquals(2, result.requestId());
      assertArrayEquals(new long[] {1, 10}, result.tensor().shape());
      assertEquals(1, result.stageTimings().size());
      assertTrue(result.stageTimings().get(0).computeNanos() > 0);
    }
  }
}
