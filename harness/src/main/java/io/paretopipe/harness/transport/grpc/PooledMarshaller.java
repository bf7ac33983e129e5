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
import io.paretopipe.harness.protocol.BufferPool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The marshaller of the tensor-carrying messages ({@code InferRequest} on the stage, {@code
 * InferReply} on the head). Sending is protobuf's own ({@code writeTo}, which copies a tensor
 * wrapped with {@code UnsafeByteOperations.unsafeWrap} once, into grpc's outgoing buffers).
 * Receiving copies the message once out of Netty's buffers into one direct buffer from a {@link
 * BufferPool} and parses it there with aliasing on, so a {@code bytes} field (the tensor) is a
 * view of that buffer, not another copy.
 *
 * <p>Thread-safe (the pool is). Bytes that are not a valid message come back as {@link
 * Received#malformed}, so the consumer can answer with a typed {@code BAD_FRAME}.
 */
final class PooledMarshaller<T extends com.google.protobuf.Message> implements MethodDescriptor.Marshaller<Received<T>> {
  private static final int CHUNK_BYTES = 64 << 10;

  private final MethodDescriptor.Marshaller<T> protobuf;
  private final Parser<T> parser;
  private final BufferPool pool;

  @SuppressWarnings("unchecked")
  PooledMarshaller(T defaultInstance, BufferPool pool) {
    this.protobuf = ProtoUtils.marshaller(defaultInstance);
    this.parser = (Parser<T>) defaultInstance.getParserForType();
    this.pool = Objects.requireNonNull(pool, "pool");
  }

  @Override
  public InputStream stream(Received<T> value) {
    return protobuf.stream(value.message());
  }

  @Override
  public Received<T> parse(InputStream in) {
    ByteBuffer buffer;
    try {
      buffer = copyToDirect(in);
    } catch (IOException e) {
      throw Status.INTERNAL.withDescription("cannot read a message: " + e).withCause(e).asRuntimeException();
    }
    try {
      CodedInputStream input = UnsafeByteOperations.unsafeWrap(buffer.duplicate()).newCodedInput();
      input.enableAliasing(true);
      input.setSizeLimit(Integer.MAX_VALUE);
      return new Received<>(parser.parseFrom(input), buffer, null);
    } catch (InvalidProtocolBufferException e) {
      pool.release(buffer);
      // not thrown: grpc would turn it into an opaque UNKNOWN; the consumer answers with BAD_FRAME
      return Received.malformed("message of " + buffer.capacity() + " bytes is not a valid "
          + parser.getClass().getEnclosingClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** The stream's bytes in a pooled direct buffer of exactly their size; Netty's buffers are read in place. */
  private ByteBuffer copyToDirect(InputStream in) throws IOException {
    if (!(in instanceof KnownLength)) {
      byte[] all = in.readAllBytes();
      return pool.acquire(all.length).put(all).flip();
    }
    int size = in.available();
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
