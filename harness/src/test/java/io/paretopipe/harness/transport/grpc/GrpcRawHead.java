package io.paretopipe.harness.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.transport.grpc.proto.HandshakeRequest;
import io.paretopipe.harness.transport.grpc.proto.InferReply;
import io.paretopipe.harness.transport.grpc.proto.InferRequest;
import io.paretopipe.harness.transport.grpc.proto.StageGrpc;
import io.paretopipe.harness.transport.grpc.proto.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A head that speaks the grpc service directly, with generated stubs, so that tests can send what
 * {@link GrpcStageChannel} never would: an Infer call without a session, a malformed tensor, a
 * session that is never claimed. Owns one plaintext channel; {@link #close} shuts it down.
 */
final class GrpcRawHead implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** Raw bytes as a message, any size: what a hostile peer sends. */
  static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try (stream) {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  final ManagedChannel channel;

  GrpcRawHead(String address) {
    this.channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
  }

  /** Replies and the final status of one raw Infer call. */
  static final class Call implements StreamObserver<InferReply> {
    final LinkedBlockingQueue<InferReply> replies = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Throwable> end = new LinkedBlockingQueue<>();
    StreamObserver<InferRequest> requests;

    @Override
    public void onNext(InferReply value) {
      replies.add(value);
    }

    @Override
    public void onError(Throwable t) {
      end.add(t);
    }

    @Override
    public void onCompleted() {
      end.add(new IllegalStateException("stream completed without an error"));
    }

    /** The typed error the stream ended with: code from the paretopipe-error-code trailer. */
    StageException awaitError() throws InterruptedException {
      long start = System.nanoTime();
      Throwable t = end.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertTrue(t != null, "the stream did not end within " + TIMEOUT);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(millis < 5_000, "bad input took " + millis + " ms to be rejected");
      Metadata trailers = Status.trailersFromThrowable(t);
      String code =
          trailers == null
              ? null
              : trailers.get(
                  Metadata.Key.of("paretopipe-error-code", Metadata.ASCII_STRING_MARSHALLER));
      assertTrue(code != null, "no paretopipe-error-code trailer in " + t);
      return new StageException(
          ErrorCode.fromCode(Integer.parseInt(code)), Status.fromThrowable(t).getDescription());
    }
  }

  /** A Handshake call for resnet18 units [4, 9); returns the session id. */
  String openSession() {
    return handshake(handshakeRequest().build()).getSessionId();
  }

  /** The Handshake call {@code request}, with a 10 s deadline. */
  io.paretopipe.harness.transport.grpc.proto.HandshakeResponse handshake(HandshakeRequest request) {
    return StageGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .handshake(request);
  }

  /** A valid handshake for resnet18 units [4, 9), batch 8, to build on. */
  static HandshakeRequest.Builder handshakeRequest() {
    return HandshakeRequest.newBuilder()
        .setModel("resnet18")
        .setClasses(1000)
        .addInputShape(3)
        .addInputShape(224)
        .addInputShape(224)
        .setUnitStart(4)
        .setUnitEnd(9)
        .setBatch(8)
        .setDtype(DType.FLOAT32.code());
  }

  /** An Infer call naming {@code sessionId} in its header (none when null). */
  Call infer(String sessionId) {
    Call call = new Call();
    StageGrpc.StageStub stub = StageGrpc.newStub(channel);
    if (sessionId != null) {
      Metadata headers = new Metadata();
      headers.put(
          Metadata.Key.of("paretopipe-session", Metadata.ASCII_STRING_MARSHALLER), sessionId);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    call.requests = stub.infer(call);
    return call;
  }

  /** A request whose tensor carries {@code dataBytes} zero bytes, whatever its shape says. */
  static InferRequest request(long id, DType dtype, long[] shape, int dataBytes) {
    Tensor.Builder t =
        Tensor.newBuilder()
            .setDtype(dtype.code())
            .setLittleEndian(true)
            .setData(ByteString.copyFrom(new byte[dataBytes]));
    for (long d : shape) {
      t.addShape(d);
    }
    return InferRequest.newBuilder().setRequestId(id).setTensor(t).build();
  }

  /** A head of {@code transport} handshakes with the server at {@code address} and is served. */
  static void assertServed(GrpcTransport transport, String address) throws Exception {
    try (io.paretopipe.harness.transport.StageChannel channel =
        transport.connect(address, Duration.ofSeconds(5))) {
      channel.handshake(io.paretopipe.harness.transport.TestStages.handshake("resnet18"), TIMEOUT);
      io.paretopipe.harness.protocol.Tensor t =
          io.paretopipe.harness.transport.TestStages.randomTensor(
              DType.FLOAT32, new long[] {2, 8}, 9);
      channel.send(new io.paretopipe.harness.protocol.InferenceRequest(9, t));
      assertTrue(channel.receive(TIMEOUT).tensor().equalsBytes(t));
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
