package io.paretopipe.harness.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.grpc.KnownLength;
import io.paretopipe.harness.fuzz.DecoderContract;
import io.paretopipe.harness.fuzz.TimeLimit;
import io.paretopipe.harness.memory.BufferPool;
import io.paretopipe.harness.memory.MemoryBudget;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.transport.grpc.proto.HandshakeRequest;
import io.paretopipe.harness.transport.grpc.proto.InferRequest;
import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the grpc message path of a stage, the protobuf twin of the frame decoders: what a peer's
 * {@code InferRequest} and {@code Handshake} bytes go through on a {@link GrpcStageServer}, as grpc
 * hands them over ({@link KnownLength} streams). On every input:
 *
 * <ul>
 *   <li>{@link PooledMarshaller} with room in the request memory: the message is accepted (its size
 *       reserved) or malformed with a typed code and a message, never anything else; {@link
 *       GrpcMessages#fromProto(InferRequest, Limits)} then accepts it or throws a typed {@link
 *       ProtocolException}; once discarded, nothing stays reserved;
 *   <li>the same bytes with no room: never accepted; refused (skimmed by {@link RequestSkimmer}
 *       without a copy) or malformed; a refused one is checked by {@link GrpcMessages#checkRefused}
 *       with a typed outcome, nothing stays reserved, and a request the full parse accepted is
 *       refused under its own request id (the skimmer and protobuf agree);
 *   <li>the same bytes as a {@code Handshake} through {@link BoundedMarshaller} and {@link
 *       GrpcMessages#fromProto(HandshakeRequest, Limits)}: a handshake or a typed refusal, and an
 *       accepted handshake converts back to the same protobuf message.
 * </ul>
 *
 * {@code mvn verify} replays the committed inputs under {@code
 * src/test/resources/io/paretopipe/harness/transport/grpc/GrpcMessageFuzzTestInputs/}; {@code
 * .ci/fuzz} fuzzes for 20 s.
 */
class GrpcMessageFuzzTest {
  /** Small limits, as the frame fuzz targets use, so that every limit is within reach. */
  private static final Limits LIMITS = new Limits(8 << 10, 64 << 10, Tensor.MAX_RANK, 256, 32);

  @FuzzTest(maxDuration = "20s")
  void message(byte[] bytes) {
    TimeLimit.run(
        bytes,
        () -> {
          Long accepted = inferRequestWithRoom(bytes);
          inferRequestWithoutRoom(bytes, accepted);
          handshake(bytes);
        });
  }

  /** grpc's view of a message: a stream that knows its length. */
  private static final class Message extends ByteArrayInputStream implements KnownLength {
    Message(byte[] bytes) {
      super(bytes);
    }
  }

  private static PooledMarshaller<InferRequest> marshaller(MemoryBudget budget) {
    return new PooledMarshaller<>(
        InferRequest.getDefaultInstance(),
        new BufferPool(1 << 20),
        budget,
        RequestSkimmer.INSTANCE,
        RequestSkimmer.MAX_FIELDS);
  }

  /** The request id if both the marshaller and the conversion accept the bytes, else null. */
  private static Long inferRequestWithRoom(byte[] bytes) {
    MemoryBudget budget = new MemoryBudget(1L << 30);
    Received<InferRequest> r = marshaller(budget).parse(new Message(bytes));
    if (r.refused() != null) {
      throw violation("refused with room in the request memory", bytes, null);
    }
    if (r.malformed() != null) {
      checkTyped(r.failureCode(), r.malformed(), bytes);
      checkNothingReserved(budget, bytes);
      return null;
    }
    if (budget.reservedBytes() != bytes.length) {
      throw violation(
          "accepted with " + budget.reservedBytes() + " bytes reserved, not its size", bytes, null);
    }
    Long id = null;
    try {
      InferenceRequest request = GrpcMessages.fromProto(r.message(), LIMITS);
      id = request.requestId();
    } catch (ProtocolException e) {
      checkTyped(e.code(), e.getMessage(), bytes);
    } catch (RuntimeException e) {
      throw violation("fromProto threw " + e, bytes, e);
    }
    r.discard(new BufferPool(0));
    checkNothingReserved(budget, bytes);
    return id;
  }

  private static void inferRequestWithoutRoom(byte[] bytes, Long acceptedId) {
    MemoryBudget budget = new MemoryBudget(Math.max(1, bytes.length - 1));
    if (bytes.length > 0) {
      budget.tryReserve(1); // so that not even an empty message fits
    }
    long before = budget.reservedBytes();
    Received<InferRequest> r = marshaller(budget).parse(new Message(bytes));
    if (budget.reservedBytes() != before) {
      throw violation("a message that did not fit left memory reserved", bytes, null);
    }
    if (r.malformed() != null) {
      checkTyped(r.failureCode(), r.malformed(), bytes);
      if (acceptedId != null) {
        throw violation(
            "skimming found malformed (" + r.malformed() + ") what protobuf accepted", bytes, null);
      }
      return;
    }
    if (r.refused() == null) {
      if (bytes.length == 0) {
        return; // an empty message fits any budget
      }
      throw violation("accepted without room in the request memory", bytes, null);
    }
    try {
      long id =
          GrpcMessages.checkRefused(
              r.message(), r.refused().rank(), r.refused().tensorBytes(), LIMITS);
      if (acceptedId != null && id != acceptedId) {
        throw violation(
            "refused as request " + id + ", parsed as request " + acceptedId, bytes, null);
      }
    } catch (ProtocolException e) {
      checkTyped(e.code(), e.getMessage(), bytes);
      if (acceptedId != null) {
        throw violation(
            "a refused request the full parse accepts was checked as invalid: " + e, bytes, e);
      }
    } catch (RuntimeException e) {
      throw violation("checkRefused threw " + e, bytes, e);
    }
  }

  private static void handshake(byte[] bytes) {
    BoundedMarshaller.Bounded<HandshakeRequest> b =
        new BoundedMarshaller<>(
                HandshakeRequest.getDefaultInstance(), "handshake", LIMITS.maxMetaBytes())
            .parse(new Message(bytes));
    if (b.message() == null) {
      checkTyped(b.refusalCode(), b.refusal(), bytes);
      return;
    }
    Handshake h;
    try {
      h = GrpcMessages.fromProto(b.message(), LIMITS);
    } catch (StageException e) {
      checkTyped(e.code(), e.getMessage(), bytes);
      return;
    } catch (RuntimeException e) {
      throw violation("fromProto(HandshakeRequest) threw " + e, bytes, e);
    }
    HandshakeRequest again = GrpcMessages.toProto(h);
    try {
      if (!GrpcMessages.toProto(GrpcMessages.fromProto(again, LIMITS)).equals(again)) {
        throw violation("an accepted handshake does not convert back to itself", bytes, null);
      }
    } catch (StageException e) {
      throw violation("an accepted handshake, converted back, is refused: " + e, bytes, e);
    }
  }

  private static void checkTyped(ErrorCode code, String message, byte[] bytes) {
    if (code == null || code == ErrorCode.INTERNAL || message == null || message.isBlank()) {
      throw violation("an untyped refusal: " + code + " \"" + message + "\"", bytes, null);
    }
  }

  private static void checkNothingReserved(MemoryBudget budget, byte[] bytes) {
    if (budget.reservedBytes() != 0) {
      throw violation(budget.reservedBytes() + " bytes stayed reserved", bytes, null);
    }
  }

  private static AssertionError violation(String what, byte[] input, Throwable cause) {
    return DecoderContract.violation(what, input, 0, cause);
  }

  @Test
  void theContractHoldsForAValidRequestAndHandshake() {
    byte[] request =
        GrpcRawHead.request(7, io.paretopipe.harness.protocol.DType.FLOAT32, new long[] {2, 4}, 32)
            .toByteArray();
    assertEquals(7L, inferRequestWithRoom(request));
    inferRequestWithoutRoom(request, 7L);
    handshake(GrpcRawHead.handshakeRequest().build().toByteArray());
  }
}
