package io.paretopipe.harness.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.paretopipe.harness.memory.BufferPool;
import io.paretopipe.harness.memory.MemoryBudget;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.StageTiming;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.StageSession;
import io.paretopipe.harness.transport.TestStages;
import io.paretopipe.harness.transport.grpc.proto.HandshakeResponse;
import io.paretopipe.harness.transport.grpc.proto.InferReply;
import io.paretopipe.harness.transport.grpc.proto.InferRequest;
import io.paretopipe.harness.transport.grpc.proto.StageError;
import io.paretopipe.harness.transport.grpc.proto.StageGrpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code grpc} stage server's request memory, shared by all sessions ({@link
 * GrpcStageServer.Builder#optMaxRequestBytes}), between a real server and real channels over
 * loopback: a request that does not fit is answered with a request-level {@code BUSY} naming it,
 * without being copied, and its stream goes on; every reservation comes back once its request is
 * answered, refused, or its stream ends. The stage holds each session's requests until it has two
 * (then echoes both), so memory stays reserved for as long as a test needs.
 */
class GrpcMemoryBudgetTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final long MIB = 1 << 20;

  /** 1.5 MiB: one 1 MiB request fits, two do not. */
  private static final long BUDGET = MIB + MIB / 2;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final PairingService service = new PairingService();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private GrpcStageServer stage(StageService service, StageServerOptions options)
      throws IOException {
    GrpcStageServer server = GrpcStageServer.start(service, options);
    toClose.add(server);
    return server;
  }

  private GrpcStageChannel session(GrpcStageServer server) throws Exception {
    GrpcStageChannel channel = new GrpcTransport(Limits.DEFAULT).connect(server.address(), TIMEOUT);
    toClose.add(channel);
    channel.handshake(handshake(), TIMEOUT);
    return channel;
  }

  /**
   * A refused request is read without its data and still checked like an accepted one: a valid one
   * gets BUSY, an invalid one ends the stream with the same typed error it would get if it fitted.
   */
  @Test
  void aRefusedRequestIsCheckedLikeAnAcceptedOne() throws Exception {
    GrpcStageServer server =
        stage(service, StageServerOptions.builder().optMaxRequestBytes(64 << 10).build());
    ManagedChannel raw =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    toClose.add(() -> raw.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    ByteString mib = ByteString.copyFrom(new byte[(int) MIB]);

    RawStream first = RawStream.open(raw);
    first.requests.onNext(request(6, mib, 262144));
    InferReply busy = first.next();
    assertTrue(busy.hasError(), busy.toString());
    StageError error = busy.getError();
    assertEquals(6, error.getRequestId());
    assertEquals(ErrorCode.BUSY.code(), error.getCode());
    assertTrue(
        error.getMessage().startsWith("request 6 refused: its 1048576-byte tensor"),
        error.getMessage());
    first.requests.onNext(request(7, mib, 4)); // a 4-element shape with 1 MiB of data
    Status badFrame = first.end();
    assertEquals(
        String.valueOf(ErrorCode.BAD_FRAME.code()),
        first.trailers.get(GrpcMessages.ERROR_CODE),
        badFrame.toString());
    assertEquals(
        "tensor [4] of FLOAT32 needs 16 data bytes but the message carries 1048576",
        badFrame.getDescription());

    RawStream second = RawStream.open(raw);
    long[] rank12 = new long[12];
    Arrays.fill(rank12, 1);
    second.requests.onNext(request(8, mib, rank12));
    Status tooLarge = second.end();
    assertEquals(
        String.valueOf(ErrorCode.FRAME_TOO_LARGE.code()),
        second.trailers.get(GrpcMessages.ERROR_CODE),
        tooLarge.toString());
    assertEquals("tensor of rank 12 is over the limit (maxRank=8)", tooLarge.getDescription());
    awaitReserved(server, 0);
    assertTrue(
        service.sessions.stream().allMatch(s -> s.processed.isEmpty()),
        "no refused request reached a stage");
  }

  /**
   * Compressed messages would reach the marshaller at an unknown size, so the stage accepts none.
   */
  @Test
  void compressedCallsAreRefused() throws Exception {
    GrpcStageServer server = stage(service, StageServerOptions.builder().build());
    ManagedChannel raw =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    toClose.add(() -> raw.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                StageGrpc.newBlockingStub(raw)
                    .withCompression("gzip")
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .handshake(GrpcMessages.toProto(handshake())));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode(), e.toString());
    assertTrue(e.getStatus().getDescription().contains("gzip"), e.toString());
    assertEquals(0, server.admission().headsAdmitted());
    // the same call uncompressed is served
    HandshakeResponse ok =
        StageGrpc.newBlockingStub(raw)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .handshake(GrpcMessages.toProto(handshake()));
    assertEquals("resnet18", ok.getModel());
  }

  /**
   * The marshaller itself: a message that does not fit is skipped in the stream it came in, never
   * read into memory, and reserves nothing; one that fits reserves exactly its size.
   */
  @Test
  void theMarshallerSkipsARefusedMessageWithoutReadingItsTensor() throws Exception {
    MemoryBudget budget = new MemoryBudget(1000);
    BufferPool pool = new BufferPool(4 * MIB);
    PooledMarshaller<InferRequest> marshaller =
        new PooledMarshaller<>(
            InferRequest.getDefaultInstance(),
            pool,
            budget,
            RequestSkimmer.INSTANCE,
            RequestSkimmer.MAX_FIELDS);
    InferenceRequest bigRequest = new InferenceRequest(42, randomTensor(new long[] {2, 131072}, 6));
    byte[] bytes = GrpcMessages.toProto(bigRequest).toByteArray();
    assertTrue(budget.tryReserve(100)); // someone else holds 100 of the 1000 bytes

    CountingStream in = new CountingStream(bytes);
    Received<InferRequest> refused = marshaller.parse(in);
    assertNotNull(refused.refused());
    assertNull(refused.backing());
    assertNull(refused.reservation());
    assertEquals(new Received.Refusal(bytes.length, MIB, 2, 900, 1000), refused.refused());
    assertEquals(42, refused.message().getRequestId());
    assertEquals(List.of(2L, 131072L), refused.message().getTensor().getShapeList());
    assertEquals(DType.FLOAT32.code(), refused.message().getTensor().getDtype());
    assertTrue(refused.message().getTensor().getData().isEmpty());
    assertTrue(
        in.readBytes <= 2048,
        "read " + in.readBytes + " bytes of a refused " + bytes.length + "-byte message");
    assertEquals(bytes.length, in.readBytes + in.skippedBytes, "the whole message was consumed");
    assertEquals(100, budget.reservedBytes());
    assertEquals(42, GrpcMessages.checkRefused(refused.message(), 2, MIB, Limits.DEFAULT));

    InferenceRequest smallRequest = new InferenceRequest(43, randomTensor(new long[] {100}, 7));
    byte[] smallBytes = GrpcMessages.toProto(smallRequest).toByteArray();
    Received<InferRequest> accepted = marshaller.parse(new CountingStream(smallBytes));
    assertNull(accepted.refused());
    assertEquals(smallBytes.length, accepted.reservation().bytes());
    assertEquals(100 + smallBytes.length, budget.reservedBytes());
    assertTrue(accepted.backing().isDirect());
    assertArrayEquals(
        bytes(smallRequest.tensor()),
        bytes(GrpcMessages.fromProto(accepted.message(), Limits.DEFAULT).tensor()));
    accepted.discard(pool);
    accepted.discard(pool); // the reservation is released once only
    assertEquals(100, budget.reservedBytes());
  }

  /**
   * The skimmer reads what protobuf's parser reads: last id wins, tensor fields merge, unknown
   * fields skipped.
   */
  @Test
  void theSkimmerFollowsProtobufsMergeRules() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeInt64(1, 5);
    out.writeBytes(99, ByteString.copyFrom(new byte[5000])); // unknown field
    ByteArrayOutputStream t1 = new ByteArrayOutputStream();
    CodedOutputStream tensor1 = CodedOutputStream.newInstance(t1);
    tensor1.writeUInt32(1, DType.INT8.code());
    tensor1.writeInt64(3, 2); // unpacked shape dims
    tensor1.writeInt64(3, 3);
    tensor1.writeBytes(4, ByteString.copyFrom(new byte[77]));
    tensor1.writeFixed32(15, 12345); // unknown field inside the tensor
    tensor1.flush();
    out.writeByteArray(2, t1.toByteArray());
    ByteArrayOutputStream t2 = new ByteArrayOutputStream();
    CodedOutputStream tensor2 = CodedOutputStream.newInstance(t2);
    tensor2.writeBool(2, true);
    tensor2.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED); // packed shape dims
    tensor2.writeUInt32NoTag(CodedOutputStream.computeInt64SizeNoTag(4) * 2);
    tensor2.writeInt64NoTag(4);
    tensor2.writeInt64NoTag(4);
    tensor2.writeBytes(4, ByteString.copyFrom(new byte[96]));
    tensor2.flush();
    out.writeByteArray(2, t2.toByteArray());
    out.writeInt64(1, 9);
    out.flush();
    byte[] message = bytes.toByteArray();

    InferRequest parsed = InferRequest.parseFrom(message);
    PooledMarshaller.Skim<InferRequest> skim =
        RequestSkimmer.INSTANCE.skim(CodedInputStream.newInstance(new CountingStream(message)));
    assertEquals(parsed.getRequestId(), skim.header().getRequestId());
    assertEquals(9, skim.header().getRequestId());
    assertEquals(parsed.getTensor().getShapeList(), skim.header().getTensor().getShapeList());
    assertEquals(List.of(2L, 3L, 4L, 4L), skim.header().getTensor().getShapeList());
    assertEquals(parsed.getTensor().getDtype(), skim.header().getTensor().getDtype());
    assertEquals(parsed.getTensor().getLittleEndian(), skim.header().getTensor().getLittleEndian());
    assertEquals(parsed.getTensor().getData().size(), skim.tensorBytes());
    assertEquals(96, skim.tensorBytes());
    assertEquals(4, skim.rank());
    assertEquals(
        9,
        GrpcMessages.checkRefused(skim.header(), skim.rank(), skim.tensorBytes(), Limits.DEFAULT));
  }

  // ---- helpers ----

  private static long messageBytes(long requestId, Tensor tensor) {
    return GrpcMessages.toProto(new InferenceRequest(requestId, tensor)).getSerializedSize();
  }

  private static InferRequest request(long requestId, ByteString data, long... shape) {
    io.paretopipe.harness.transport.grpc.proto.Tensor.Builder t =
        io.paretopipe.harness.transport.grpc.proto.Tensor.newBuilder()
            .setDtype(DType.FLOAT32.code())
            .setLittleEndian(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN)
            .setData(data);
    for (long d : shape) {
      t.addShape(d);
    }
    return InferRequest.newBuilder().setRequestId(requestId).setTensor(t).build();
  }

  private static void assertEcho(
      InferenceResult result, long requestId, Tensor sent, GrpcStageChannel channel) {
    assertEquals(requestId, result.requestId());
    assertArrayEquals(sent.shape(), result.tensor().shape());
    assertArrayEquals(
        bytes(sent), bytes(result.tensor()), "request " + requestId + " came back altered");
    assertEquals(List.of(PairingSession.TIMING), result.stageTimings());
    channel.release(result.tensor());
  }

  private static void awaitReserved(GrpcStageServer server, long expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.admission().reservedBytes() != expected) {
      if (System.nanoTime() > deadline) {
        fail(
            "request memory reserved: "
                + server.admission().reservedBytes()
                + " bytes, expected "
                + expected
                + " within 10 s");
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  private static Handshake handshake() {
    return new Handshake(
        "resnet18", 1000, new int[] {3, 224, 224}, 4, 9, 2, DType.FLOAT32, 42L, 1, "", List.of());
  }

  private static Tensor randomTensor(long[] shape, long seed) {
    return TestStages.randomTensor(DType.FLOAT32, shape, seed);
  }

  private static byte[] bytes(Tensor t) {
    return TestStages.bytes(t);
  }

  /**
   * A message stream of known length, as grpc hands one over, counting what is read and what
   * skipped.
   */
  private static final class CountingStream extends InputStream implements KnownLength {
    private final byte[] bytes;
    private int position;
    long readBytes;
    long skippedBytes;

    CountingStream(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int available() {
      return bytes.length - position;
    }

    @Override
    public int read() {
      if (position == bytes.length) {
        return -1;
      }
      readBytes++;
      return bytes[position++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (position == bytes.length) {
        return -1;
      }
      int n = Math.min(len, bytes.length - position);
      System.arraycopy(bytes, position, b, off, n);
      position += n;
      readBytes += n;
      return n;
    }

    @Override
    public long skip(long n) {
      int k = (int) Math.max(0, Math.min(n, bytes.length - position));
      position += k;
      skippedBytes += k;
      return k;
    }
  }

  /** A raw Infer stream on a session of its own, for requests the head's channel would not send. */
  private static final class RawStream {
    final LinkedBlockingQueue<InferReply> replies = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> ended = new CompletableFuture<>();
    volatile Metadata trailers = new Metadata();
    StreamObserver<InferRequest> requests;

    static RawStream open(ManagedChannel raw) {
      HandshakeResponse opened =
          StageGrpc.newBlockingStub(raw)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .handshake(GrpcMessages.toProto(handshake()));
      Metadata headers = new Metadata();
      headers.put(GrpcMessages.SESSION, opened.getSessionId());
      Channel withSession =
          ClientInterceptors.intercept(raw, MetadataUtils.newAttachHeadersInterceptor(headers));
      RawStream s = new RawStream();
      s.requests =
          StageGrpc.newStub(withSession)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .infer(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(InferReply value) {
                      s.replies.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                      Metadata m = Status.trailersFromThrowable(t);
                      if (m != null) {
                        s.trailers = m;
                      }
                      s.ended.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                      s.ended.complete(Status.OK);
                    }
                  });
      return s;
    }

    InferReply next() throws InterruptedException {
      InferReply reply = replies.poll(10, TimeUnit.SECONDS);
      assertNotNull(reply, "no reply within 10 s");
      return reply;
    }

    Status end() throws Exception {
      return ended.get(10, TimeUnit.SECONDS);
    }
  }

  /** Opens {@link PairingSession}s. */
  private static final class PairingService implements StageService {
    final List<PairingSession> sessions = new CopyOnWriteArrayList<>();

    @Override
    public StageSession open(Handshake h) {
      PairingSession s =
          new PairingSession(
              new HandshakeReply(
                  h.model(),
                  List.of("unit" + h.unitStart()),
                  new long[] {h.batch(), 128, 28, 28},
                  new long[] {h.batch(), 128, 28, 28},
                  1L,
                  ProcessHandle.current().pid(),
                  "0",
                  h.threads(),
                  "echo"));
      sessions.add(s);
      return s;
    }
  }

  /**
   * Holds requests until it has two, then echoes both, older first, from a thread of its own. Its
   * close does not answer a held request (so only the transport can give its memory back).
   */
  private static final class PairingSession implements StageSession {
    static final StageTiming TIMING = new StageTiming(3_000L, 4L);

    private final HandshakeReply reply;
    final LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
    final List<Long> processed = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch closed = new CountDownLatch(1);
    private final List<InferenceRequest> held = new ArrayList<>();
    private final List<CompletableFuture<InferenceResult>> futures = new ArrayList<>();
    private final List<CompletableFuture<InferenceResult>> all = new CopyOnWriteArrayList<>();

    PairingSession(HandshakeReply reply) {
      this.reply = reply;
    }

    @Override
    public HandshakeReply reply() {
      return reply;
    }

    @Override
    public synchronized CompletableFuture<InferenceResult> process(InferenceRequest request) {
      processed.add(request.requestId());
      CompletableFuture<InferenceResult> f = new CompletableFuture<>();
      all.add(f);
      held.add(request);
      futures.add(f);
      if (held.size() == 2) {
        List<InferenceRequest> requests = new ArrayList<>(held);
        List<CompletableFuture<InferenceResult>> pending = new ArrayList<>(futures);
        held.clear();
        futures.clear();
        Thread t =
            new Thread(
                () -> {
                  for (int i = 0; i < requests.size(); i++) {
                    InferenceRequest r = requests.get(i);
                    pending
                        .get(i)
                        .complete(new InferenceResult(r.requestId(), r.tensor(), List.of(TIMING)));
                  }
                },
                "pairing-completer");
        t.setDaemon(true);
        t.start();
      }
      arrivals.add(request.requestId());
      return f;
    }

    boolean anyAnswered() {
      return all.stream().anyMatch(CompletableFuture::isDone);
    }

    /** Nothing kept once a request is answered: the server may reuse request memory. */
    @Override
    public boolean releasesRequestTensorOnCompletion() {
      return true;
    }

    @Override
    public void close() {
      closed.countDown();
    }
  }
}
