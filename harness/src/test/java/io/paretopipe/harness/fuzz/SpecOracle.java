package io.paretopipe.harness.fuzz;

import static io.paretopipe.harness.fuzz.DecoderContract.LIMITS;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.transport.nio.FrameCodec;
import io.paretopipe.harness.transport.nio.FrameType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Differential check of one metadata section: wraps it in a well-formed header (and, for tensor
 * frames, the payload its tensor header calls for), decodes the frame with {@code FrameCodec} under
 * the {@link DecoderContract}, decodes the metadata with the {@link SpecDecoder}, and requires the
 * same outcome. Stateless.
 */
final class SpecOracle {
  private SpecOracle() {}

  /**
   * Checks {@code meta} as the metadata of a {@code type} frame.
   *
   * @param payloadOffByOne declare one payload byte more than the tensor header calls for (or one
   *     payload byte on a frame type that has none), which must be rejected as BAD_FRAME
   * @return the decoder's outcome, which met the contract and agreed with the spec
   * @throws AssertionError on any disagreement or contract violation
   */
  static DecoderContract.Outcome check(FrameType type, byte[] meta, boolean payloadOffByOne) {
    return check(DecoderContract.FRAME_CODEC, type, meta, payloadOffByOne);
  }

  /**
   * As {@link #check(FrameType, byte[], boolean)}, with another decoder in place of {@code
   * FrameCodec}.
   */
  static DecoderContract.Outcome check(
      DecoderContract.Decoder decoder, FrameType type, byte[] meta, boolean payloadOffByOne) {
    SpecDecoder.Expectation spec = SpecDecoder.decodeMeta(type, meta, LIMITS);
    long payloadBytes =
        spec.accepted() && spec.tensorFrame() != null ? spec.tensorFrame().payloadBytes() : 0;
    if (payloadOffByOne) {
      payloadBytes++;
    }
    // §4 order: header checks (lengths) before any metadata is decoded; the payload length is an
    // unsigned 64-bit field, so a tensor header of 2^63 - 1 bytes plus one declares 2^63, not < 0
    boolean payloadTooLarge = Long.compareUnsigned(payloadBytes, LIMITS.maxTensorBytes()) > 0;
    ErrorCode expectedCode;
    if (meta.length > LIMITS.maxMetaBytes() || payloadTooLarge) {
      expectedCode = ErrorCode.FRAME_TOO_LARGE;
    } else if (!type.hasPayload() && payloadBytes != 0) {
      expectedCode = ErrorCode.BAD_FRAME;
    } else if (!spec.accepted()) {
      expectedCode = spec.rejection();
    } else if (spec.tensorFrame() != null && payloadBytes != spec.tensorFrame().payloadBytes()) {
      expectedCode = ErrorCode.BAD_FRAME;
    } else {
      expectedCode = null;
    }
    byte[] payload = payloadTooLarge ? new byte[0] : Frames.payload((int) payloadBytes);
    byte[] frame =
        Frames.concat(
            Frames.header(
                FrameCodec.MAGIC, FrameCodec.VERSION, type.code(), 0, meta.length, payloadBytes),
            meta,
            payload);

    DecoderContract.Outcome got = DecoderContract.decode(decoder, frame, 0);
    if (expectedCode != null) {
      if (got.accepted()) {
        throw disagreement(
            "the document rejects it as "
                + expectedCode
                + " but FrameCodec accepted "
                + got.message(),
            type,
            meta);
      }
      if (got.rejection().code() != expectedCode) {
        throw disagreement(
            "the document rejects it as "
                + expectedCode
                + " but FrameCodec rejected it as "
                + got.rejection().code()
                + ": "
                + got.rejection().getMessage(),
            type,
            meta);
      }
      return got;
    }
    if (!got.accepted()) {
      throw disagreement(
          "the document accepts it ("
              + (spec.message() != null ? spec.message() : spec.tensorFrame())
              + ") but FrameCodec rejected it: "
              + got.rejection(),
          type,
          meta);
    }
    if (spec.message() != null) {
      if (!spec.message().equals(got.message())) {
        throw disagreement(
            "the document decodes " + spec.message() + " but FrameCodec decoded " + got.message(),
            type,
            meta);
      }
    } else if (!sameTensorFrame(spec.tensorFrame(), payload, got.message())) {
      throw disagreement(
          "the document decodes " + spec.tensorFrame() + " but FrameCodec decoded " + got.message(),
          type,
          meta);
    }
    return got;
  }

  private static boolean sameTensorFrame(
      SpecDecoder.TensorFrame want, byte[] payload, Message got) {
    Tensor tensor;
    if (got instanceof InferenceRequest r) {
      if (r.requestId() != want.requestId() || !want.timings().isEmpty()) {
        return false;
      }
      tensor = r.tensor();
    } else if (got instanceof InferenceResult r) {
      if (r.requestId() != want.requestId() || !r.stageTimings().equals(want.timings())) {
        return false;
      }
      tensor = r.tensor();
    } else {
      return false;
    }
    return tensor.dtype() == want.dtype()
        && Arrays.equals(tensor.shape(), want.shape())
        && sameValues(want.dtype(), ByteBuffer.wrap(payload).order(want.order()), tensor.data());
  }

  /** True if both buffers hold the same element values, each read in its own byte order. */
  static boolean sameValues(DType dtype, ByteBuffer a, ByteBuffer b) {
    if (a.remaining() != b.remaining()) {
      return false;
    }
    int size = SpecDecoder.elementBytes(dtype);
    for (int i = 0; i < a.remaining(); i += size) {
      long x =
          switch (size) {
            case 1 -> a.get(i);
            case 2 -> a.getShort(i);
            case 4 -> a.getInt(i);
            default -> a.getLong(i);
          };
      long y =
          switch (size) {
            case 1 -> b.get(i);
            case 2 -> b.getShort(i);
            case 4 -> b.getInt(i);
            default -> b.getLong(i);
          };
      if (x != y) {
        return false;
      }
    }
    return true;
  }

  private static AssertionError disagreement(String what, FrameType type, byte[] meta) {
    return new AssertionError(
        "FrameCodec disagrees with docs/PROTOCOL.md on "
            + type
            + " metadata "
            + HexFormat.of().formatHex(meta, 0, Math.min(meta.length, 512))
            + (meta.length > 512 ? "..." : "")
            + ": "
            + what);
  }

  /** The frame types in selector order. */
  static final List<FrameType> TYPES =
      List.of(
          FrameType.HANDSHAKE,
          FrameType.HANDSHAKE_REPLY,
          FrameType.REQUEST,
          FrameType.RESULT,
          FrameType.ERROR,
          FrameType.AUTH_CHALLENGE,
          FrameType.AUTH_PROOF,
          FrameType.AUTH_ACCEPT);
}
