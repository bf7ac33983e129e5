package io.paretopipe.harness.fuzz;

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
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.transport.nio.FrameCodec;
import io.paretopipe.harness.transport.nio.FrameType;
import io.paretopipe.harness.transport.nio.TruncatedFrameException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * The contract every fuzz target checks on every input, whatever the bytes:
 *
 * <ul>
 *   <li><b>Typed rejections only.</b> Decoding either returns a message or throws a {@link
 *       ProtocolException} (or its subtype {@link TruncatedFrameException}) with one of the codes
 *       {@code ProtocolException} documents ({@link #REJECTION_CODES}), request id -1 and a
 *       non-blank message of at most {@link #MAX_MESSAGE_CHARS} characters. Any other exception or
 *       error (an {@code IndexOutOfBoundsException}, {@code OutOfMemoryError}, ...) is a contract
 *       violation.
 *   <li><b>Truncation means truncation.</b> Input shorter than a header is reported as {@code
 *       TruncatedFrameException}; {@code TruncatedFrameException} is only ever reported when the
 *       input really is shorter than the frame its header declares.
 *   <li><b>Bounded allocation.</b> One decode allocates at most {@link #HEAP_BUDGET_BYTES} on the
 *       heap and at most {@link #directBudgetBytes()} of direct memory (header, metadata and
 *       payload buffers within {@link #LIMITS}), however large the lengths the input declares.
 *       Measured with the current thread's allocation counter and the JVM's "direct" buffer pool.
 *       An input over budget is decoded a second time and judged by that run, so that one-time
 *       class loading (and Jazzer instrumenting the loaded classes) on the first decode along a new
 *       path does not count.
 *   <li><b>What is accepted is within the limits.</b> An accepted frame consumes exactly the 20 +
 *       meta + payload bytes its header declares, and every string, list, rank and tensor in it is
 *       within {@link #LIMITS}; tensors arrive as direct native-order buffers.
 *   <li><b>What is accepted can be sent back.</b> Re-encoding an accepted message under the same
 *       limits succeeds and decodes to an equal message; for HANDSHAKE and HANDSHAKE_REPLY frames
 *       (and ERROR frames with a known code, tensor frames in native order) the re-encoded bytes
 *       are the input bytes exactly, so the encoding is canonical (authentication binds the
 *       handshake's bytes, see {@code io.paretopipe.harness.auth.HandshakeBinding}).
 * </ul>
 *
 * <p>Violations are {@link AssertionError}s carrying the input in hex, so Jazzer reports them as
 * findings and JUnit as failures. Stateless; thread-safe.
 */
public final class DecoderContract {
  /**
   * Small limits, so that the budgets are tight and a decoder that allocates by a declared length
   * instead of a checked one is caught at once: 8 KiB metadata, 64 KiB tensors, rank 8, 256-byte
   * strings, 32-entry lists.
   */
  static final Limits LIMITS = new Limits(8 << 10, 64 << 10, Tensor.MAX_RANK, 256, 32);

  /** The codes {@link ProtocolException} documents for malformed input. */
  static final Set<ErrorCode> REJECTION_CODES =
      EnumSet.of(
          ErrorCode.BAD_FRAME,
          ErrorCode.UNSUPPORTED_VERSION,
          ErrorCode.FRAME_TOO_LARGE,
          ErrorCode.BAD_HANDSHAKE);

  /**
   * Heap one decode may allocate, bytes: metadata-sized temporaries (strings decode to at most 2
   * bytes per input byte, lists, records), the exception with its stack trace and message. 1 MiB is
   * 16 times the largest tensor these limits admit; anything sized by an unchecked declared length
   * (up to 2^32 for a u32, 2^63 for a payload) is far beyond it.
   */
  static final long HEAP_BUDGET_BYTES = 1L << 20;

  /**
   * Longest acceptable rejection message: it names fields and numbers, never echoes unbounded
   * input.
   */
  static final int MAX_MESSAGE_CHARS = 2048;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final BufferPoolMXBean DIRECT =
      ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
          .filter(b -> b.getName().equals("direct"))
          .findFirst()
          .orElseThrow(
              () -> new IllegalStateException("this JVM reports no \"direct\" buffer pool"));

  private DecoderContract() {}

  /** Something that turns bytes into at most one message, like {@link FrameCodec#decode}. */
  @FunctionalInterface
  interface Decoder {
    Message decode(ByteBuffer input) throws ProtocolException;
  }

  /** The decoder under test: {@link FrameCodec#decode} with {@link #LIMITS}. */
  static final Decoder FRAME_CODEC = in -> FrameCodec.decode(in, LIMITS);

  /**
   * Direct memory one decode may allocate, bytes: the 20-byte header buffer, the reader's initial 4
   * KiB metadata buffer, one grown metadata buffer of at most maxMetaBytes, and the payload.
   */
  static long directBudgetBytes() {
    return FrameCodec.HEADER_BYTES + 4096 + LIMITS.maxMetaBytes() + LIMITS.maxTensorBytes();
  }

  /**
   * The outcome of one decode that met the contract: exactly one of {@code message} and {@code
   * rejection} is non-null; {@code consumedBytes} is how far the decoder advanced the buffer.
   */
  record Outcome(Message message, ProtocolException rejection, int consumedBytes) {
    boolean accepted() {
      return message != null;
    }
  }

  /** Decodes {@code input} from offset 0 with {@link #FRAME_CODEC} and checks the contract. */
  static Outcome decode(byte[] input) {
    return decode(FRAME_CODEC, input, 0);
  }

  /** Decodes of one input at most, while it is over a budget; see {@link #decode}. */
  private static final int MEASURES = 3;

  /**
   * Decodes one frame of {@code input} starting at {@code offset} with {@code decoder} and checks
   * every clause of the contract.
   *
   * @throws AssertionError describing the violation and the input
   */
  static Outcome decode(Decoder decoder, byte[] input, int offset) {
    Measured m = measure(decoder, input, offset);
    // The first decode along a new path loads classes, which Jazzer instruments on this thread:
    // one-time megabytes that are not the decoder's; in one CI fuzzing run a second decode of a
    // 115-byte handshake still counted 14.8 MB that no replay of the input reproduces (with or
    // without Jazzer's hooks). Decoding is deterministic, so what the decoder itself needs is
    // allocated on every run: the budget holds against the least of up to MEASURES runs.
    for (int run = 1;
        run < MEASURES && (m.heapBytes > HEAP_BUDGET_BYTES || m.directBytes > directBudgetBytes());
        run++) {
      m = measure(decoder, input, offset);
    }
    if (m.heapBytes > HEAP_BUDGET_BYTES) {
      throw violation(
          "decoding allocated " + m.heapBytes + " heap bytes: the budget is " + HEAP_BUDGET_BYTES,
          input,
          offset,
          m.rejection);
    }
    if (m.directBytes > directBudgetBytes()) {
      throw violation(
          "decoding allocated "
              + m.directBytes
              + " bytes of direct memory: the budget is "
              + directBudgetBytes(),
          input,
          offset,
          m.rejection);
    }
    Message message = m.message;
    ProtocolException rejection = m.rejection;
    ByteBuffer buffer = m.buffer;
    int available = input.length - offset;
    long declared = declaredFrameBytes(input, offset);
    if (rejection != null) {
      checkRejection(rejection, input, offset, available, declared);
      return new Outcome(null, rejection, buffer.position());
    }
    if (message == null) {
      throw violation("decoding returned null", input, offset, null);
    }
    if (buffer.position() != declared) {
      throw violation(
          "decoding consumed "
              + buffer.position()
              + " bytes but the header declares a frame of "
              + declared,
          input,
          offset,
          null);
    }
    checkWithinLimits(message, input, offset);
    checkReencoding(message, input, offset, (int) declared);
    return new Outcome(message, null, buffer.position());
  }

  /** One decode and what it allocated. */
  private record Measured(
      ByteBuffer buffer,
      Message message,
      ProtocolException rejection,
      long heapBytes,
      long directBytes) {}

  private static Measured measure(Decoder decoder, byte[] input, int offset) {
    ByteBuffer buffer = ByteBuffer.wrap(input, offset, input.length - offset).slice();
    long heapBefore = THREADS.getCurrentThreadAllocatedBytes();
    long directBefore = DIRECT.getTotalCapacity();
    Message message = null;
    ProtocolException rejection = null;
    try {
      message = decoder.decode(buffer);
    } catch (ProtocolException e) {
      rejection = e;
    } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
      throw violation(
          "decoding threw " + e + " instead of returning a message or throwing a ProtocolException",
          input,
          offset,
          e);
    }
    return new Measured(
        buffer,
        message,
        rejection,
        THREADS.getCurrentThreadAllocatedBytes() - heapBefore,
        DIRECT.getTotalCapacity() - directBefore);
  }

  private static void checkRejection(
      ProtocolException e, byte[] input, int offset, int available, long declared) {
    if (!REJECTION_CODES.contains(e.code())) {
      throw violation(
          "rejected with code " + e.code() + ": malformed input must be one of " + REJECTION_CODES,
          input,
          offset,
          e);
    }
    if (e.requestId() != StageException.NO_REQUEST) {
      throw violation(
          "a frame-level rejection must concern the connection (request id -1), not request "
              + e.requestId(),
          input,
          offset,
          e);
    }
    String text = e.getMessage();
    if (text == null || text.isBlank() || text.length() > MAX_MESSAGE_CHARS) {
      throw violation(
          "a rejection needs a message of 1.."
              + MAX_MESSAGE_CHARS
              + " characters, got "
              + (text == null ? "null" : text.length() + " characters"),
          input,
          offset,
          e);
    }
    boolean truncated = e instanceof TruncatedFrameException;
    if (available < FrameCodec.HEADER_BYTES && !truncated) {
      throw violation(
          "input of "
              + available
              + " bytes is shorter than a frame header but was rejected as "
              + e.code()
              + " instead of as truncated",
          input,
          offset,
          e);
    }
    if (truncated && available >= declared) {
      throw violation(
          "rejected as truncated although the "
              + available
              + " bytes hold the whole "
              + declared
              + "-byte frame the header declares",
          input,
          offset,
          e);
    }
  }

  /**
   * The length of the frame whose header starts at {@code offset}, from its meta length and payload
   * length fields (unsigned; saturating at Long.MAX_VALUE), or 20 if fewer than 20 bytes are there.
   */
  static long declaredFrameBytes(byte[] input, int offset) {
    if (input.length - offset < FrameCodec.HEADER_BYTES) {
      return FrameCodec.HEADER_BYTES;
    }
    ByteBuffer h =
        ByteBuffer.wrap(input, offset, FrameCodec.HEADER_BYTES).slice().order(ByteOrder.BIG_ENDIAN);
    long meta = Integer.toUnsignedLong(h.getInt(8));
    long payload = h.getLong(12);
    if (payload < 0 || payload > Long.MAX_VALUE - FrameCodec.HEADER_BYTES - meta) {
      return Long.MAX_VALUE;
    }
    return FrameCodec.HEADER_BYTES + meta + payload;
  }

  private static void checkWithinLimits(Message m, byte[] input, int offset) {
    if (m instanceof Handshake h) {
      checkString("model", h.model(), input, offset);
      checkList("inputShape", h.inputShape().length, input, offset);
      checkString("modelDigest", h.modelDigest(), input, offset);
      checkList("downstream", h.downstream().size(), input, offset);
      h.downstream().forEach(d -> checkString("downstream address", d.address(), input, offset));
    } else if (m instanceof HandshakeReply r) {
      checkString("model", r.model(), input, offset);
      checkList("unitNames", r.unitNames().size(), input, offset);
      r.unitNames().forEach(n -> checkString("unit name", n, input, offset));
      checkRank("expectedInputShape", r.expectedInputShape().length, input, offset);
      checkRank("outputShape", r.outputShape().length, input, offset);
      checkString("cpusAllowed", r.cpusAllowed(), input, offset);
      checkString("engine", r.engine(), input, offset);
    } else if (m instanceof ErrorReport e) {
      checkString("message", e.message(), input, offset);
    } else if (m instanceof InferenceRequest r) {
      if (r.requestId() == StageException.NO_REQUEST) {
        throw violation("accepted a REQUEST with the reserved id -1", input, offset, null);
      }
      checkTensor(r.tensor(), input, offset);
    } else if (m instanceof InferenceResult r) {
      checkList("stageTimings", r.stageTimings().size(), input, offset);
      checkTensor(r.tensor(), input, offset);
    }
  }

  private static void checkString(String field, String value, byte[] input, int offset) {
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > LIMITS.maxStringBytes()) {
      throw violation(
          "accepted "
              + field
              + " of "
              + bytes
              + " UTF-8 bytes over maxStringBytes="
              + LIMITS.maxStringBytes(),
          input,
          offset,
          null);
    }
  }

  private static void checkList(String field, int size, byte[] input, int offset) {
    if (size > LIMITS.maxListSize()) {
      throw violation(
          "accepted " + field + " of " + size + " entries over maxListSize=" + LIMITS.maxListSize(),
          input,
          offset,
          null);
    }
  }

  private static void checkRank(String field, int rank, byte[] input, int offset) {
    if (rank > LIMITS.maxRank()) {
      throw violation(
          "accepted " + field + " of rank " + rank + " over maxRank=" + LIMITS.maxRank(),
          input,
          offset,
          null);
    }
  }

  private static void checkTensor(Tensor t, byte[] input, int offset) {
    checkRank("tensor shape", t.rank(), input, offset);
    if (t.byteSize() > LIMITS.maxTensorBytes()) {
      throw violation(
          "accepted a tensor of "
              + t.byteSize()
              + " bytes over maxTensorBytes="
              + LIMITS.maxTensorBytes(),
          input,
          offset,
          null);
    }
    ByteBuffer data = t.data();
    if (!data.isDirect() || data.order() != ByteOrder.nativeOrder()) {
      throw violation(
          "a received tensor must be a direct native-order buffer, got " + t, input, offset, null);
    }
  }

  private static void checkReencoding(Message m, byte[] input, int offset, int frameBytes) {
    ByteBuffer again;
    try {
      again = FrameCodec.encode(m, LIMITS);
    } catch (ProtocolException e) {
      throw violation(
          "an accepted message cannot be sent back under the same limits: " + e, input, offset, e);
    }
    byte[] encoded = new byte[again.remaining()];
    again.duplicate().get(encoded);
    Message back;
    try {
      back = FrameCodec.decode(again, LIMITS);
    } catch (ProtocolException e) {
      throw violation("the re-encoding of an accepted message is rejected: " + e, input, offset, e);
    }
    if (!sameMessage(m, back)) {
      throw violation(
          "re-encoding changed the message: " + m + " came back as " + back, input, offset, null);
    }
    if (isCanonical(m, input, offset)
        && !java.util.Arrays.equals(
            encoded, 0, encoded.length, input, offset, offset + frameBytes)) {
      throw violation(
          "the encoding is not canonical: re-encoding "
              + FrameType.of(m)
              + " gives "
              + HexFormat.of().formatHex(encoded),
          input,
          offset,
          null);
    }
  }

  /** True where re-encoding must reproduce the input bytes exactly. */
  private static boolean isCanonical(Message m, byte[] input, int offset) {
    return switch (FrameType.of(m)) {
      case HANDSHAKE, HANDSHAKE_REPLY, AUTH_CHALLENGE, AUTH_PROOF, AUTH_ACCEPT -> true;
      case ERROR -> {
        int rawCode =
            ((input[offset + FrameCodec.HEADER_BYTES + 8] & 0xFF) << 8)
                | (input[offset + FrameCodec.HEADER_BYTES + 9] & 0xFF);
        yield ((ErrorReport) m).code().code() == rawCode;
      }
      case REQUEST, RESULT -> {
        Tensor t = m instanceof InferenceRequest r ? r.tensor() : ((InferenceResult) m).tensor();
        int orderOffset =
            offset
                + FrameCodec.HEADER_BYTES
                + 8
                + 1
                + (FrameType.of(m) == FrameType.RESULT
                    ? 4 + 16 * ((InferenceResult) m).stageTimings().size()
                    : 0);
        boolean littleEndian = input[orderOffset] == 1;
        yield littleEndian == (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
      }
    };
  }

  /** Equality of messages, comparing tensors by dtype, shape and bytes. */
  static boolean sameMessage(Message a, Message b) {
    if (a instanceof InferenceRequest x && b instanceof InferenceRequest y) {
      return x.requestId() == y.requestId() && x.tensor().equalsBytes(y.tensor());
    }
    if (a instanceof InferenceResult x && b instanceof InferenceResult y) {
      return x.requestId() == y.requestId()
          && x.stageTimings().equals(y.stageTimings())
          && x.tensor().equalsBytes(y.tensor());
    }
    return a.equals(b);
  }

  /** True if the two exceptions are the same rejection: class, code and message. */
  static boolean sameRejection(ProtocolException a, ProtocolException b) {
    return a.getClass() == b.getClass()
        && a.code() == b.code()
        && a.getMessage().equals(b.getMessage());
  }

  /** The failure a fuzz target reports: what broke the contract and the input (hex, 512 bytes). */
  public static AssertionError violation(String what, byte[] input, int offset, Throwable cause) {
    String hex = HexFormat.of().formatHex(input, offset, Math.min(input.length, offset + 512));
    return new AssertionError(
        "decoder contract violated: "
            + what
            + "; input ("
            + (input.length - offset)
            + " bytes"
            + (input.length - offset > 512 ? ", first 512 shown" : "")
            + "): "
            + hex,
        cause);
  }
}
