package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.trace.StepTrace;
import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.GatheringByteChannel;

/**
 * Writes frames to a channel: header and metadata are encoded into one reusable direct buffer, and
 * the tensor payload is written from the tensor's own memory in the same gathering write, with no
 * copy into a frame buffer.
 *
 * <p>Not thread-safe: one writer per connection, and calls must be serialized by the caller. The
 * channel may be blocking, or non-blocking if its {@code write} itself waits until it can make
 * progress; a write that returns 0 is retried.
 */
public final class FrameWriter {
  private static final int INITIAL_META_BYTES = 4096;

  private final GatheringByteChannel channel;
  private final Limits limits;
  private final ByteBuffer[] gather = new ByteBuffer[2];
  private ByteBuffer headerAndMeta;

  /**
   * @param channel where frames go; not owned (closing it is the caller's job)
   * @param limits a frame whose metadata or tensor exceeds these is refused before any byte is
   *     written
   */
  public FrameWriter(GatheringByteChannel channel, Limits limits) {
    this.channel = channel;
    this.limits = limits;
    this.headerAndMeta = ByteBuffer.allocateDirect(INITIAL_META_BYTES);
  }

  /**
   * Writes one whole frame, blocking until every byte is handed to the channel.
   *
   * @return bytes written (header + metadata + payload)
   * @throws ProtocolException before anything is written, if the message exceeds the limits
   * @throws IOException if the channel fails; the stream is then broken (a partial frame may have
   *     been sent)
   */
  public long write(Message message) throws IOException, ProtocolException {
    ByteBuffer head = encode(message);
    StepTrace.mark("frame.encoded");
    ByteBuffer payload =
        switch (FrameType.of(message)) {
          case REQUEST -> ((InferenceRequest) message).tensor().data();
          case RESULT -> ((InferenceResult) message).tensor().data();
          default -> null;
        };
    long total = head.remaining();
    if (payload == null || !payload.hasRemaining()) {
      while (head.hasRemaining()) {
        channel.write(head);
      }
      return total;
    }
    total += payload.remaining();
    gather[0] = head;
    gather[1] = payload;
    try {
      long written = 0;
      while (written < total) {
        written += channel.write(gather, 0, 2);
      }
    } finally {
      gather[1] = null;
    }
    return total;
  }

  /** Header and metadata of {@code message} in the reusable buffer, flipped for writing. */
  private ByteBuffer encode(Message message) throws ProtocolException {
    while (true) {
      ByteBuffer buf = headerAndMeta;
      buf.clear();
      buf.position(FrameCodec.HEADER_BYTES);
      try {
        FrameCodec.encodeMeta(message, buf, limits);
      } catch (BufferOverflowException e) {
        int needed = headerAndMeta.capacity() * 2;
        int max = FrameCodec.HEADER_BYTES + limits.maxMetaBytes();
        if (headerAndMeta.capacity() >= max) {
          throw new ProtocolException(
              ErrorCode.FRAME_TOO_LARGE,
              FrameType.of(message) + " metadata exceeds maxMetaBytes=" + limits.maxMetaBytes());
        }
        headerAndMeta = ByteBuffer.allocateDirect(Math.min(needed, max));
        continue;
      }
      int metaLength = buf.position() - FrameCodec.HEADER_BYTES;
      if (metaLength > limits.maxMetaBytes()) {
        throw new ProtocolException(
            ErrorCode.FRAME_TOO_LARGE,
            FrameType.of(message)
                + " metadata of "
                + metaLength
                + " bytes exceeds maxMetaBytes="
                + limits.maxMetaBytes());
      }
      long payloadLength =
          switch (FrameType.of(message)) {
            case REQUEST -> ((InferenceRequest) message).tensor().byteSize();
            case RESULT -> ((InferenceResult) message).tensor().byteSize();
            default -> 0L;
          };
      buf.order(ByteOrder.BIG_ENDIAN)
          .putInt(0, FrameCodec.MAGIC)
          .putShort(4, (short) FrameCodec.VERSION)
          .put(6, (byte) FrameType.of(message).code())
          .put(7, (byte) 0)
          .putInt(8, metaLength)
          .putLong(12, payloadLength);
      buf.flip();
      return buf;
    }
  }
}
