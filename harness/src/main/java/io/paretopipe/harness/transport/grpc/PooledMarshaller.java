package io.paretopipe.harness.transport.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.paretopipe.harness.memory.BufferPool;
import io.paretopipe.harness.memory.MemoryBudget;
import io.paretopipe.harness.memory.Reservation;
import io.paretopipe.harness.protocol.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The marshaller of the tensor-carrying messages ({@code InferRequest} on the stage, {@code
 * InferReply} on the head). Sending is protobuf's own ({@code writeTo}, which copies a tensor
 * wrapped with {@code UnsafeByteOperations.unsafeWrap} once, into grpc's outgoing buffers).
 * Receiving copies the message once out of Netty's buffers into one direct buffer from a {@link
 * BufferPool} and parses it there with aliasing on, so a {@code bytes} field (the tensor) is a view
 * of that buffer, not another copy.
 *
 * <p><b>Request memory.</b> With a {@link MemoryBudget} (the stage's), the message's whole size is
 * reserved in it before the pooled buffer is taken, since that is what the copy holds (tensor,
 * shape and any unknown fields alike); the {@link Reservation} travels with the {@link Received}. A
 * message that does not fit is not copied: the {@link Skimmer} walks it in grpc's own buffers,
 * keeping its small fields and skipping its large {@code bytes} fields (grpc's stream skips by
 * moving its read position; nothing of their size is allocated), and it comes back {@link
 * Received#refused}, so the consumer can answer a typed request-level {@code BUSY} naming the
 * request and go on. The whole message is already in grpc's Netty buffers when this runs (grpc
 * reassembles one message per stream before handing it over, bounded by the server's max inbound
 * message size): that memory is grpc's, outside the budget, and freed when this returns.
 *
 * <p>The budget relies on grpc handing over messages as {@link KnownLength} streams, which is how
 * it hands over uncompressed ones; the stage accepts no compressed messages (see {@link
 * GrpcStageServer}). A stream of unknown length (only ever a decompressing one) is read whole into
 * a heap array first and only then reserved or refused.
 *
 * <p>Thread-safe (the pool and the budget are). Bytes that are not a valid message come back as
 * {@link Received#malformed}, so the consumer can answer with a typed {@code BAD_FRAME}; a message
 * with too many fields, or one whose reading runs out of memory or fails otherwise, comes back
 * {@link Received#failed} ({@code FRAME_TOO_LARGE}, {@code BUSY}, {@code INTERNAL}). Nothing is
 * thrown to grpc (which would answer an opaque {@code UNKNOWN}), and in every path but an accepted
 * message the reservation and the pooled buffer are given back before this returns.
 */
final class PooledMarshaller<T extends com.google.protobuf.Message>
    implements MethodDescriptor.Marshaller<Received<T>> {
  private static final int CHUNK_BYTES = 64 << 10;

  /** Read-ahead of the stream decoder that skims a refused message. */
  private static final int SKIM_BUFFER_BYTES = 1024;

  private final MethodDescriptor.Marshaller<T> protobuf;
  private final Parser<T> parser;
  private final BufferPool pool;

  /** Null: messages are not budgeted. */
  private final MemoryBudget budget;

  private final Skimmer<T> skimmer;

  /** Most fields a budgeted message may have; see {@link #checkFieldCount}. */
  private final int maxFields;

  /**
   * Reads a message without its large {@code bytes} fields: what a refused message is reduced to.
   */
  interface Skimmer<T> {
    /**
     * Reads one whole message from {@code in} (limited to the message), skipping the tensor's data
     * (and any unknown field) without allocating them.
     *
     * @throws InvalidProtocolBufferException if the bytes are not a valid message
     */
    Skim<T> skim(CodedInputStream in) throws IOException;
  }

  /**
   * A message read by a {@link Skimmer}.
   *
   * @param header the message with its tensor's data empty and at most {@code Tensor.MAX_RANK} dims
   *     of shape kept
   * @param tensorBytes the length of the tensor's data, bytes
   * @param rank the number of dims of the tensor's shape
   * @param fields every field read, nested ones included (each packed element counts one)
   */
  record Skim<T>(T header, long tensorBytes, int rank, long fields) {}

  /** Unbudgeted: every message is copied (the head's replies). */
  PooledMarshaller(T defaultInstance, BufferPool pool) {
    this(defaultInstance, pool, null, null, Integer.MAX_VALUE);
  }

  /**
   * Budgeted: every message is reserved in {@code budget} before it is copied, and one that does
   * not fit is skimmed with {@code skimmer} instead (see the class comment). One that fits is
   * skimmed too, in the pooled buffer and before protobuf parses it, and refused with {@code
   * FRAME_TOO_LARGE} if it has more than {@code maxFields} fields.
   *
   * @param budget null: no budget (then {@code skimmer} and {@code maxFields} are unused)
   * @param maxFields most fields (nested ones and each packed element included) of one message
   */
  @SuppressWarnings("unchecked")
  PooledMarshaller(
      T defaultInstance, BufferPool pool, MemoryBudget budget, Skimmer<T> skimmer, int maxFields) {
    this.protobuf = ProtoUtils.marshaller(defaultInstance);
    this.parser = (Parser<T>) defaultInstance.getParserForType();
    this.pool = Objects.requireNonNull(pool, "pool");
    this.budget = budget;
    this.skimmer = budget == null ? null : Objects.requireNonNull(skimmer, "skimmer");
    this.maxFields = maxFields;
  }

  @Override
  public InputStream stream(Received<T> value) {
    return protobuf.stream(value.message());
  }

  @Override
  public Received<T> parse(InputStream in) {
    ByteBuffer buffer = null;
    Reservation reservation = null;
    long size = -1;
    try {
      if (in instanceof KnownLength) {
        size = in.available();
        if (budget != null) {
          if (!budget.tryReserve(size)) {
            return refuse(CodedInputStream.newInstance(in, SKIM_BUFFER_BYTES), (int) size);
          }
          reservation = new Reservation(budget, size);
        }
        buffer = copyToDirect(in, (int) size);
      } else {
        byte[] all = in.readAllBytes();
        size = all.length;
        if (budget != null) {
          if (!budget.tryReserve(all.length)) {
            return refuse(CodedInputStream.newInstance(all), all.length);
          }
          reservation = new Reservation(budget, all.length);
        }
        buffer = pool.acquire(all.length);
        buffer.put(all).flip();
      }
      Received<T> tooManyFields = checkFieldCount(buffer);
      if (tooManyFields != null) {
        return tooManyFields;
      }
      CodedInputStream input = UnsafeByteOperations.unsafeWrap(buffer.duplicate()).newCodedInput();
      input.enableAliasing(true);
      input.setSizeLimit(Integer.MAX_VALUE);
      Received<T> accepted = Received.accepted(parser.parseFrom(input), buffer, reservation);
      buffer = null; // the consumer owns both now
      reservation = null;
      return accepted;
    } catch (InvalidProtocolBufferException e) {
      return malformed(size, e);
    } catch (IOException e) {
      return Received.malformed("cannot read a message of " + size + " bytes: " + e.getMessage());
    } catch (OutOfMemoryError e) {
      // answered and the call ended; what the message held is released below
      return Received.failed(
          ErrorCode.BUSY,
          "the stage ran out of memory reading a message of "
              + size
              + " bytes ("
              + e
              + "); this call is ended, send smaller requests or fewer at once");
    } catch (RuntimeException e) {
      return Received.failed(
          ErrorCode.INTERNAL, "cannot read a message of " + size + " bytes: " + e);
    } finally {
      if (buffer != null) {
        pool.release(buffer);
      }
      if (reservation != null) {
        reservation.release();
      }
    }
  }

  /**
   * Null, or the refusal of a message with more fields than {@link #maxFields}: counted by the
   * {@link Skimmer} before protobuf parses it, since protobuf turns every packed or unknown field
   * into heap objects costing 4 to 20 times their wire bytes.
   */
  private Received<T> checkFieldCount(ByteBuffer buffer) throws IOException {
    if (skimmer == null) {
      return null;
    }
    // a stream decoder, not protobuf's Unsafe decoder over the direct buffer: the fuzzer found
    // input
    // that walked that decoder past the buffer's end (SIGSEGV in readTag, GrpcMessageFuzzTest
    // corpus)
    Skim<T> skim =
        skimmer.skim(
            CodedInputStream.newInstance(new BufferStream(buffer.duplicate()), SKIM_BUFFER_BYTES));
    if (skim.fields() <= maxFields) {
      return null;
    }
    return Received.failed(
        ErrorCode.FRAME_TOO_LARGE,
        "message of "
            + buffer.remaining()
            + " bytes has "
            + skim.fields()
            + " fields (shape dims and unknown fields count one each), more than the "
            + maxFields
            + " a stage reads; a request has a request id and one tensor of rank <= "
            + io.paretopipe.harness.protocol.Tensor.MAX_RANK);
  }

  /** Skims a message of {@code size} bytes that did not fit the budget. */
  private Received<T> refuse(CodedInputStream input, int size) throws IOException {
    long capacity = budget.capacityBytes();
    long free = Math.max(0, capacity - budget.reservedBytes());
    input.setSizeLimit(Integer.MAX_VALUE);
    try {
      Skim<T> skim = skimmer.skim(input);
      return Received.refused(
          skim.header(),
          new Received.Refusal(size, skim.tensorBytes(), skim.rank(), free, capacity));
    } catch (InvalidProtocolBufferException e) {
      return malformed(size, e);
    }
  }

  private Received<T> malformed(long size, InvalidProtocolBufferException e) {
    // not thrown: grpc would turn it into an opaque UNKNOWN; the consumer answers with BAD_FRAME
    return Received.malformed(
        "message of "
            + size
            + " bytes is not a valid "
            + parser.getClass().getEnclosingClass().getSimpleName()
            + ": "
            + e.getMessage());
  }

  /**
   * The stream's {@code size} bytes in a pooled direct buffer of exactly that size; Netty's buffers
   * are read in place.
   */
  private ByteBuffer copyToDirect(InputStream in, int size) throws IOException {
    ByteBuffer dst = pool.acquire(size);
    byte[] chunk = null;
    // asked once, not per buffer: grpc's composite answers by walking every buffer the message
    // still holds (one per HTTP/2 DATA frame, ~1,000 for 16 MiB), which per buffer made this copy
    // quadratic in the message's size; reading only removes buffers, so the answer stands
    HasByteBuffer direct = in instanceof HasByteBuffer hb && hb.byteBufferSupported() ? hb : null;
    while (dst.hasRemaining()) {
      if (direct != null) {
        ByteBuffer src = direct.getByteBuffer();
        if (src == null) {
          break;
        }
        int n = Math.min(src.remaining(), dst.remaining());
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + n);
        dst.put(part);
        long skipped = in.skip(n);
        if (skipped != n) {
          throw new IOException("skipped " + skipped + " of " + n + " bytes");
        }
      } else {
        if (chunk == null) {
          chunk = new byte[Math.min(CHUNK_BYTES, Math.max(1, dst.remaining()))];
        }
        int n = in.read(chunk, 0, Math.min(chunk.length, dst.remaining()));
        if (n < 0) {
          break;
        }
        dst.put(chunk, 0, n);
      }
    }
    if (dst.hasRemaining()) {
      throw new IOException("message ended after " + dst.position() + " of " + size + " bytes");
    }
    return dst.flip();
  }

  /** The bytes of a buffer as a stream, without copying what is skipped. */
  private static final class BufferStream extends InputStream {
    private final ByteBuffer buffer;

    BufferStream(ByteBuffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public int read() {
      return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (!buffer.hasRemaining()) {
        return -1;
      }
      int n = Math.min(len, buffer.remaining());
      buffer.get(b, off, n);
      return n;
    }

    @Override
    public long skip(long n) {
      int k = (int) Math.max(0, Math.min(n, buffer.remaining()));
      buffer.position(buffer.position() + k);
      return k;
    }

    @Override
    public int available() {
      return buffer.remaining();
    }
  }
}
