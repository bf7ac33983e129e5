package io.paretopipe.harness.transport.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.paretopipe.harness.memory.BufferPool;
import io.paretopipe.harness.memory.MemoryBudget;
import io.paretopipe.harness.memory.Reservation;
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
 * {@link Received#malformed}, so the consumer can answer with a typed {@code BAD_FRAME}.
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
   */
  record Skim<T>(T header, long tensorBytes, int rank) {}

  /** Unbudgeted: every message is copied (the head's replies). */
  PooledMarshaller(T defaultInstance, BufferPool pool) {
    this(defaultInstance, pool, null, null);
  }

  /**
   * Budgeted: every message is reserved in {@code budget} before it is copied, and one that does
   * not fit is skimmed with {@code skimmer} instead (see the class comment).
   *
   * @param budget null: no budget (then {@code skimmer} is unused)
   */
  @SuppressWarnings("unchecked")
  PooledMarshaller(T defaultInstance, BufferPool pool, MemoryBudget budget, Skimmer<T> skimmer) {
    this.protobuf = ProtoUtils.marshaller(defaultInstance);
    this.parser = (Parser<T>) defaultInstance.getParserForType();
    this.pool = Objects.requireNonNull(pool, "pool");
    this.budget = budget;
    this.skimmer = budget == null ? null : Objects.requireNonNull(skimmer, "skimmer");
  }

  @Override
  public InputStream stream(Received<T> value) {
    return protobuf.stream(value.message());
  }

  @Override
  public Received<T> parse(InputStream in) {
    ByteBuffer buffer;
    Reservation reservation = null;
    try {
      if (in instanceof KnownLength) {
        int size = in.available();
        if (budget != null) {
          if (!budget.tryReserve(size)) {
            return refuse(CodedInputStream.newInstance(in, SKIM_BUFFER_BYTES), size);
          }
          reservation = new Reservation(budget, size);
        }
        buffer = copyToDirect(in, size);
      } else {
        byte[] all = in.readAllBytes();
        if (budget != null) {
          if (!budget.tryReserve(all.length)) {
            return refuse(CodedInputStream.newInstance(all), all.length);
          }
          reservation = new Reservation(budget, all.length);
        }
        buffer = pool.acquire(all.length).put(all).flip();
      }
    } catch (IOException | RuntimeException e) {
      if (reservation != null) {
        reservation.release();
      }
      throw Status.INTERNAL
          .withDescription("cannot read a message: " + e)
          .withCause(e)
          .asRuntimeException();
    }
    try {
      CodedInputStream input = UnsafeByteOperations.unsafeWrap(buffer.duplicate()).newCodedInput();
      input.enableAliasing(true);
      input.setSizeLimit(Integer.MAX_VALUE);
      return Received.accepted(parser.parseFrom(input), buffer, reservation);
    } catch (InvalidProtocolBufferException e) {
      pool.release(buffer);
      if (reservation != null) {
        reservation.release();
      }
      return malformed(buffer.capacity(), e);
    }
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

  private Received<T> malformed(int size, InvalidProtocolBufferException e) {
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
    while (dst.hasRemaining()) {
      if (in instanceof HasByteBuffer hb && hb.byteBufferSupported()) {
        ByteBuffer src = hb.getByteBuffer();
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
}
