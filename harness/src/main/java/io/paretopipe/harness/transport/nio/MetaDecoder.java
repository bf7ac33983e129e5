package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of one frame's metadata section, checking every length against the bytes left
 * and against the {@link Limits} before using it. Not thread-safe; one per frame.
 */
final class MetaDecoder {
  private final ByteBuffer meta;
  private final Limits limits;
  private final FrameType type;

  MetaDecoder(ByteBuffer meta, Limits limits, FrameType type) {
    this.meta = meta.order(ByteOrder.BIG_ENDIAN);
    this.limits = limits;
    this.type = type;
  }

  private void need(int bytes, String field) throws ProtocolException {
    if (meta.remaining() < bytes) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME,
          "metadata of "
              + type
              + " frame ends inside field "
              + field
              + ": "
              + meta.remaining()
              + " bytes left, "
              + bytes
              + " needed");
    }
  }

  int u8(String field) throws ProtocolException {
    need(1, field);
    return meta.get() & 0xFF;
  }

  int u16(String field) throws ProtocolException {
    need(2, field);
    return meta.getShort() & 0xFFFF;
  }

  int i32(String field) throws ProtocolException {
    need(4, field);
    return meta.getInt();
  }

  long i64(String field) throws ProtocolException {
    need(8, field);
    return meta.getLong();
  }

  /**
   * A u32 count of items of at least {@code minItemBytes} each, checked against maxListSize and the
   * bytes left.
   */
  int count(String field, int minItemBytes) throws ProtocolException {
    long n = Integer.toUnsignedLong(i32(field + " count"));
    if (n > limits.maxListSize()) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          field
              + " has "
              + n
              + " entries in "
              + type
              + " frame: the limit is maxListSize="
              + limits.maxListSize());
    }
    if (n * minItemBytes > meta.remaining()) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME,
          field
              + " declares "
              + n
              + " entries of >= "
              + minItemBytes
              + " bytes but only "
              + meta.remaining()
              + " bytes of "
              + type
              + " metadata are left");
    }
    return (int) n;
  }

  String string(String field) throws ProtocolException {
    long n = Integer.toUnsignedLong(i32(field + " length"));
    if (n > limits.maxStringBytes()) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          field
              + " is "
              + n
              + " bytes long in "
              + type
              + " frame: the limit is maxStringBytes="
              + limits.maxStringBytes());
    }
    need((int) n, field);
    ByteBuffer bytes = meta.slice().limit((int) n);
    meta.position(meta.position() + (int) n);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME, field + " in " + type + " frame is not valid UTF-8", e);
    }
  }

  /** u8 rank then rank i64 dimensions, each >= 0. */
  long[] shape(String field) throws ProtocolException {
    int rank = u8(field + " rank");
    if (rank > limits.maxRank()) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          field
              + " has rank "
              + rank
              + " in "
              + type
              + " frame: the limit is maxRank="
              + limits.maxRank());
    }
    need(rank * 8, field);
    long[] dims = new long[rank];
    for (int i = 0; i < rank; i++) {
      dims[i] = meta.getLong();
      if (dims[i] < 0) {
        throw new ProtocolException(
            ErrorCode.BAD_FRAME,
            field
                + " dimension "
                + i
                + " is "
                + dims[i]
                + " in "
                + type
                + " frame: dimensions must be >= 0");
      }
    }
    return dims;
  }

  /**
   * An authentication field: a u32 length of 1..{@value AuthBytes#MAX_BYTES} (over that is
   * FRAME_TOO_LARGE, 0 is BAD_FRAME, both before anything is allocated), then that many bytes.
   */
  byte[] authBytes(String field) throws ProtocolException {
    long n = Integer.toUnsignedLong(i32(field + " length"));
    if (n > AuthBytes.MAX_BYTES) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          field
              + " of "
              + type
              + " frame declares "
              + n
              + " bytes: the limit is "
              + AuthBytes.MAX_BYTES);
    }
    if (n == 0) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME,
          field
              + " of "
              + type
              + " frame is empty: it must have 1.."
              + AuthBytes.MAX_BYTES
              + " bytes");
    }
    need((int) n, field);
    byte[] bytes = new byte[(int) n];
    meta.get(bytes);
    return bytes;
  }

  void end() throws ProtocolException {
    if (meta.hasRemaining()) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME,
          "metadata of " + type + " frame has " + meta.remaining() + " unexpected trailing bytes");
    }
  }
}
