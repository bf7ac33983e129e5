package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.memory.BufferPool;
import io.paretopipe.harness.memory.MemoryBudget;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.trace.StepTrace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads frames from a channel, validating as it goes: magic, version, type and flags first, then
 * the metadata length and payload length against the {@link Limits} before anything is allocated
 * for them, then every field of the metadata, and only then allocates the payload: a direct
 * native-order buffer of exactly the tensor's size (new, or recycled from a {@link BufferPool}),
 * filled straight from the channel. The receiver owns it.
 *
 * <p><b>Resumable.</b> If the channel's {@code read} throws (for instance a {@link
 * java.net.SocketTimeoutException} from a channel that enforces a deadline), the part of the frame
 * read so far is kept and the next {@link #read()} continues it. After a {@link ProtocolException}
 * the stream position is unknown and the reader must not be used again.
 *
 * <p>Not thread-safe: one reader per connection, used by one thread at a time.
 */
public final class FrameReader {
  private enum Phase {
    HEADER,
    META,
    PAYLOAD
  }

  private static final int INITIAL_META_BYTES = 4096;

  /** Size of the scratch buffer a refused payload is read into and dropped. */
  private static final int DISCARD_CHUNK_BYTES = 64 << 10;

  private final ReadableByteChannel channel;
  private final Limits limits;
  private final BufferPool pool;

  /** Null: payloads are not budgeted. */
  private final MemoryBudget budget;

  /** Bytes of the payload being read that are reserved in the budget (0 if none). */
  private long reserved;

  /** True while the payload being read was refused and is discarded. */
  private boolean discarding;

  /** Scratch memory refused payloads are read into and dropped; allocated at the first refusal. */
  private ByteBuffer discardBuffer;

  private final ByteBuffer header =
      ByteBuffer.allocateDirect(FrameCodec.HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
  private ByteBuffer meta = ByteBuffer.allocateDirect(INITIAL_META_BYTES);
  private Phase phase = Phase.HEADER;
  private FrameType type;
  private long payloadLength;
  private FrameCodec.Decoded decoded;
  private ByteBuffer payload;

  /** The frame types the read in progress accepts; null = all. */
  private java.util.Set<FrameType> expected;

  /**
   * @param channel where frames come from; blocking, or one whose {@code read} waits (and may throw
   *     on a deadline) rather than returning 0 forever; not owned
   * @param limits the largest lengths this reader accepts
   */
  public FrameReader(ReadableByteChannel channel, Limits limits) {
    this(channel, limits, null);
  }

  /**
   * As {@link #FrameReader(ReadableByteChannel, Limits)}, taking payload buffers from {@code pool}
   * (null: always a new buffer).
   */
  public FrameReader(ReadableByteChannel channel, Limits limits, BufferPool pool) {
    this(channel, limits, pool, null);
  }

  /**
   * As {@link #FrameReader(ReadableByteChannel, Limits, BufferPool)}, reserving every REQUEST
   * payload in {@code budget} before allocating it. A payload that does not fit is read and
   * discarded (never allocated) and {@link #read} throws a {@link PayloadRefusedException}, after
   * which the reader can go on. The reservation of an accepted REQUEST belongs to the caller, who
   * releases {@code tensor().byteSize()} bytes once the request is answered; if reading its payload
   * fails, the reader releases it itself. Meant for blocking channels (a read that fails is not
   * resumed).
   *
   * @param budget null: no budget
   */
  public FrameReader(
      ReadableByteChannel channel, Limits limits, BufferPool pool, MemoryBudget budget) {
    this.channel = channel;
    this.limits = limits;
    this.pool = pool;
    this.budget = budget;
  }

  /** True if part of a frame has been read and the rest is still to come. */
  public boolean inFrame() {
    return phase != Phase.HEADER || header.position() > 0;
  }

  /**
   * Reads the next whole frame.
   *
   * @return the message, or null if the stream ended cleanly between frames
   * @throws TruncatedFrameException if the stream ended inside a frame
   * @throws ProtocolException if the frame is malformed or a length exceeds the limits; nothing was
   *     allocated for the offending length
   * @throws IOException if the channel fails; the partial frame is kept for the next call
   */
  public Message read() throws IOException, ProtocolException {
    return read(null);
  }

  /**
   * As {@link #read()}, accepting only frames of the {@code expected} types: any other type is
   * refused from its header alone, before its metadata or payload is read or allocated, so a peer
   * cannot make this side allocate a payload it would reject anyway (e.g. a 512 MiB REQUEST instead
   * of a HANDSHAKE).
   *
   * @param expected the accepted types; null accepts all
   * @throws UnexpectedFrameException for a frame of another type
   */
  public Message read(java.util.Set<FrameType> expected) throws IOException, ProtocolException {
    this.expected = expected;
    if (phase == Phase.HEADER) {
      if (!fill(header)) {
        if (header.position() == 0) {
          return null;
        }
        throw new TruncatedFrameException(
            "connection ended after "
                + header.position()
                + " of the "
                + FrameCodec.HEADER_BYTES
                + " bytes of a frame header");
      }
      StepTrace.mark("frame.header.read");
      parseHeader();
    }
    if (phase == Phase.META) {
      if (!fill(meta)) {
        throw new TruncatedFrameException(
            "connection ended after "
                + meta.position()
                + " of the "
                + meta.limit()
                + " metadata bytes of a "
                + type
                + " frame");
      }
      meta.flip();
      decoded = FrameCodec.decodeMeta(type, meta, payloadLength, limits);
      if (!type.hasPayload()) {
        return finish(decoded.message);
      }
      if (budget != null && type == FrameType.REQUEST && payloadLength > 0) {
        if (budget.tryReserve(payloadLength)) {
          reserved = payloadLength;
        } else {
          discarding = true;
        }
      }
      if (discarding) {
        if (discardBuffer == null) {
          discardBuffer = ByteBuffer.allocateDirect(DISCARD_CHUNK_BYTES);
        }
        payload = discardBuffer;
      } else {
        payload =
            pool == null
                ? ByteBuffer.allocateDirect((int) payloadLength).order(ByteOrder.nativeOrder())
                : pool.acquire((int) payloadLength);
      }
      phase = Phase.PAYLOAD;
    }
    if (discarding) {
      discardPayload();
    }
    boolean complete;
    try {
      complete = fill(payload);
    } catch (IOException | RuntimeException e) {
      releaseReservation();
      throw e;
    }
    if (!complete) {
      releaseReservation();
      throw new TruncatedFrameException(
          "connection ended after "
              + payload.position()
              + " of the "
              + payload.limit()
              + " payload bytes of a "
              + type
              + " frame");
    }
    StepTrace.mark("frame.payload.read");
    reserved = 0;
    payload.clear();
    FrameCodec.toNativeOrder(payload, decoded.dtype, decoded.order);
    Tensor tensor = new Tensor(decoded.dtype, decoded.shape, payload);
    Message message =
        type == FrameType.REQUEST
            ? new InferenceRequest(decoded.requestId, tensor)
            : new InferenceResult(decoded.requestId, tensor, decoded.timings);
    return finish(message);
  }

  /**
   * Reads and drops the payload of a refused REQUEST in chunks, then ends the frame with a {@link
   * PayloadRefusedException}.
   */
  private void discardPayload() throws IOException, ProtocolException {
    long left = payloadLength;
    while (left > 0) {
      payload.clear().limit((int) Math.min(left, payload.capacity()));
      if (!fill(payload)) {
        discarding = false;
        throw new TruncatedFrameException(
            "connection ended inside the payload of a refused " + type + " frame");
      }
      left -= payload.limit();
    }
    long requestId = decoded.requestId;
    discarding = false;
    finish(null);
    throw new PayloadRefusedException(
        requestId, budget.refusal(requestId, payloadLength, payloadLength, budget.freeBytes()));
  }

  private void releaseReservation() {
    if (reserved > 0) {
      budget.release(reserved);
      reserved = 0;
    }
  }

  private Message finish(Message message) {
    phase = Phase.HEADER;
    header.clear();
    decoded = null;
    payload = null;
    type = null;
    return message;
  }

  private void parseHeader() throws ProtocolException {
    int magic = header.getInt(0);
    if (magic != FrameCodec.MAGIC) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME,
          String.format(
              "bad magic 0x%08x: a ParetoPipe frame starts with 0x%08x (\"PPIP\"); is the peer speaking this protocol?",
              magic, FrameCodec.MAGIC));
    }
    int version = header.getShort(4) & 0xFFFF;
    if (version != FrameCodec.VERSION) {
      throw new ProtocolException(
          ErrorCode.UNSUPPORTED_VERSION,
          "protocol version "
              + version
              + " is not supported: this side speaks version "
              + FrameCodec.VERSION);
    }
    FrameType frameType = FrameType.fromCode(header.get(6) & 0xFF);
    if (expected != null && !expected.contains(frameType)) {
      throw new UnexpectedFrameException(frameType, expected);
    }
    int flags = header.get(7) & 0xFF;
    if (flags != 0) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME,
          "frame flags are "
              + flags
              + ": version "
              + FrameCodec.VERSION
              + " defines no flags, they must be 0");
    }
    long metaLength = Integer.toUnsignedLong(header.getInt(8));
    if (metaLength > limits.maxMetaBytes()) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          frameType
              + " frame declares "
              + metaLength
              + " metadata bytes: the limit is maxMetaBytes="
              + limits.maxMetaBytes());
    }
    long declaredPayload = header.getLong(12);
    if (declaredPayload < 0 || declaredPayload > limits.maxTensorBytes()) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          frameType
              + " frame declares "
              + Long.toUnsignedString(declaredPayload)
              + " payload bytes: the limit is maxTensorBytes="
              + limits.maxTensorBytes());
    }
    if (!frameType.hasPayload() && declaredPayload != 0) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME,
          frameType
              + " frame declares "
              + declaredPayload
              + " payload bytes: only REQUEST and RESULT frames carry a payload");
    }
    type = frameType;
    payloadLength = declaredPayload;
    if (meta.capacity() < metaLength) {
      meta =
          ByteBuffer.allocateDirect(
              (int) Math.max(metaLength, Math.min(2L * meta.capacity(), limits.maxMetaBytes())));
    }
    meta.clear().limit((int) metaLength);
    phase = Phase.META;
  }

  /** Reads until {@code buf} is full; false if the stream ended first. */
  private boolean fill(ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      if (channel.read(buf) < 0) {
        return false;
      }
    }
    return true;
  }
}
