package io.paretopipe.harness.transport.nio;

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
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The frame format (version {@value #VERSION}) and whole-buffer encoding and decoding, for tests,
 * fuzzing and tools. Streams use {@link FrameReader} and {@link FrameWriter}, which share this
 * layout code.
 *
 * <p>A frame is a {@value #HEADER_BYTES}-byte header, a metadata section and a payload, all header
 * and metadata fields big-endian:
 *
 * <pre>
 * offset size field
 *      0    4 magic          0x50504950 ("PPIP")
 *      4    2 version        1
 *      6    1 frame type     {@link FrameType} code
 *      7    1 flags          0 (reserved)
 *      8    4 meta length    unsigned, &lt;= Limits.maxMetaBytes
 *     12    8 payload length unsigned, &lt;= Limits.maxTensorBytes; 0 unless REQUEST or RESULT
 * </pre>
 *
 * The per-type metadata layouts are in {@code docs/PROTOCOL.md}. Stateless and thread-safe.
 */
public final class FrameCodec {
  /** "PPIP" in ASCII. */
  public static final int MAGIC = 0x50504950;

  /** The protocol version this code speaks; a frame with any other version is rejected. */
  public static final int VERSION = 1;

  /** Size of the fixed frame header. */
  public static final int HEADER_BYTES = 20;

  static final int BYTE_ORDER_BIG_ENDIAN = 0;
  static final int BYTE_ORDER_LITTLE_ENDIAN = 1;

  private FrameCodec() {}

  /**
   * One whole frame in a new heap buffer (position 0, limit = frame length), for tests and tools.
   * The tensor payload is copied; streams should use {@link FrameWriter}.
   *
   * @throws ProtocolException if the message exceeds {@code limits}
   */
  public static ByteBuffer encode(Message message, Limits limits) throws ProtocolException {
    ByteArrayChannel out = new ByteArrayChannel();
    try {
      new FrameWriter(out, limits).write(message);
    } catch (ProtocolException e) {
      throw e;
    } catch (IOException e) {
      throw new IllegalStateException("in-memory channel failed", e);
    }
    return out.toBuffer();
  }

  /**
   * Decodes one frame starting at {@code frame}'s position and advances the position past it.
   * Exactly the checks of {@link FrameReader#read()} apply, so fuzzing this fuzzes the stream path.
   *
   * @throws TruncatedFrameException if the buffer ends before the frame does (including when it is
   *     empty)
   * @throws ProtocolException for any malformed frame or length over {@code limits}
   */
  public static Message decode(ByteBuffer frame, Limits limits) throws ProtocolException {
    FrameReader reader = new FrameReader(new ByteBufferChannel(frame), limits);
    Message message;
    try {
      message = reader.read();
    } catch (ProtocolException e) {
      throw e;
    } catch (IOException e) {
      throw new IllegalStateException("in-memory channel failed", e);
    }
    if (message == null) {
      throw new TruncatedFrameException("empty buffer: no frame header");
    }
    return message;
  }

  // ---- metadata encoding (shared with FrameWriter) ----

  /**
   * Writes the metadata of {@code m} at {@code out}'s position.
   *
   * @throws java.nio.BufferOverflowException if {@code out} is too small (the caller grows it and
   *     retries)
   * @throws ProtocolException if a string or list exceeds {@code limits}
   */
  static void encodeMeta(Message m, ByteBuffer out, Limits limits) throws ProtocolException {
    if (m instanceof InferenceRequest r) {
      out.putLong(r.requestId());
      putTensorHeader(out, r.tensor(), limits);
    } else if (m instanceof InferenceResult r) {
      out.putLong(r.requestId());
      List<StageTiming> timings = r.stageTimings();
      checkList("stageTimings", timings.size(), limits);
      out.putInt(timings.size());
      for (StageTiming t : timings) {
        out.putLong(t.computeNanos());
        out.putLong(t.queueNanos());
      }
      putTensorHeader(out, r.tensor(), limits);
    } else if (m instanceof ErrorReport e) {
      out.putLong(e.requestId());
      out.putShort((short) e.code().code());
      putString(out, "message", truncateUtf8(e.message(), limits.maxStringBytes()), limits);
    } else if (m instanceof Handshake h) {
      putString(out, "model", h.model(), limits);
      out.putInt(h.classes());
      int[] input = h.inputShape();
      checkList("inputShape", input.length, limits);
      out.putInt(input.length);
      for (int d : input) {
        out.putInt(d);
      }
      out.putInt(h.unitStart());
      out.putInt(h.unitEnd());
      out.putInt(h.batch());
      out.put((byte) h.dtype().code());
      out.putLong(h.seed());
      out.putInt(h.threads());
      putString(out, "modelDigest", h.modelDigest(), limits);
      checkList("downstream", h.downstream().size(), limits);
      out.putInt(h.downstream().size());
      for (Downstream d : h.downstream()) {
        putString(out, "downstream address", d.address(), limits);
        out.putInt(d.unitEnd());
      }
    } else if (m instanceof HandshakeReply r) {
      putString(out, "model", r.model(), limits);
      checkList("unitNames", r.unitNames().size(), limits);
      out.putInt(r.unitNames().size());
      for (String name : r.unitNames()) {
        putString(out, "unit name", name, limits);
      }
      putShape(out, "expectedInputShape", r.expectedInputShape(), limits);
      putShape(out, "outputShape", r.outputShape(), limits);
      out.putLong(r.parameterCount());
      out.putLong(r.pid());
      putString(out, "cpusAllowed", r.cpusAllowed(), limits);
      out.putInt(r.threads());
      putString(out, "engine", r.engine(), limits);
    } else if (m instanceof AuthChallenge a) {
      putAuthBytes(out, a.challenge());
    } else if (m instanceof AuthProof a) {
      putAuthBytes(out, a.proof());
    } else if (m instanceof AuthAccept a) {
      putAuthBytes(out, a.serverProof());
    } else {
      throw new IllegalArgumentException("unknown message type " + m.getClass());
    }
  }

  private static void putAuthBytes(ByteBuffer out, byte[] bytes) {
    out.putInt(bytes.length);
    out.put(bytes);
  }

  private static void checkList(String field, int size, Limits limits) throws ProtocolException {
    if (size > limits.maxListSize()) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          field + " has " + size + " entries: the limit is maxListSize=" + limits.maxListSize());
    }
  }

  private static void putString(ByteBuffer out, String field, String s, Limits limits)
      throws ProtocolException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > limits.maxStringBytes()) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          field
              + " is "
              + bytes.length
              + " UTF-8 bytes long: the limit is maxStringBytes="
              + limits.maxStringBytes());
    }
    out.putInt(bytes.length);
    out.put(bytes);
  }

  private static void putShape(ByteBuffer out, String field, long[] shape, Limits limits)
      throws ProtocolException {
    if (shape.length > limits.maxRank()) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          field + " has rank " + shape.length + ": the limit is maxRank=" + limits.maxRank());
    }
    out.put((byte) shape.length);
    for (long d : shape) {
      out.putLong(d);
    }
  }

  private static void putTensorHeader(ByteBuffer out, Tensor t, Limits limits)
      throws ProtocolException {
    if (t.byteSize() > limits.maxTensorBytes()) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          "tensor of " + t.byteSize() + " bytes exceeds maxTensorBytes=" + limits.maxTensorBytes());
    }
    out.put((byte) t.dtype().code());
    out.put(
        (byte)
            (t.byteOrder() == ByteOrder.BIG_ENDIAN
                ? BYTE_ORDER_BIG_ENDIAN
                : BYTE_ORDER_LITTLE_ENDIAN));
    putShape(out, "tensor shape", t.shape(), limits);
  }

  /**
   * The longest prefix of {@code s} whose UTF-8 form fits {@code maxBytes}, so an error message
   * never fails to encode.
   */
  static String truncateUtf8(String s, int maxBytes) {
    java.nio.CharBuffer in = java.nio.CharBuffer.wrap(s);
    StandardCharsets.UTF_8
        .newEncoder()
        .onMalformedInput(java.nio.charset.CodingErrorAction.REPLACE)
        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPLACE)
        .encode(in, ByteBuffer.allocate(maxBytes), true);
    return s.substring(0, in.position());
  }

  // ---- metadata decoding (shared with FrameReader) ----

  /**
   * The decoded metadata of one frame; for REQUEST and RESULT, the payload still has to be read.
   */
  static final class Decoded {
    final FrameType type;
    Message message;
    long requestId;
    List<StageTiming> timings;
    DType dtype;
    ByteOrder order;
    long[] shape;

    Decoded(FrameType type) {
      this.type = type;
    }
  }

  /**
   * Decodes a metadata section and, for tensor frames, checks that the tensor header accounts for
   * exactly {@code payloadLength} bytes.
   */
  static Decoded decodeMeta(FrameType type, ByteBuffer meta, long payloadLength, Limits limits)
      throws ProtocolException {
    MetaDecoder in = new MetaDecoder(meta, limits, type);
    Decoded d = new Decoded(type);
    try {
      switch (type) {
        case REQUEST -> {
          d.requestId = in.i64("requestId");
          if (d.requestId == StageException.NO_REQUEST) {
            throw new ProtocolException(
                ErrorCode.BAD_FRAME, "REQUEST frame has request id -1, which is reserved");
          }
          tensorHeader(in, d, payloadLength);
        }
        case RESULT -> {
          d.requestId = in.i64("requestId");
          int n = in.count("stageTimings", 16);
          List<StageTiming> timings = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            timings.add(new StageTiming(in.i64("computeNanos"), in.i64("queueNanos")));
          }
          d.timings = timings;
          tensorHeader(in, d, payloadLength);
        }
        case ERROR -> {
          long requestId = in.i64("requestId");
          ErrorCode code = ErrorCode.fromCode(in.u16("code"));
          d.message = new ErrorReport(requestId, code, in.string("message"));
        }
        case HANDSHAKE -> {
          String model = in.string("model");
          int classes = in.i32("classes");
          int[] input = new int[in.count("inputShape", 4)];
          for (int i = 0; i < input.length; i++) {
            input[i] = in.i32("inputShape");
          }
          int unitStart = in.i32("unitStart");
          int unitEnd = in.i32("unitEnd");
          int batch = in.i32("batch");
          DType dtype = DType.fromCode(in.u8("dtype"));
          long seed = in.i64("seed");
          int threads = in.i32("threads");
          String digest = in.string("modelDigest");
          int n = in.count("downstream", 8);
          List<Downstream> downstream = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            downstream.add(
                new Downstream(in.string("downstream address"), in.i32("downstream unitEnd")));
          }
          d.message =
              new Handshake(
                  model,
                  classes,
                  input,
                  unitStart,
                  unitEnd,
                  batch,
                  dtype,
                  seed,
                  threads,
                  digest,
                  downstream);
        }
        case HANDSHAKE_REPLY -> {
          String model = in.string("model");
          int n = in.count("unitNames", 4);
          List<String> names = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            names.add(in.string("unit name"));
          }
          long[] expected = in.shape("expectedInputShape");
          long[] output = in.shape("outputShape");
          d.message =
              new HandshakeReply(
                  model,
                  names,
                  expected,
                  output,
                  in.i64("parameterCount"),
                  in.i64("pid"),
                  in.string("cpusAllowed"),
                  in.i32("threads"),
                  in.string("engine"));
        }
        case AUTH_CHALLENGE -> d.message = new AuthChallenge(in.authBytes("challenge"));
        case AUTH_PROOF -> d.message = new AuthProof(in.authBytes("proof"));
        case AUTH_ACCEPT -> d.message = new AuthAccept(in.authBytes("serverProof"));
        default -> throw new IllegalStateException("unhandled frame type " + type);
      }
    } catch (IllegalArgumentException e) {
      ErrorCode code = type == FrameType.HANDSHAKE ? ErrorCode.BAD_HANDSHAKE : ErrorCode.BAD_FRAME;
      throw new ProtocolException(code, "invalid " + type + " frame: " + e.getMessage(), e);
    }
    in.end();
    return d;
  }

  private static void tensorHeader(MetaDecoder in, Decoded d, long payloadLength)
      throws ProtocolException {
    d.dtype = DType.fromCode(in.u8("tensor dtype"));
    int order = in.u8("tensor byte order");
    if (order == BYTE_ORDER_BIG_ENDIAN) {
      d.order = ByteOrder.BIG_ENDIAN;
    } else if (order == BYTE_ORDER_LITTLE_ENDIAN) {
      d.order = ByteOrder.LITTLE_ENDIAN;
    } else {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME,
          "tensor byte order "
              + order
              + " is unknown: valid values are 0 (big-endian) and 1 (little-endian)");
    }
    d.shape = in.shape("tensor shape");
    long expected;
    try {
      expected = Tensor.byteSize(d.dtype, d.shape);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE, e.getMessage(), e);
    }
    if (expected != payloadLength) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME,
          "tensor "
              + d.dtype
              + " "
              + java.util.Arrays.toString(d.shape)
              + " needs "
              + expected
              + " payload bytes but the frame header declares "
              + payloadLength);
    }
  }

  /**
   * Converts a payload received in {@code from} order to native order, in place, element by
   * element.
   */
  static void toNativeOrder(ByteBuffer payload, DType dtype, ByteOrder from) {
    if (from == ByteOrder.nativeOrder() || dtype.byteSize() == 1) {
      return;
    }
    ByteBuffer src = payload.duplicate().order(from);
    ByteBuffer dst = payload.duplicate().order(ByteOrder.nativeOrder());
    int limit = payload.capacity();
    switch (dtype.byteSize()) {
      case 2 -> {
        for (int i = 0; i < limit; i += 2) {
          dst.putShort(i, src.getShort(i));
        }
      }
      case 4 -> {
        for (int i = 0; i < limit; i += 4) {
          dst.putInt(i, src.getInt(i));
        }
      }
      case 8 -> {
        for (int i = 0; i < limit; i += 8) {
          dst.putLong(i, src.getLong(i));
        }
      }
      default -> throw new IllegalStateException("unexpected element size " + dtype.byteSize());
    }
  }

  /** A gathering channel that appends everything to a growing byte array. */
  private static final class ByteArrayChannel implements GatheringByteChannel {
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
      long n = 0;
      for (int i = offset; i < offset + length; i++) {
        n += write(srcs[i]);
      }
      return n;
    }

    @Override
    public long write(ByteBuffer[] srcs) {
      return write(srcs, 0, srcs.length);
    }

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      byte[] bytes = new byte[n];
      src.get(bytes);
      out.write(bytes, 0, n);
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}

    ByteBuffer toBuffer() {
      return ByteBuffer.wrap(out.toByteArray());
    }
  }

  /** Reads from a buffer, advancing its position; -1 at its limit. */
  private static final class ByteBufferChannel implements ReadableByteChannel {
    private final ByteBuffer src;

    ByteBufferChannel(ByteBuffer src) {
      this.src = src;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (!src.hasRemaining()) {
        return -1;
      }
      int n = Math.min(dst.remaining(), src.remaining());
      ByteBuffer part = src.slice().limit(n);
      dst.put(part);
      src.position(src.position() + n);
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
