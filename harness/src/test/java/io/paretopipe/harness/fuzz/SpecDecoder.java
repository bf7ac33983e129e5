package io.paretopipe.harness.fuzz;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Downstream;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.StageTiming;
import io.paretopipe.harness.transport.nio.AuthAccept;
import io.paretopipe.harness.transport.nio.AuthChallenge;
import io.paretopipe.harness.transport.nio.AuthProof;
import io.paretopipe.harness.transport.nio.FrameType;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A second, deliberately plain decoder of the metadata sections of {@code docs/PROTOCOL.md} §3,
 * written from the document rather than from {@code FrameCodec}: byte-by-byte big-endian reads, its
 * own dtype and error-code tables, UTF-8 validity by round trip instead of a strict decoder. The
 * fuzz targets decode the same bytes with both and require the same outcome: the same message, or a
 * rejection with the same {@link ErrorCode}.
 *
 * <p>Where the document leaves the order of two checks open, this follows the order the fields are
 * laid out in and checks each length when it is read:
 *
 * <ul>
 *   <li>a string or list length is checked against its limit ({@code FRAME_TOO_LARGE}) before
 *       against the bytes left ({@code BAD_FRAME}); a list needs at least 4 bytes per i32 or string
 *       entry, 8 per downstream entry and 16 per stage timing;
 *   <li>a downstream entry with an empty address or a negative unitEnd is {@code BAD_HANDSHAKE} as
 *       soon as it is read; the other HANDSHAKE ranges (§3.1) are checked after the last field,
 *       before trailing bytes ({@code BAD_FRAME});
 *   <li>a stage timing with a negative duration is {@code BAD_FRAME} as soon as it is read;
 *   <li>a tensor's byte size is multiplied out dimension by dimension, left to right, then by the
 *       element size; a step that overflows 2^63-1 is {@code FRAME_TOO_LARGE}, even if a later
 *       dimension is 0.
 * </ul>
 *
 * Stateless; thread-safe.
 */
final class SpecDecoder {
  /** §2 dtype table: the name of code i, and its element size in bytes. */
  private static final String[] DTYPE_NAMES = {
    null, "FLOAT32", "FLOAT64", "FLOAT16", "BFLOAT16", "INT8", "UINT8", "INT32", "INT64", "BOOLEAN"
  };

  private static final int[] DTYPE_BYTES = {0, 4, 8, 2, 2, 1, 1, 4, 8, 1};

  /** §5 error code table, code i at index i. */
  private static final String[] ERROR_NAMES = {
    "UNKNOWN",
    "BAD_FRAME",
    "UNSUPPORTED_VERSION",
    "FRAME_TOO_LARGE",
    "BAD_HANDSHAKE",
    "UNKNOWN_MODEL",
    "BAD_SPLIT",
    "SHAPE_MISMATCH",
    "NOT_READY",
    "INTERNAL",
    "DOWNSTREAM_FAILED",
    "TIMEOUT",
    "CLOSED",
    "BUSY",
    "UNSUPPORTED",
    "UNAUTHENTICATED"
  };

  /** §3.6: most bytes an authentication field may carry. */
  private static final int MAX_AUTH_BYTES = 256;

  private SpecDecoder() {}

  /** The header fields of a REQUEST or RESULT (everything but the payload). */
  record TensorFrame(
      long requestId,
      List<StageTiming> timings,
      DType dtype,
      ByteOrder order,
      long[] shape,
      long payloadBytes) {}

  /**
   * What the document says one metadata section decodes to: a rejection code, or (accepted) a
   * message for HANDSHAKE, HANDSHAKE_REPLY and ERROR, or the tensor header for REQUEST and RESULT
   * (whose payload length the caller still has to match against {@link TensorFrame#payloadBytes}).
   */
  record Expectation(ErrorCode rejection, Message message, TensorFrame tensorFrame) {
    static Expectation rejected(ErrorCode code) {
      return new Expectation(code, null, null);
    }

    boolean accepted() {
      return rejection == null;
    }
  }

  /** The element size §2 gives for a dtype. */
  static int elementBytes(DType t) {
    return DTYPE_BYTES[Arrays.asList(DTYPE_NAMES).indexOf(t.name())];
  }

  /** Decodes {@code meta} as the metadata of a {@code type} frame under {@code limits}. */
  static Expectation decodeMeta(FrameType type, byte[] meta, Limits limits) {
    Cursor in = new Cursor(meta, limits);
    try {
      Expectation e =
          switch (type) {
            case HANDSHAKE -> new Expectation(null, handshake(in), null);
            case HANDSHAKE_REPLY -> new Expectation(null, handshakeReply(in), null);
            case ERROR -> new Expectation(null, error(in), null);
            case REQUEST -> new Expectation(null, null, tensorFrame(in, false));
            case RESULT -> new Expectation(null, null, tensorFrame(in, true));
            case AUTH_CHALLENGE -> new Expectation(null, new AuthChallenge(in.authBytes()), null);
            case AUTH_PROOF -> new Expectation(null, new AuthProof(in.authBytes()), null);
            case AUTH_ACCEPT -> new Expectation(null, new AuthAccept(in.authBytes()), null);
          };
      if (in.remaining() > 0) {
        return Expectation.rejected(ErrorCode.BAD_FRAME);
      }
      return e;
    } catch (Reject r) {
      return Expectation.rejected(r.code);
    }
  }

  private static Handshake handshake(Cursor in) throws Reject {
    String model = in.string();
    int classes = in.i32();
    int[] inputShape = new int[in.count(4)];
    for (int i = 0; i < inputShape.length; i++) {
      inputShape[i] = in.i32();
    }
    int unitStart = in.i32();
    int unitEnd = in.i32();
    int batch = in.i32();
    DType dtype = in.dtype();
    long seed = in.i64();
    int threads = in.i32();
    String digest = in.string();
    int n = in.count(8);
    List<Downstream> downstream = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String address = in.string();
      int end = in.i32();
      if (address.isEmpty() || end < 0) {
        throw new Reject(ErrorCode.BAD_HANDSHAKE);
      }
      downstream.add(new Downstream(address, end));
    }
    boolean inRange =
        !model.isEmpty()
            && classes >= 1
            && Arrays.stream(inputShape).allMatch(d -> d >= 1)
            && unitStart >= 0
            && unitEnd >= unitStart
            && batch >= 1
            && threads >= 0;
    if (!inRange) {
      throw new Reject(ErrorCode.BAD_HANDSHAKE);
    }
    return new Handshake(
        model,
        classes,
        inputShape,
        unitStart,
        unitEnd,
        batch,
        dtype,
        seed,
        threads,
        digest,
        downstream);
  }

  private static HandshakeReply handshakeReply(Cursor in) throws Reject {
    String model = in.string();
    int n = in.count(4);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      names.add(in.string());
    }
    long[] expected = in.shape();
    long[] output = in.shape();
    long parameterCount = in.i64();
    long pid = in.i64();
    String cpus = in.string();
    int threads = in.i32();
    String engine = in.string();
    return new HandshakeReply(
        model, names, expected, output, parameterCount, pid, cpus, threads, engine);
  }

  private static ErrorReport error(Cursor in) throws Reject {
    long requestId = in.i64();
    int code = in.u16();
    String message = in.string();
    ErrorCode known =
        code < ERROR_NAMES.length ? ErrorCode.valueOf(ERROR_NAMES[code]) : ErrorCode.UNKNOWN;
    return new ErrorReport(requestId, known, message);
  }

  private static TensorFrame tensorFrame(Cursor in, boolean result) throws Reject {
    long requestId = in.i64();
    if (!result && requestId == -1) {
      throw new Reject(ErrorCode.BAD_FRAME);
    }
    List<StageTiming> timings = new ArrayList<>();
    if (result) {
      int n = in.count(16);
      for (int i = 0; i < n; i++) {
        long compute = in.i64();
        long queue = in.i64();
        if (compute < 0 || queue < 0) {
          throw new Reject(ErrorCode.BAD_FRAME);
        }
        timings.add(new StageTiming(compute, queue));
      }
    }
    DType dtype = in.dtype();
    int order = in.u8();
    if (order > 1) {
      throw new Reject(ErrorCode.BAD_FRAME);
    }
    long[] shape = in.shape();
    long bytes = 1;
    try {
      for (long d : shape) {
        bytes = Math.multiplyExact(bytes, d);
      }
      bytes = Math.multiplyExact(bytes, (long) elementBytes(dtype));
    } catch (ArithmeticException e) {
      throw new Reject(ErrorCode.FRAME_TOO_LARGE);
    }
    return new TensorFrame(
        requestId,
        timings,
        dtype,
        order == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN,
        shape,
        bytes);
  }

  /** A rejection with its code; no stack trace (control flow only). */
  private static final class Reject extends Exception {
    private static final long serialVersionUID = 1L;
    final ErrorCode code;

    Reject(ErrorCode code) {
      super(code.name(), null, false, false);
      this.code = code;
    }
  }

  /** Big-endian reads from a byte array, each length checked as §2 and §4 say. */
  private static final class Cursor {
    private final byte[] bytes;
    private final Limits limits;
    private int position;

    Cursor(byte[] bytes, Limits limits) {
      this.bytes = bytes;
      this.limits = limits;
    }

    int remaining() {
      return bytes.length - position;
    }

    private long unsigned(int size) throws Reject {
      if (remaining() < size) {
        throw new Reject(ErrorCode.BAD_FRAME);
      }
      long v = 0;
      for (int i = 0; i < size; i++) {
        v = (v << 8) | (bytes[position++] & 0xFF);
      }
      return v;
    }

    int u8() throws Reject {
      return (int) unsigned(1);
    }

    int u16() throws Reject {
      return (int) unsigned(2);
    }

    int i32() throws Reject {
      return (int) unsigned(4);
    }

    long i64() throws Reject {
      return unsigned(8);
    }

    String string() throws Reject {
      long n = unsigned(4);
      if (n > limits.maxStringBytes()) {
        throw new Reject(ErrorCode.FRAME_TOO_LARGE);
      }
      if (n > remaining()) {
        throw new Reject(ErrorCode.BAD_FRAME);
      }
      byte[] raw = Arrays.copyOfRange(bytes, position, position + (int) n);
      position += (int) n;
      String s = new String(raw, StandardCharsets.UTF_8);
      if (!Arrays.equals(raw, s.getBytes(StandardCharsets.UTF_8))) {
        throw new Reject(ErrorCode.BAD_FRAME);
      }
      return s;
    }

    int count(int minItemBytes) throws Reject {
      long n = unsigned(4);
      if (n > limits.maxListSize()) {
        throw new Reject(ErrorCode.FRAME_TOO_LARGE);
      }
      if (n * minItemBytes > remaining()) {
        throw new Reject(ErrorCode.BAD_FRAME);
      }
      return (int) n;
    }

    byte[] authBytes() throws Reject {
      long n = unsigned(4);
      if (n > MAX_AUTH_BYTES) {
        throw new Reject(ErrorCode.FRAME_TOO_LARGE);
      }
      if (n == 0 || n > remaining()) {
        throw new Reject(ErrorCode.BAD_FRAME);
      }
      byte[] raw = Arrays.copyOfRange(bytes, position, position + (int) n);
      position += (int) n;
      return raw;
    }

    long[] shape() throws Reject {
      int rank = u8();
      if (rank > limits.maxRank()) {
        throw new Reject(ErrorCode.FRAME_TOO_LARGE);
      }
      if (rank * 8 > remaining()) {
        throw new Reject(ErrorCode.BAD_FRAME);
      }
      long[] dims = new long[rank];
      for (int i = 0; i < rank; i++) {
        dims[i] = i64();
        if (dims[i] < 0) {
          throw new Reject(ErrorCode.BAD_FRAME);
        }
      }
      return dims;
    }

    DType dtype() throws Reject {
      int code = u8();
      if (code < 1 || code >= DTYPE_NAMES.length) {
        throw new Reject(ErrorCode.BAD_FRAME);
      }
      return DType.valueOf(DTYPE_NAMES[code]);
    }
  }
}
