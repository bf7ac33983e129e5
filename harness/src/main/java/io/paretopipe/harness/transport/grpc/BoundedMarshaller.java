package io.paretopipe.harness.transport.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.paretopipe.harness.protocol.ErrorCode;
import java.io.IOException;
import java.io.InputStream;

/**
 * The stage's marshaller of a small message (the {@code Handshake} request): a message over {@code
 * maxBytes} is refused by its size, before protobuf parses it, and comes back as {@link
 * Bounded#refusal} ({@code FRAME_TOO_LARGE} naming both sizes), as does one that is not a valid
 * message ({@code BAD_HANDSHAKE}); nothing is thrown to grpc, which would answer an opaque {@code
 * UNKNOWN}. grpc hands the message over whole ({@link KnownLength}, at most the server's max
 * inbound message size); closing the stream gives its buffers back. A stream of unknown length is
 * read up to {@code maxBytes + 1} bytes only. Thread-safe.
 */
final class BoundedMarshaller<T extends com.google.protobuf.Message>
    implements MethodDescriptor.Marshaller<BoundedMarshaller.Bounded<T>> {
  private final MethodDescriptor.Marshaller<T> protobuf;
  private final Parser<T> parser;
  private final int maxBytes;
  private final String what;

  /**
   * A parsed message, or why there is none.
   *
   * @param message null when refused
   * @param refusalCode null, or the typed error the call is answered with
   * @param refusal null, or why the message was refused
   */
  record Bounded<T>(T message, ErrorCode refusalCode, String refusal) {}

  /**
   * @param what the message's name in errors, e.g. {@code "handshake"}
   * @param maxBytes largest message accepted, bytes
   */
  @SuppressWarnings("unchecked")
  BoundedMarshaller(T defaultInstance, String what, int maxBytes) {
    this.protobuf = ProtoUtils.marshaller(defaultInstance);
    this.parser = (Parser<T>) defaultInstance.getParserForType();
    this.what = what;
    this.maxBytes = maxBytes;
  }

  @Override
  public InputStream stream(Bounded<T> value) {
    return protobuf.stream(value.message());
  }

  @Override
  public Bounded<T> parse(InputStream in) {
    try (in) {
      if (in instanceof KnownLength && in.available() > maxBytes) {
        return tooLarge(in.available());
      }
      byte[] bytes = in.readNBytes(maxBytes + 1);
      if (bytes.length > maxBytes) {
        return tooLarge(bytes.length);
      }
      return new Bounded<>(parser.parseFrom(bytes), null, null);
    } catch (InvalidProtocolBufferException e) {
      return new Bounded<>(
          null, ErrorCode.BAD_HANDSHAKE, "not a valid " + what + " message: " + e.getMessage());
    } catch (IOException | RuntimeException | OutOfMemoryError e) {
      return new Bounded<>(null, ErrorCode.INTERNAL, "cannot read the " + what + ": " + e);
    }
  }

  private Bounded<T> tooLarge(int size) {
    return new Bounded<>(
        null,
        ErrorCode.FRAME_TOO_LARGE,
        "a "
            + what
            + " of "
            + size
            + " bytes is larger than the "
            + maxBytes
            + " bytes a stage reads (maxMetaBytes)");
  }
}
