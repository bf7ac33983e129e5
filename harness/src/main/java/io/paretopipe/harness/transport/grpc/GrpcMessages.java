package io.paretopipe.harness.transport.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Downstream;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.StageTiming;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.transport.grpc.proto.HandshakeRequest;
import io.paretopipe.harness.transport.grpc.proto.HandshakeResponse;
import io.paretopipe.harness.transport.grpc.proto.InferReply;
import io.paretopipe.harness.transport.grpc.proto.InferRequest;
import io.paretopipe.harness.transport.grpc.proto.InferResult;
import io.paretopipe.harness.transport.grpc.proto.StageError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Conversions between the protocol records and the generated protobuf messages, and how typed
 * errors travel in grpc statuses. Stateless.
 *
 * <p>Connection-level errors end the call with a grpc status whose description is the message and
 * whose trailers carry {@link #ERROR_CODE} (the {@link ErrorCode} wire code); a peer that sends a
 * status without it (grpc itself, e.g. a message over the size limit) is mapped by status code
 * ({@link #fromStatus}).
 */
final class GrpcMessages {
  /** Trailer with the {@link ErrorCode} wire code of a connection-level error, as decimal ASCII. */
  static final Metadata.Key<String> ERROR_CODE =
      Metadata.Key.of("paretopipe-error-code", Metadata.ASCII_STRING_MARSHALLER);

  /** Request header of an Infer call naming the session its Handshake opened. */
  static final Metadata.Key<String> SESSION =
      Metadata.Key.of("paretopipe-session", Metadata.ASCII_STRING_MARSHALLER);

  private GrpcMessages() {}

  // ---- handshake ----

  static HandshakeRequest toProto(Handshake h) {
    HandshakeRequest.Builder b =
        HandshakeRequest.newBuilder()
            .setModel(h.model())
            .setClasses(h.classes())
            .setUnitStart(h.unitStart())
            .setUnitEnd(h.unitEnd())
            .setBatch(h.batch())
            .setDtype(h.dtype().code())
            .setSeed(h.seed())
            .setThreads(h.threads())
            .setModelDigest(h.modelDigest());
    for (int d : h.inputShape()) {
      b.addInputShape(d);
    }
    for (Downstream d : h.downstream()) {
      b.addDownstream(
          io.paretopipe.harness.transport.grpc.proto.Downstream.newBuilder()
              .setAddress(d.address())
              .setUnitEnd(d.unitEnd()));
    }
    return b.build();
  }

  /**
   * @throws StageException BAD_HANDSHAKE naming the invalid field, FRAME_TOO_LARGE for a list or
   *     string over its limit
   */
  static Handshake fromProto(HandshakeRequest p, Limits limits) throws StageException {
    checkString("model", p.getModel(), limits);
    checkString("modelDigest", p.getModelDigest(), limits);
    checkList("inputShape", p.getInputShapeCount(), limits);
    checkList("downstream", p.getDownstreamCount(), limits);
    try {
      List<Downstream> downstream = new ArrayList<>();
      for (io.paretopipe.harness.transport.grpc.proto.Downstream d : p.getDownstreamList()) {
        checkString("downstream address", d.getAddress(), limits);
        downstream.add(new Downstream(d.getAddress(), d.getUnitEnd()));
      }
      int[] input = p.getInputShapeList().stream().mapToInt(Integer::intValue).toArray();
      return new Handshake(
          p.getModel(),
          p.getClasses(),
          input,
          p.getUnitStart(),
          p.getUnitEnd(),
          p.getBatch(),
          DType.fromCode(p.getDtype()),
          p.getSeed(),
          p.getThreads(),
          p.getModelDigest(),
          downstream);
    } catch (IllegalArgumentException | ProtocolException e) {
      throw new StageException(ErrorCode.BAD_HANDSHAKE, e.getMessage());
    }
  }

  static HandshakeResponse toProto(HandshakeReply r, String sessionId) {
    HandshakeResponse.Builder b =
        HandshakeResponse.newBuilder()
            .setSessionId(sessionId)
            .setModel(r.model())
            .addAllUnitNames(r.unitNames())
            .setParameterCount(r.parameterCount())
            .setPid(r.pid())
            .setCpusAllowed(r.cpusAllowed())
            .setThreads(r.threads())
            .setEngine(r.engine());
    for (long d : r.expectedInputShape()) {
      b.addExpectedInputShape(d);
    }
    for (long d : r.outputShape()) {
      b.addOutputShape(d);
    }
    return b.build();
  }

  static HandshakeReply fromProto(HandshakeResponse p) throws ProtocolException {
    try {
      return new HandshakeReply(
          p.getModel(),
          p.getUnitNamesList(),
          p.getExpectedInputShapeList().stream().mapToLong(Long::longValue).toArray(),
          p.getOutputShapeList().stream().mapToLong(Long::longValue).toArray(),
          p.getParameterCount(),
          p.getPid(),
          p.getCpusAllowed(),
          p.getThreads(),
          p.getEngine());
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME, "invalid handshake reply: " + e.getMessage(), e);
    }
  }

  // ---- tensors ----

  /** The tensor as a message whose bytes field wraps the tensor's own memory (no copy). */
  static io.paretopipe.harness.transport.grpc.proto.Tensor toProto(Tensor t) {
    io.paretopipe.harness.transport.grpc.proto.Tensor.Builder b =
        io.paretopipe.harness.transport.grpc.proto.Tensor.newBuilder()
            .setDtype(t.dtype().code())
            .setLittleEndian(t.byteOrder() == ByteOrder.LITTLE_ENDIAN)
            .setData(
                t.byteSize() == 0 ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(t.data()));
    for (long d : t.shape()) {
      b.addShape(d);
    }
    return b.build();
  }

  /**
   * The tensor of a received message. Its data is a direct native-order view of the message's bytes
   * (read-only: it aliases the receive buffer); a payload in the other byte order, or one not held
   * in direct memory (only ever the empty one), is copied.
   *
   * @throws ProtocolException FRAME_TOO_LARGE for a rank or size over the limits, BAD_FRAME for an
   *     unknown dtype, an invalid shape, or data whose length disagrees with the shape
   */
  static Tensor fromProto(io.paretopipe.harness.transport.grpc.proto.Tensor p, Limits limits)
      throws ProtocolException {
    ByteString data = p.getData();
    long[] shape = checkTensor(p, p.getShapeCount(), data.size(), limits);
    DType dtype = DType.fromCode(p.getDtype());
    ByteOrder order = p.getLittleEndian() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    ByteBuffer view = data.asReadOnlyByteBuffer().order(order);
    if (!view.isDirect() || order != ByteOrder.nativeOrder()) {
      view = toNativeDirect(view, dtype.byteSize());
    }
    return new Tensor(dtype, shape, view);
  }

  /**
   * Checks a tensor message's dtype, shape and data length, given apart from the message so that a
   * request skimmed without its data is checked exactly like a parsed one.
   *
   * @param rank the number of shape dims (the message may keep fewer, see {@link RequestSkimmer})
   * @param dataBytes the length of its data
   * @return the shape
   * @throws ProtocolException as {@link
   *     #fromProto(io.paretopipe.harness.transport.grpc.proto.Tensor, Limits)}
   */
  static long[] checkTensor(
      io.paretopipe.harness.transport.grpc.proto.Tensor p, int rank, long dataBytes, Limits limits)
      throws ProtocolException {
    DType dtype = DType.fromCode(p.getDtype());
    if (rank > limits.maxRank()) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          "tensor of rank " + rank + " is over the limit (maxRank=" + limits.maxRank() + ")");
    }
    long[] shape = p.getShapeList().stream().mapToLong(Long::longValue).toArray();
    long expected;
    try {
      expected = Tensor.byteSize(dtype, shape);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.BAD_FRAME, e.getMessage(), e);
    }
    if (expected > limits.maxTensorBytes()) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          "tensor "
              + Arrays.toString(shape)
              + " of "
              + dtype
              + " has "
              + expected
              + " bytes, over the limit (maxTensorBytes="
              + limits.maxTensorBytes()
              + ")");
    }
    if (dataBytes != expected) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME,
          "tensor "
              + Arrays.toString(shape)
              + " of "
              + dtype
              + " needs "
              + expected
              + " data bytes but the message carries "
              + dataBytes);
    }
    return shape;
  }

  /**
   * A fresh direct native-order copy of {@code src}, swapping each element's bytes if the orders
   * differ.
   */
  private static ByteBuffer toNativeDirect(ByteBuffer src, int elementBytes) {
    ByteBuffer dst = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
    boolean swap = src.order() != ByteOrder.nativeOrder() && elementBytes > 1;
    for (int i = src.position(); i < src.limit(); i += elementBytes) {
      for (int j = 0; j < elementBytes; j++) {
        dst.put(src.get(swap ? i + elementBytes - 1 - j : i + j));
      }
    }
    return dst.flip();
  }

  // ---- requests and results ----

  static InferRequest toProto(InferenceRequest r) {
    return InferRequest.newBuilder()
        .setRequestId(r.requestId())
        .setTensor(toProto(r.tensor()))
        .build();
  }

  static InferenceRequest fromProto(InferRequest p, Limits limits) throws ProtocolException {
    checkRequest(p);
    return new InferenceRequest(p.getRequestId(), fromProto(p.getTensor(), limits));
  }

  /**
   * Checks a request refused by the stage's request memory, read without its tensor's data ({@link
   * RequestSkimmer}), exactly as {@link #fromProto(InferRequest, Limits)} checks an accepted one,
   * so only a request that would have been valid is answered {@code BUSY}.
   *
   * @param rank the true number of dims of its tensor's shape
   * @param tensorBytes the length of its tensor's data
   * @return its request id
   */
  static long checkRefused(InferRequest header, int rank, long tensorBytes, Limits limits)
      throws ProtocolException {
    checkRequest(header);
    checkTensor(header.getTensor(), rank, tensorBytes, limits);
    return header.getRequestId();
  }

  private static void checkRequest(InferRequest p) throws ProtocolException {
    if (!p.hasTensor()) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME, "request " + p.getRequestId() + " carries no tensor");
    }
    if (p.getRequestId() == StageException.NO_REQUEST) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME, "request id -1 is reserved for connection-level errors");
    }
  }

  static InferReply toProto(InferenceResult r) {
    InferResult.Builder b =
        InferResult.newBuilder().setRequestId(r.requestId()).setTensor(toProto(r.tensor()));
    for (StageTiming t : r.stageTimings()) {
      b.addStageTimings(
          io.paretopipe.harness.transport.grpc.proto.StageTiming.newBuilder()
              .setComputeNanos(t.computeNanos())
              .setQueueNanos(t.queueNanos()));
    }
    return InferReply.newBuilder().setResult(b).build();
  }

  static InferReply errorReply(long requestId, ErrorCode code, String message) {
    return InferReply.newBuilder()
        .setError(
            StageError.newBuilder()
                .setRequestId(requestId)
                .setCode(code.code())
                .setMessage(message))
        .build();
  }

  static InferenceResult fromProto(InferResult p, Limits limits) throws ProtocolException {
    if (!p.hasTensor()) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME, "result " + p.getRequestId() + " carries no tensor");
    }
    checkList("stageTimings", p.getStageTimingsCount(), limits);
    List<StageTiming> timings = new ArrayList<>(p.getStageTimingsCount());
    try {
      for (io.paretopipe.harness.transport.grpc.proto.StageTiming t : p.getStageTimingsList()) {
        timings.add(new StageTiming(t.getComputeNanos(), t.getQueueNanos()));
      }
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.BAD_FRAME, e.getMessage(), e);
    }
    return new InferenceResult(p.getRequestId(), fromProto(p.getTensor(), limits), timings);
  }

  // ---- errors ----

  /** A status that ends a call with a connection-level error of this code and message. */
  static StatusRuntimeException toStatus(ErrorCode code, String message) {
    Metadata trailers = new Metadata();
    trailers.put(ERROR_CODE, Integer.toString(code.code()));
    return grpcCode(code).withDescription(message).asRuntimeException(trailers);
  }

  private static Status grpcCode(ErrorCode code) {
    return switch (code) {
      case BAD_FRAME, BAD_HANDSHAKE, BAD_SPLIT, SHAPE_MISMATCH, UNSUPPORTED_VERSION ->
          Status.INVALID_ARGUMENT;
      case FRAME_TOO_LARGE, BUSY -> Status.RESOURCE_EXHAUSTED;
      case UNKNOWN_MODEL -> Status.NOT_FOUND;
      case NOT_READY -> Status.FAILED_PRECONDITION;
      case TIMEOUT -> Status.DEADLINE_EXCEEDED;
      case CLOSED -> Status.UNAVAILABLE;
      case UNSUPPORTED -> Status.UNIMPLEMENTED;
      case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
      default -> Status.INTERNAL;
    };
  }

  /**
   * The typed error a failed call stands for, or null if it is a transport failure (the peer is
   * gone, the call was cancelled) that the caller reports as an IOException. A status with {@link
   * #ERROR_CODE} in its trailers keeps that code; grpc's own rejections map by status code:
   * RESOURCE_EXHAUSTED (a message over the receiver's size limit) to FRAME_TOO_LARGE,
   * INVALID_ARGUMENT to BAD_FRAME, FAILED_PRECONDITION to NOT_READY, INTERNAL and UNKNOWN to
   * INTERNAL, UNIMPLEMENTED to UNSUPPORTED, UNAUTHENTICATED (the auth interceptors) to
   * UNAUTHENTICATED.
   */
  static StageException fromStatus(Throwable t, String peer) {
    Status status = Status.fromThrowable(t);
    Metadata trailers = Status.trailersFromThrowable(t);
    String description =
        status.getDescription() == null ? status.getCode().toString() : status.getDescription();
    String code = trailers == null ? null : trailers.get(ERROR_CODE);
    if (code != null) {
      try {
        return new StageException(ErrorCode.fromCode(Integer.parseInt(code)), description);
      } catch (NumberFormatException e) {
        return new StageException(ErrorCode.UNKNOWN, description);
      }
    }
    ErrorCode mapped =
        switch (status.getCode()) {
          case RESOURCE_EXHAUSTED -> ErrorCode.FRAME_TOO_LARGE;
          case INVALID_ARGUMENT -> ErrorCode.BAD_FRAME;
          case FAILED_PRECONDITION -> ErrorCode.NOT_READY;
          case INTERNAL, UNKNOWN -> ErrorCode.INTERNAL;
          case UNIMPLEMENTED -> ErrorCode.UNSUPPORTED;
          case UNAUTHENTICATED -> ErrorCode.UNAUTHENTICATED;
          default -> null;
        };
    return mapped == null
        ? null
        : new StageException(mapped, "stage at " + peer + ": " + description);
  }

  private static void checkString(String field, String value, Limits limits) throws StageException {
    // UTF-8 takes at most 3 bytes per char: encode only when that bound is over the limit
    if (3L * value.length() > limits.maxStringBytes()
        && value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
            > limits.maxStringBytes()) {
      throw new StageException(
          ErrorCode.FRAME_TOO_LARGE,
          field + " is over the limit (maxStringBytes=" + limits.maxStringBytes() + ")");
    }
  }

  private static void checkList(String field, int size, Limits limits) throws ProtocolException {
    if (size > limits.maxListSize()) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          field
              + " has "
              + size
              + " entries, over the limit (maxListSize="
              + limits.maxListSize()
              + ")");
    }
  }
}
