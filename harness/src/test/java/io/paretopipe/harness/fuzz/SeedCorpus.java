package io.paretopipe.harness.fuzz;

import static io.paretopipe.harness.fuzz.DecoderContract.LIMITS;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Downstream;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.StageTiming;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.transport.nio.AuthAccept;
import io.paretopipe.harness.transport.nio.AuthChallenge;
import io.paretopipe.harness.transport.nio.AuthProof;
import io.paretopipe.harness.transport.nio.FrameCodec;
import io.paretopipe.harness.transport.nio.FrameType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The committed seed inputs of the fuzz targets: valid frames of every type written by {@link
 * FrameCodec#encode}, and malformed ones that each break one rule of {@code docs/PROTOCOL.md}. They
 * live where Jazzer looks for a test's inputs, {@code
 * src/test/resources/io/paretopipe/harness/fuzz/<Class>Inputs/<method>/}, one file per input, and
 * run as ordinary JUnit test cases in {@code mvn verify} (Jazzer's regression mode).
 *
 * <p>{@code FrameBytesFuzzTest#seedCorpusIsCurrent} fails when a committed seed differs from what
 * this class generates (after a protocol change); regenerate them with
 *
 * <pre>
 * cd harness &amp;&amp; mvn -q -o test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.paretopipe.harness.fuzz.SeedCorpus -Dexec.args=src/test/resources
 * </pre>
 *
 * Files the fuzzer adds to those directories (named {@code crash-*}, {@code timeout-*}) are
 * findings to keep as regression inputs; this class never deletes them.
 */
public final class SeedCorpus {
  /** Inputs of {@link FrameBytesFuzzTest#anyBytes}: whole frames. */
  static final String ANY_BYTES = "FrameBytesFuzzTestInputs/anyBytes";

  /** Inputs of {@link FrameMetadataFuzzTest#eachFrameType}: a selector byte, then metadata. */
  static final String EACH_FRAME_TYPE = "FrameMetadataFuzzTestInputs/eachFrameType";

  /** Inputs of {@link HandshakeFuzzTest#handshake}: HANDSHAKE metadata. */
  static final String HANDSHAKE = "HandshakeFuzzTestInputs/handshake";

  private SeedCorpus() {}

  static Handshake handshake() {
    return new Handshake(
        "resnet18",
        1000,
        new int[] {3, 224, 224},
        4,
        9,
        8,
        DType.FLOAT32,
        42L,
        2,
        "sha256:ab",
        List.of(new Downstream("10.0.0.2:7000", 9), new Downstream("[::1]:7001", 10)));
  }

  static Handshake lastStageHandshake() {
    return new Handshake(
        "mobilenetv2", 10, new int[] {3, 32, 32}, 0, 0, 1, DType.BFLOAT16, -1L, 0, "", List.of());
  }

  static HandshakeReply handshakeReply() {
    return new HandshakeReply(
        "resnet18",
        List.of("layer2", "layer3", "layer4", "fc"),
        new long[] {8, 128, 28, 28},
        new long[] {8, 1000},
        11_000_000L,
        4242L,
        "2-3",
        1,
        "PyTorch 2.5.1 \u00e9");
  }

  static Tensor tensor(DType dtype, ByteOrder order, long... shape) {
    byte[] bytes = Frames.payload((int) Tensor.byteSize(dtype, shape));
    return new Tensor(dtype, shape, ByteBuffer.wrap(bytes).order(order));
  }

  /** One valid message of each frame type, and tensors in both byte orders. */
  static Map<String, Message> validMessages() {
    Map<String, Message> m = new LinkedHashMap<>();
    m.put("handshake", handshake());
    m.put("handshake-last-stage", lastStageHandshake());
    m.put("handshake-reply", handshakeReply());
    m.put(
        "request-float32-little-endian",
        new InferenceRequest(1, tensor(DType.FLOAT32, ByteOrder.LITTLE_ENDIAN, 2, 3)));
    m.put(
        "request-float64-big-endian",
        new InferenceRequest(Long.MAX_VALUE, tensor(DType.FLOAT64, ByteOrder.BIG_ENDIAN, 1, 2, 2)));
    m.put(
        "request-uint8-scalar", new InferenceRequest(0, tensor(DType.UINT8, ByteOrder.BIG_ENDIAN)));
    m.put(
        "request-int64-empty",
        new InferenceRequest(-2, tensor(DType.INT64, ByteOrder.LITTLE_ENDIAN, 4, 0)));
    m.put(
        "result-two-stages",
        new InferenceResult(
            7,
            tensor(DType.FLOAT16, ByteOrder.LITTLE_ENDIAN, 2, 5),
            List.of(new StageTiming(1_500_000, 20_000), new StageTiming(900_000, 0))));
    m.put(
        "result-no-timings",
        new InferenceResult(-1, tensor(DType.BOOLEAN, ByteOrder.BIG_ENDIAN, 3), List.of()));
    m.put("error-request", new ErrorReport(7, ErrorCode.SHAPE_MISMATCH, "bad"));
    m.put(
        "error-connection",
        new ErrorReport(
            -1,
            ErrorCode.BAD_SPLIT,
            "split 19 is out of range for resnet18: " + "valid splits are 0..8"));
    m.put("auth-challenge", new AuthChallenge(bytes(48, 1)));
    m.put("auth-proof", new AuthProof(bytes(112, 2)));
    m.put("auth-accept", new AuthAccept(bytes(32, 3)));
    m.put(
        "error-unauthenticated",
        new ErrorReport(-1, ErrorCode.UNAUTHENTICATED, "authentication failed"));
    return m;
  }

  /** {@code n} bytes counting up from {@code first}. */
  private static byte[] bytes(int n, int first) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (first + i);
    }
    return b;
  }

  private static byte[] errorMeta(long requestId, int code, byte[] rawMessage) {
    return new Frames.Meta().i64(requestId).u16(code).rawString(rawMessage).toBytes();
  }

  private static byte[] requestMeta(long requestId, int dtype, int order, long... shape) {
    return new Frames.Meta().i64(requestId).u8(dtype).u8(order).shape(shape).toBytes();
  }

  private static Frames.Meta handshakeUpTo(
      String model, int classes, int[] input, int unitStart, int unitEnd, int batch, int dtype) {
    Frames.Meta m = new Frames.Meta().string(model).i32(classes).i32(input.length);
    for (int d : input) {
      m.i32(d);
    }
    return m.i32(unitStart).i32(unitEnd).i32(batch).u8(dtype);
  }

  /** Handshake metadata with every field given; downstream as address/unitEnd pairs. */
  static byte[] handshakeMeta(
      String model,
      int classes,
      int[] input,
      int unitStart,
      int unitEnd,
      int batch,
      int dtype,
      int threads,
      Object... downstream) {
    Frames.Meta m =
        handshakeUpTo(model, classes, input, unitStart, unitEnd, batch, dtype)
            .i64(42)
            .i32(threads)
            .string("")
            .i32(downstream.length / 2);
    for (int i = 0; i < downstream.length; i += 2) {
      m.string((String) downstream[i]).i32((Integer) downstream[i + 1]);
    }
    return m.toBytes();
  }

  /** Metadata sections that each break one rule of §2-§4, by the frame type they are for. */
  static Map<String, Map.Entry<FrameType, byte[]>> malformedMeta() {
    Map<String, Map.Entry<FrameType, byte[]>> m = new LinkedHashMap<>();
    m.put(
        "error-invalid-utf8",
        Map.entry(FrameType.ERROR, errorMeta(1, 7, new byte[] {(byte) 0xC3, 0x28})));
    m.put(
        "auth-challenge-empty",
        Map.entry(FrameType.AUTH_CHALLENGE, new Frames.Meta().i32(0).toBytes()));
    m.put(
        "auth-proof-over-limit",
        Map.entry(
            FrameType.AUTH_PROOF,
            Frames.concat(new Frames.Meta().i32(257).toBytes(), bytes(257, 0))));
    m.put(
        "auth-accept-beyond-metadata",
        Map.entry(
            FrameType.AUTH_ACCEPT,
            Frames.concat(new Frames.Meta().i32(32).toBytes(), bytes(10, 0))));
    m.put(
        "auth-accept-trailing-bytes",
        Map.entry(
            FrameType.AUTH_ACCEPT, Frames.concat(new Frames.Meta().i32(1).toBytes(), bytes(2, 0))));
    m.put(
        "error-utf8-surrogate",
        Map.entry(
            FrameType.ERROR, errorMeta(1, 7, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})));
    m.put(
        "error-string-over-limit",
        Map.entry(FrameType.ERROR, new Frames.Meta().i64(1).u16(1).i32(-1).toBytes()));
    m.put(
        "error-string-beyond-metadata",
        Map.entry(
            FrameType.ERROR,
            new Frames.Meta()
                .i64(1)
                .u16(1)
                .i32(200)
                .bytes("short".getBytes(StandardCharsets.UTF_8))
                .toBytes()));
    m.put(
        "error-unknown-code",
        Map.entry(FrameType.ERROR, errorMeta(1, 999, "x".getBytes(StandardCharsets.UTF_8))));
    m.put(
        "error-trailing-bytes",
        Map.entry(FrameType.ERROR, Frames.concat(errorMeta(1, 9, new byte[0]), new byte[] {0, 0})));
    m.put("request-id-minus-one", Map.entry(FrameType.REQUEST, requestMeta(-1, 1, 1, 1)));
    m.put("request-unknown-dtype", Map.entry(FrameType.REQUEST, requestMeta(1, 0, 1, 1)));
    m.put("request-bad-byte-order", Map.entry(FrameType.REQUEST, requestMeta(1, 1, 2, 1)));
    m.put(
        "request-rank-over-limit",
        Map.entry(FrameType.REQUEST, requestMeta(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)));
    m.put("request-negative-dimension", Map.entry(FrameType.REQUEST, requestMeta(1, 1, 1, 2, -1)));
    m.put(
        "request-size-overflow",
        Map.entry(FrameType.REQUEST, requestMeta(1, 8, 1, 1L << 62, 4, 0)));
    m.put(
        "result-negative-timing",
        Map.entry(
            FrameType.RESULT,
            new Frames.Meta().i64(1).i32(1).i64(-5).i64(0).u8(1).u8(1).shape(1).toBytes()));
    m.put(
        "result-timings-beyond-metadata",
        Map.entry(FrameType.RESULT, new Frames.Meta().i64(1).i32(30).i64(1).toBytes()));
    m.put(
        "reply-list-over-limit",
        Map.entry(FrameType.HANDSHAKE_REPLY, new Frames.Meta().string("m").i32(1 << 30).toBytes()));
    m.put(
        "handshake-batch-zero",
        Map.entry(
            FrameType.HANDSHAKE,
            handshakeMeta("resnet18", 1000, new int[] {3, 224, 224}, 0, 3, 0, 1, 0)));
    m.put(
        "handshake-reversed-units",
        Map.entry(
            FrameType.HANDSHAKE,
            handshakeMeta("resnet18", 1000, new int[] {3, 224, 224}, 5, 4, 1, 1, 0)));
    m.put(
        "handshake-empty-model",
        Map.entry(
            FrameType.HANDSHAKE, handshakeMeta("", 1000, new int[] {3, 8, 8}, 0, 1, 1, 1, 0)));
    m.put(
        "handshake-zero-input-dimension",
        Map.entry(
            FrameType.HANDSHAKE, handshakeMeta("vgg11", 10, new int[] {3, 0, 8}, 0, 1, 1, 1, 0)));
    m.put(
        "handshake-negative-threads",
        Map.entry(
            FrameType.HANDSHAKE, handshakeMeta("vgg11", 10, new int[] {3, 8, 8}, 0, 1, 1, 1, -1)));
    m.put(
        "handshake-empty-downstream-address",
        Map.entry(
            FrameType.HANDSHAKE,
            handshakeMeta("vgg11", 10, new int[] {3, 8, 8}, 0, 1, 1, 1, 0, "", 3)));
    m.put(
        "handshake-negative-downstream-end",
        Map.entry(
            FrameType.HANDSHAKE,
            handshakeMeta("vgg11", 10, new int[] {3, 8, 8}, 0, 1, 1, 1, 0, "h:1", -3)));
    m.put(
        "handshake-unknown-dtype",
        Map.entry(
            FrameType.HANDSHAKE, handshakeMeta("vgg11", 10, new int[] {3, 8, 8}, 0, 1, 1, 10, 0)));
    m.put(
        "handshake-input-count-over-limit",
        Map.entry(FrameType.HANDSHAKE, new Frames.Meta().string("m").i32(10).i32(-1).toBytes()));
    byte[] modelX = handshakeMeta("x", 10, new int[] {1}, 0, 1, 1, 1, 0);
    m.put(
        "handshake-model-invalid-utf8",
        Map.entry(
            FrameType.HANDSHAKE,
            Frames.concat(
                new Frames.Meta().rawString(new byte[] {'r', (byte) 0xFF}).toBytes(),
                Arrays.copyOfRange(modelX, 5, modelX.length))));
    m.put(
        "handshake-trailing-bytes",
        Map.entry(
            FrameType.HANDSHAKE,
            Frames.concat(Frames.metaOf(Frames.encode(handshake(), LIMITS)), new byte[] {1})));
    m.put(
        "handshake-truncated-metadata",
        Map.entry(
            FrameType.HANDSHAKE,
            Arrays.copyOf(Frames.metaOf(Frames.encode(handshake(), LIMITS)), 30)));
    return m;
  }

  /** Whole frames for {@link FrameBytesFuzzTest#anyBytes}, valid and malformed. */
  static Map<String, byte[]> anyBytes() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    validMessages().forEach((name, msg) -> m.put("valid-" + name, Frames.encode(msg, LIMITS)));
    byte[] error = Frames.encode(new ErrorReport(7, ErrorCode.SHAPE_MISMATCH, "bad"), LIMITS);
    byte[] request = Frames.encode(validMessages().get("request-float32-little-endian"), LIMITS);
    byte[] handshake = Frames.encode(handshake(), LIMITS);
    m.put("valid-two-frames", Frames.concat(error, request));
    m.put(
        "http-request",
        "GET / HTTP/1.1\r\nHost: stage:7711\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    m.put(
        "bad-version",
        Frames.concat(
            Frames.header(FrameCodec.MAGIC, 2, 5, 0, error.length - 20, 0), Frames.metaOf(error)));
    m.put(
        "unknown-frame-type",
        Frames.concat(
            Frames.header(FrameCodec.MAGIC, 1, 9, 0, error.length - 20, 0), Frames.metaOf(error)));
    m.put(
        "flags-set",
        Frames.concat(
            Frames.header(FrameCodec.MAGIC, 1, 5, 0x80, error.length - 20, 0),
            Frames.metaOf(error)));
    m.put("meta-length-4GiB", Frames.header(FrameCodec.MAGIC, 1, 1, 0, 0xFFFF_FFFFL, 0));
    byte[] bigRequest = requestMeta(1, 6, 0, LIMITS.maxTensorBytes() + 1);
    m.put(
        "payload-length-over-limit",
        Frames.concat(
            Frames.header(
                FrameCodec.MAGIC, 1, 3, 0, bigRequest.length, LIMITS.maxTensorBytes() + 1),
            bigRequest));
    m.put("payload-length-negative", Frames.header(FrameCodec.MAGIC, 1, 4, 0, 0, Long.MIN_VALUE));
    m.put(
        "payload-on-handshake",
        Frames.concat(
            Frames.header(FrameCodec.MAGIC, 1, 1, 0, handshake.length - 20, 1),
            Frames.metaOf(handshake),
            new byte[1]));
    byte[] requestMeta = Frames.metaOf(request);
    m.put(
        "payload-mismatch",
        Frames.concat(
            Frames.header(FrameCodec.MAGIC, 1, 3, 0, requestMeta.length, 25),
            requestMeta,
            Frames.payload(25)));
    m.put("truncated-header", Arrays.copyOf(handshake, 11));
    m.put("truncated-metadata", Arrays.copyOf(handshake, handshake.length - 3));
    m.put("truncated-payload", Arrays.copyOf(request, request.length - 1));
    malformedMeta()
        .forEach(
            (name, e) -> {
              byte[] meta = e.getValue();
              long payload =
                  e.getKey() == FrameType.REQUEST || e.getKey() == FrameType.RESULT ? 4 : 0;
              m.put(
                  "meta-" + name,
                  Frames.concat(
                      Frames.header(
                          FrameCodec.MAGIC, 1, e.getKey().code(), 0, meta.length, payload),
                      meta,
                      new byte[(int) payload]));
            });
    return m;
  }

  /**
   * Selector byte (the frame type code) and metadata, for {@link
   * FrameMetadataFuzzTest#eachFrameType}.
   */
  static Map<String, byte[]> eachFrameType() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    validMessages()
        .forEach(
            (name, msg) ->
                m.put(
                    "valid-" + name,
                    Frames.concat(
                        new byte[] {FrameMetadataFuzzTest.selector(FrameType.of(msg), false)},
                        Frames.metaOf(Frames.encode(msg, LIMITS)))));
    m.put(
        "payload-off-by-one",
        Frames.concat(
            new byte[] {FrameMetadataFuzzTest.selector(FrameType.REQUEST, true)},
            requestMeta(3, 1, 1, 2, 2)));
    malformedMeta()
        .forEach(
            (name, e) ->
                m.put(
                    name,
                    Frames.concat(
                        new byte[] {FrameMetadataFuzzTest.selector(e.getKey(), false)},
                        e.getValue())));
    return m;
  }

  /** HANDSHAKE metadata for {@link HandshakeFuzzTest#handshake}. */
  static Map<String, byte[]> handshakes() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("valid-handshake", Frames.metaOf(Frames.encode(handshake(), LIMITS)));
    m.put("valid-last-stage", Frames.metaOf(Frames.encode(lastStageHandshake(), LIMITS)));
    m.put(
        "valid-unicode",
        Frames.metaOf(
            Frames.encode(
                new Handshake(
                    "mod\u00e8le-\ud83d\ude80",
                    3,
                    new int[] {1},
                    2,
                    2,
                    64,
                    DType.INT8,
                    Long.MIN_VALUE,
                    Integer.MAX_VALUE,
                    "\u00fc",
                    List.of(new Downstream("h\u00f6st:1", 0))),
                LIMITS)));
    malformedMeta()
        .forEach(
            (name, e) -> {
              if (e.getKey() == FrameType.HANDSHAKE) {
                m.put(name, e.getValue());
              }
            });
    return m;
  }

  /** Every seed, keyed by its path under the resource root. */
  static Map<String, byte[]> all() {
    Map<String, byte[]> all = new LinkedHashMap<>();
    anyBytes().forEach((name, bytes) -> all.put(ANY_BYTES + "/" + name, bytes));
    eachFrameType().forEach((name, bytes) -> all.put(EACH_FRAME_TYPE + "/" + name, bytes));
    handshakes().forEach((name, bytes) -> all.put(HANDSHAKE + "/" + name, bytes));
    return all;
  }

  /**
   * Writes every seed under {@code args[0]} (a test resource root, e.g. {@code
   * src/test/resources}), replacing seeds of the same name and leaving every other file alone.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println(
          "usage: SeedCorpus RESOURCE_ROOT   (e.g. src/test/resources, run from harness/)");
      System.exit(2);
    }
    Path root = Path.of(args[0]).resolve(SeedCorpus.class.getPackageName().replace('.', '/'));
    for (Map.Entry<String, byte[]> e : all().entrySet()) {
      Path file = root.resolve(e.getKey());
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, e.getValue());
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    System.out.println("wrote " + all().size() + " seeds under " + root);
  }
}
