package io.paretopipe.harness.fuzz;

import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.transport.nio.FrameCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds frames byte by byte, valid or not, independently of {@code FrameCodec}'s writer: a header
 * with any magic, version, type, flags and lengths, and metadata from primitives. For seed inputs
 * and the structured fuzz targets. Not thread-safe (a {@link Meta} is one frame's builder).
 */
final class Frames {
  private Frames() {}

  /** A header as §2 lays it out, with the given fields verbatim. */
  static byte[] header(
      int magic, int version, int type, int flags, long metaLength, long payloadLength) {
    return ByteBuffer.allocate(FrameCodec.HEADER_BYTES)
        .order(ByteOrder.BIG_ENDIAN)
        .putInt(magic)
        .putShort((short) version)
        .put((byte) type)
        .put((byte) flags)
        .putInt((int) metaLength)
        .putLong(payloadLength)
        .array();
  }

  /** A well-formed header for {@code type} followed by {@code meta} and {@code payload}. */
  static byte[] frame(int type, byte[] meta, byte[] payload) {
    return concat(
        header(FrameCodec.MAGIC, FrameCodec.VERSION, type, 0, meta.length, payload.length),
        meta,
        payload);
  }

  /** {@code message} as {@link FrameCodec#encode} writes it, under {@code limits}. */
  static byte[] encode(Message message, Limits limits) {
    try {
      ByteBuffer b = FrameCodec.encode(message, limits);
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (ProtocolException e) {
      throw new IllegalArgumentException("cannot encode " + message + ": " + e.getMessage(), e);
    }
  }

  /** The metadata section of an encoded frame. */
  static byte[] metaOf(byte[] frame) {
    int metaLength = ByteBuffer.wrap(frame).getInt(8);
    return Arrays.copyOfRange(frame, FrameCodec.HEADER_BYTES, FrameCodec.HEADER_BYTES + metaLength);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p, 0, p.length);
    }
    return out.toByteArray();
  }

  /** A deterministic payload: byte i is {@code i * 31 + 7}. */
  static byte[] payload(int bytes) {
    byte[] b = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return b;
  }

  /** Metadata written field by field in the §2 primitive encodings. */
  static final class Meta {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Meta u8(int v) {
      out.write(v);
      return this;
    }

    Meta u16(int v) {
      return bytes(new byte[] {(byte) (v >>> 8), (byte) v});
    }

    Meta i32(int v) {
      return bytes(ByteBuffer.allocate(4).putInt(v).array());
    }

    Meta i64(long v) {
      return bytes(ByteBuffer.allocate(8).putLong(v).array());
    }

    /** A u32 length then the UTF-8 bytes. */
    Meta string(String s) {
      return rawString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A u32 length then {@code raw}, whatever it holds. */
    Meta rawString(byte[] raw) {
      return i32(raw.length).bytes(raw);
    }

    /** A rank then the dimensions. */
    Meta shape(long... dims) {
      u8(dims.length);
      for (long d : dims) {
        i64(d);
      }
      return this;
    }

    Meta bytes(byte[] b) {
      out.write(b, 0, b.length);
      return this;
    }

    byte[] toBytes() {
      return out.toByteArray();
    }
  }
}
