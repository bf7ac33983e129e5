package io.paretopipe.harness.transport.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Downstream;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.StageTiming;
import io.paretopipe.harness.protocol.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The frame format byte for byte, round trips of every message, limits, and a fuzz of the decoder.
 */
class FrameCodecTest {
  private static final Limits LIMITS = Limits.DEFAULT;

  private static Handshake handshake() {
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

  private static Tensor tensor(DType dtype, ByteOrder order, long... shape) {
    int bytes = (int) Tensor.byteSize(dtype, shape);
    ByteBuffer b = ByteBuffer.allocateDirect(bytes).order(order);
    for (int i = 0; i < bytes; i++) {
      b.put(i, (byte) (i * 31 + 7));
    }
    return new Tensor(dtype, shape, b);
  }

  private static Message roundTrip(Message m) throws ProtocolException {
    ByteBuffer frame = FrameCodec.encode(m, LIMITS);
    Message back = FrameCodec.decode(frame, LIMITS);
    assertFalse(frame.hasRemaining(), "decode must consume exactly one frame");
    return back;
  }

  @Test
  void errorFrameHasTheDocumentedBytes() throws Exception {
    ByteBuffer frame =
        FrameCodec.encode(new ErrorReport(7, ErrorCode.SHAPE_MISMATCH, "bad"), LIMITS);
    String hex = HexFormat.of().formatHex(frame.array());
    assertEquals(
        "50504950"
            + "0001"
            + "05"
            + "00"
            + "00000011"
            + "0000000000000000" // header
            + "0000000000000007"
            + "0007"
            + "00000003"
            + "626164",
        hex); // id, code, "bad"
  }

  @Test
  void requestFrameHasTheDocumentedBytes() throws Exception {
    ByteBuffer data =
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.0f).putFloat(-2.0f).flip();
    ByteBuffer frame =
        FrameCodec.encode(
            new InferenceRequest(1, new Tensor(DType.FLOAT32, new long[] {1, 2}, data)), LIMITS);
    assertEquals(
        "50504950"
            + "0001"
            + "03"
            + "00"
            + "0000001b"
            + "0000000000000008"
            + "0000000000000001"
            + "01"
            + "01"
            + "02"
            + "0000000000000001"
            + "0000000000000002"
            + "0000803f"
            + "000000c0",
        HexFormat.of().formatHex(frame.array()));
  }

  @Test
  void everyMessageSurvivesARoundTrip() throws Exception {
    Handshake h = handshake();
    assertEquals(h, roundTrip(h));
    HandshakeReply reply =
        new HandshakeReply(
            "resnet18",
            List.of("layer2", "layer3", "layer4", "fc"),
            new long[] {8, 128, 28, 28},
            new long[] {8, 1000},
            11_000_000L,
            4242L,
            "2-3",
            1,
            "PyTorch 2.5.1 \u00e9");
    assertEquals(reply, roundTrip(reply));
    ErrorReport error =
        new ErrorReport(StageException.NO_REQUEST, ErrorCode.BAD_SPLIT, "split 19 is out of range");
    assertEquals(error, roundTrip(error));

    Tensor t = tensor(DType.INT64, ByteOrder.nativeOrder(), 2, 3);
    InferenceRequest request =
        (InferenceRequest) roundTrip(new InferenceRequest(Long.MAX_VALUE, t));
    assertEquals(Long.MAX_VALUE, request.requestId());
    assertTrue(request.tensor().equalsBytes(t));

    InferenceResult result =
        (InferenceResult)
            roundTrip(
                new InferenceResult(
                    -5, t, List.of(new StageTiming(10, 1), new StageTiming(20, 2))));
    assertEquals(-5, result.requestId());
    assertEquals(List.of(new StageTiming(10, 1), new StageTiming(20, 2)), result.stageTimings());
    assertTrue(result.tensor().equalsBytes(t));
    assertTrue(result.tensor().data().isDirect());
  }

  @Test
  void payloadInTheOtherByteOrderIsConvertedToNative() throws Exception {
    ByteOrder foreign =
        ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
            ? ByteOrder.BIG_ENDIAN
            : ByteOrder.LITTLE_ENDIAN;
    float[] floats = {1.5f, -0.25f, 3e8f};
    ByteBuffer b = ByteBuffer.allocate(12).order(foreign);
    for (float f : floats) {
      b.putFloat(f);
    }
    b.flip();
    Tensor received =
        ((InferenceRequest)
                roundTrip(new InferenceRequest(1, new Tensor(DType.FLOAT32, new long[] {3}, b))))
            .tensor();
    assertEquals(ByteOrder.nativeOrder(), received.byteOrder());
    ByteBuffer data = received.data();
    for (int i = 0; i < floats.length; i++) {
      assertEquals(floats[i], data.getFloat(i * 4));
    }
    ByteBuffer halves =
        ByteBuffer.allocate(4)
            .order(foreign)
            .putShort((short) 0x3c00)
            .putShort((short) 0x1234)
            .flip();
    ByteBuffer h =
        ((InferenceRequest)
                roundTrip(
                    new InferenceRequest(2, new Tensor(DType.FLOAT16, new long[] {2}, halves))))
            .tensor()
            .data();
    assertEquals((short) 0x3c00, h.getShort(0));
    assertEquals((short) 0x1234, h.getShort(2));
  }

  @Test
  void readerStopsCleanlyBetweenFramesAndResumesAfterAChannelFailure() throws Exception {
    ByteBuffer two = ByteBuffer.allocate(1000);
    two.put(FrameCodec.encode(new ErrorReport(1, ErrorCode.TIMEOUT, "a"), LIMITS));
    two.put(
        FrameCodec.encode(
            new InferenceRequest(2, tensor(DType.UINT8, ByteOrder.BIG_ENDIAN, 100)), LIMITS));
    two.flip();
    // a channel that hands out 7 bytes at a time and fails every third call, like a deadline would
    ReadableByteChannel flaky =
        new ReadableByteChannel() {
          int calls;

          @Override
          public int read(ByteBuffer dst) throws IOException {
            if (++calls % 3 == 0) {
              throw new java.net.SocketTimeoutException("tick");
            }
            if (!two.hasRemaining()) {
              return -1;
            }
            int n = Math.min(7, Math.min(dst.remaining(), two.remaining()));
            dst.put(two.slice().limit(n));
            two.position(two.position() + n);
            return n;
          }

          @Override
          public boolean isOpen() {
            return true;
          }

          @Override
          public void close() {}
        };
    FrameReader reader = new FrameReader(flaky, LIMITS);
    java.util.List<Message> got = new java.util.ArrayList<>();
    for (int attempts = 0; attempts < 1000 && got.size() < 3; attempts++) {
      try {
        Message m = reader.read();
        got.add(m);
        if (m == null) {
          break;
        }
      } catch (java.net.SocketTimeoutException expected) {
        // resume
      }
    }
    assertEquals(3, got.size());
    assertEquals(new ErrorReport(1, ErrorCode.TIMEOUT, "a"), got.get(0));
    assertTrue(
        ((InferenceRequest) got.get(1))
            .tensor()
            .equalsBytes(tensor(DType.UINT8, ByteOrder.BIG_ENDIAN, 100)));
    assertEquals(null, got.get(2));
  }

  @Test
  void senderRefusesWhatItsLimitsForbidBeforeWritingAnything() {
    Limits small = LIMITS.withMaxTensorBytes(100).withMaxStringBytes(8).withMaxListSize(1);
    ProtocolException tooBig =
        assertThrows(
            ProtocolException.class,
            () ->
                FrameCodec.encode(
                    new InferenceRequest(1, tensor(DType.FLOAT32, ByteOrder.nativeOrder(), 26)),
                    small));
    assertEquals(ErrorCode.FRAME_TOO_LARGE, tooBig.code());
    assertEquals("tensor of 104 bytes exceeds maxTensorBytes=100", tooBig.getMessage());
    ProtocolException longName =
        assertThrows(
            ProtocolException.class,
            () -> FrameCodec.encode(handshake(), LIMITS.withMaxStringBytes(7)));
    assertEquals(
        "model is 8 UTF-8 bytes long: the limit is maxStringBytes=7", longName.getMessage());
    ProtocolException longList =
        assertThrows(ProtocolException.class, () -> FrameCodec.encode(handshake(), small));
    assertEquals("inputShape has 3 entries: the limit is maxListSize=1", longList.getMessage());
  }

  @Test
  void longErrorMessagesAreTruncatedToFitNotRefused() throws Exception {
    Limits small = LIMITS.withMaxStringBytes(10);
    ErrorReport e =
        (ErrorReport)
            FrameCodec.decode(
                FrameCodec.encode(
                    new ErrorReport(
                        1, ErrorCode.INTERNAL, "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9 overflow"),
                    small),
                small);
    assertEquals("\u00e9\u00e9\u00e9\u00e9\u00e9", e.message());
  }

  @Test
  void codesAreStable() throws Exception {
    assertEquals(1, DType.FLOAT32.code());
    assertEquals(9, DType.BOOLEAN.code());
    assertEquals(DType.BFLOAT16, DType.fromCode(4));
    ProtocolException unknown = assertThrows(ProtocolException.class, () -> DType.fromCode(10));
    assertEquals(ErrorCode.BAD_FRAME, unknown.code());
    assertTrue(unknown.getMessage().startsWith("unknown dtype code 10: valid codes are 1..9"));
    assertEquals(ErrorCode.SHAPE_MISMATCH, ErrorCode.fromCode(7));
    assertEquals(ErrorCode.UNKNOWN, ErrorCode.fromCode(999));
    assertEquals(ErrorCode.UNKNOWN, ErrorCode.fromCode(-1));
    ErrorReport fromNewerPeer =
        (ErrorReport)
            FrameCodec.decode(
                ByteBuffer.wrap(
                    HexFormat.of()
                        .parseHex(
                            "50504950000105000000000f0000000000000000"
                                + "0000000000000001"
                                + "03e7"
                                + "00000001"
                                + "78")),
                LIMITS);
    assertEquals(new ErrorReport(1, ErrorCode.UNKNOWN, "x"), fromNewerPeer);
  }

  @Test
  void tensorChecksItsBytesAgainstItsShape() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Tensor(DType.FLOAT32, new long[] {2, 3}, ByteBuffer.allocate(20)));
    assertEquals(
        "tensor data has 20 bytes but shape [2, 3] of FLOAT32 needs 24 bytes", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Tensor(DType.UINT8, new long[9], ByteBuffer.allocate(0)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Tensor(DType.UINT8, new long[] {-1}, ByteBuffer.allocate(0)));
    long[] shape = {2};
    Tensor t = new Tensor(DType.UINT8, shape, ByteBuffer.wrap(new byte[] {9, 1, 2, 9}, 1, 2));
    shape[0] = 5;
    assertArrayEquals(new long[] {2}, t.shape());
    assertEquals(0, t.data().position());
    assertEquals(1, t.data().get(0));
    assertEquals(2, t.byteSize());
  }

  @Test
  void fuzzedFramesOnlyEverFailWithProtocolExceptions() throws Exception {
    List<ByteBuffer> seeds =
        List.of(
            FrameCodec.encode(handshake(), LIMITS),
            FrameCodec.encode(
                new InferenceResult(
                    3,
                    tensor(DType.FLOAT16, ByteOrder.BIG_ENDIAN, 2, 3),
                    List.of(new StageTiming(1, 2))),
                LIMITS),
            FrameCodec.encode(
                new HandshakeReply(
                    "m", List.of("a"), new long[] {1, 2}, new long[] {1}, 1, 2, "", 1, "e"),
                LIMITS));
    Limits tight = LIMITS.withMaxTensorBytes(1 << 16).withMaxMetaBytes(1 << 12);
    Random random = new Random(20240601);
    int decoded = 0;
    for (int i = 0; i < 6_000; i++) {
      byte[] frame = seeds.get(i % seeds.size()).array().clone();
      int mutations = 1 + random.nextInt(4);
      for (int m = 0; m < mutations; m++) {
        frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
      }
      int length = random.nextInt(8) == 0 ? random.nextInt(frame.length + 1) : frame.length;
      try {
        FrameCodec.decode(ByteBuffer.wrap(frame, 0, length), tight);
        decoded++;
      } catch (ProtocolException expected) {
        assertTrue(
            expected.code() == ErrorCode.BAD_FRAME
                || expected.code() == ErrorCode.FRAME_TOO_LARGE
                || expected.code() == ErrorCode.UNSUPPORTED_VERSION
                || expected.code() == ErrorCode.BAD_HANDSHAKE,
            expected.toString());
        assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
      }
    }
    assertTrue(decoded > 0, "some mutations (e.g. of payload bytes) must still decode");
  }

  @Test
  void limitsRejectNonsense() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LIMITS.withMaxRank(9));
    assertEquals("maxRank: 9 (expected: 0..8)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LIMITS.withMaxTensorBytes(1L << 40));
    assertEquals(512L << 20, LIMITS.maxTensorBytes());
  }
}
