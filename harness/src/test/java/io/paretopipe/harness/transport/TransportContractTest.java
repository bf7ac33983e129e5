package io.paretopipe.harness.transport;

import static io.paretopipe.harness.transport.TestStages.ECHO_TIMING;
import static io.paretopipe.harness.transport.TestStages.handshake;
import static io.paretopipe.harness.transport.TestStages.randomTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.Tensor;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behaviour every {@link Transport} must have, run unchanged over each implementation: a
 * subclass only says how to start a stage for a {@link StageService} and connect to it. To cover a
 * new transport (e.g. grpc), add a subclass.
 */
public abstract class TransportContractTest {
  public static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** A running stage for one test. */
  public interface Stage extends AutoCloseable {
    StageChannel connect() throws Exception;

    @Override
    void close();
  }

  /** Starts a stage serving {@code service}. */
  protected abstract Stage start(StageService service) throws Exception;

  /** The transport's name, for messages. */
  protected abstract String transportName();

  private final List<AutoCloseable> resources = new ArrayList<>();

  private StageChannel connect(StageService service) throws Exception {
    Stage stage = start(service);
    resources.add(stage);
    StageChannel channel = stage.connect();
    resources.add(0, channel);
    return channel;
  }

  private StageChannel ready(StageService service) throws Exception {
    StageChannel channel = connect(service);
    channel.handshake(handshake("resnet18"), TIMEOUT);
    return channel;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable r : resources) {
      r.close();
    }
  }

  @Test
  void handshakeReturnsTheStageReply() throws Exception {
    StageChannel channel = connect(new TestStages.EchoService(1));
    Handshake h = handshake("resnet18");
    HandshakeReply reply = channel.handshake(h, TIMEOUT);
    assertEquals(TestStages.replyFor(h), reply);
    assertEquals(List.of("unit4", "unit8"), reply.unitNames());
    assertArrayEquals(new long[] {8, 128, 28, 28}, reply.expectedInputShape());
  }

  static Stream<Arguments> tensors() {
    return Stream.of(
        Arguments.of(DType.FLOAT32, new long[] {}),
        Arguments.of(DType.INT64, new long[] {3}),
        Arguments.of(DType.UINT8, new long[] {2, 3}),
        Arguments.of(DType.FLOAT16, new long[] {1, 2, 3}),
        Arguments.of(DType.BFLOAT16, new long[] {2, 1, 3, 4}),
        Arguments.of(DType.FLOAT64, new long[] {2, 2, 2, 2}),
        Arguments.of(DType.BOOLEAN, new long[] {5}),
        Arguments.of(DType.INT8, new long[] {0, 4}),
        Arguments.of(DType.INT32, new long[] {2, 0, 3}),
        Arguments.of(
            DType.FLOAT32, new long[] {8, 128, 28, 28})); // resnet18 split 4, batch 8: 3.2 MB
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("tensors")
  void resultCarriesExactlyTheBytesSent(DType dtype, long[] shape) throws Exception {
    StageChannel channel = ready(new TestStages.EchoService(1));
    Tensor sent = randomTensor(dtype, shape, 7);
    Tensor expected = randomTensor(dtype, shape, 7); // an independent copy of the same bytes
    channel.send(new InferenceRequest(77, sent));
    InferenceResult result = channel.receive(TIMEOUT);
    assertEquals(77, result.requestId());
    assertTrue(
        result.tensor().equalsBytes(expected),
        transportName() + " changed the tensor: " + result.tensor());
    assertArrayEquals(shape, result.tensor().shape());
    assertEquals(Tensor.byteSize(dtype, shape), result.tensor().byteSize());
    assertEquals(ByteOrder.nativeOrder(), result.tensor().byteOrder());
    assertTrue(result.tensor().data().isDirect(), "result payload must be a direct buffer");
    assertEquals(List.of(ECHO_TIMING), result.stageTimings());
  }

  @Test
  void releasedResultMemoryNeverCorruptsLaterResults() throws Exception {
    StageChannel channel = ready(new TestStages.EchoService(1));
    long[] shape = {64, 1024};
    for (int i = 0; i < 6; i++) {
      channel.send(new InferenceRequest(i, randomTensor(DType.FLOAT32, shape, i)));
      InferenceResult result = channel.receive(TIMEOUT);
      assertTrue(
          result.tensor().equalsBytes(randomTensor(DType.FLOAT32, shape, i)),
          "result " + i + " corrupted");
      channel.release(result.tensor());
    }
  }

  @Test
  void eightInFlightAreMatchedByRequestIdWhenCompletedOutOfOrder() throws Exception {
    StageChannel channel = ready(new TestStages.EchoService(8));
    Map<Long, Tensor> expected = new HashMap<>();
    List<InferenceRequest> requests = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      long id = 1000 + i;
      long[] shape = {1 + i, 3, 64, 64}; // distinct sizes, 48 KiB .. 384 KiB
      requests.add(new InferenceRequest(id, randomTensor(DType.FLOAT32, shape, id)));
      expected.put(id, randomTensor(DType.FLOAT32, shape, id));
    }
    CompletableFuture<Void> sender =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (InferenceRequest r : requests) {
                  channel.send(r);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    List<Long> arrival = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      InferenceResult result = channel.receive(TIMEOUT);
      arrival.add(result.requestId());
      Tensor want = expected.remove(result.requestId());
      assertTrue(want != null, "unexpected or duplicate request id " + result.requestId());
      assertTrue(
          result.tensor().equalsBytes(want), "wrong bytes for request " + result.requestId());
    }
    sender.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertTrue(expected.isEmpty());
    assertEquals(
        List.of(1006L, 1005L, 1004L, 1003L, 1002L, 1001L, 1000L, 1007L),
        arrival,
        "results must arrive in completion order, not send order");
  }

  @Test
  void requestErrorsCarryCodeMessageAndIdAndTheChannelStaysUsable() throws Exception {
    StageChannel channel = ready(new TestStages.PickyService());
    channel.send(new InferenceRequest(5, randomTensor(DType.FLOAT32, new long[] {2, 3, 4}, 1)));
    StageException e = assertThrows(StageException.class, () -> channel.receive(TIMEOUT));
    assertEquals(ErrorCode.SHAPE_MISMATCH, e.code());
    assertEquals(5, e.requestId());
    assertEquals("tensor of rank 3 does not fit units [4, 9): expected rank 2", e.getMessage());

    channel.send(new InferenceRequest(13, randomTensor(DType.FLOAT32, new long[] {2, 3}, 1)));
    StageException internal = assertThrows(StageException.class, () -> channel.receive(TIMEOUT));
    assertEquals(ErrorCode.INTERNAL, internal.code());
    assertEquals(13, internal.requestId());
    assertTrue(internal.getMessage().contains("unlucky request"), internal.getMessage());

    channel.send(new InferenceRequest(6, randomTensor(DType.FLOAT32, new long[] {2, 3}, 2)));
    InferenceResult ok = channel.receive(TIMEOUT);
    assertEquals(6, ok.requestId());
    assertTrue(ok.tensor().equalsBytes(randomTensor(DType.FLOAT32, new long[] {2, 3}, 2)));
  }

  @Test
  void handshakeRejectionIsPropagatedWithItsCode() throws Exception {
    StageChannel channel = connect(new TestStages.PickyService());
    StageException e =
        assertThrows(
            StageException.class, () -> channel.handshake(handshake("unknown-model"), TIMEOUT));
    assertEquals(ErrorCode.UNKNOWN_MODEL, e.code());
    assertEquals(StageException.NO_REQUEST, e.requestId());
    assertEquals(
        "model unknown-model is not in the catalog: valid models are resnet18, mobilenetv2",
        e.getMessage());
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () ->
                channel.send(
                    new InferenceRequest(1, randomTensor(DType.UINT8, new long[] {1}, 1))));
    assertTrue(refused.getMessage().contains("refused the handshake"), refused.getMessage());
  }

  @Test
  void sendBeforeHandshakeFailsFast() throws Exception {
    StageChannel channel = connect(new TestStages.EchoService(1));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                channel.send(
                    new InferenceRequest(1, randomTensor(DType.UINT8, new long[] {1}, 1))));
    assertTrue(e.getMessage().contains("handshake() first"), e.getMessage());
  }

  @Test
  void secondHandshakeIsRefused() throws Exception {
    StageChannel channel = ready(new TestStages.EchoService(1));
    assertThrows(
        IllegalStateException.class, () -> channel.handshake(handshake("resnet18"), TIMEOUT));
  }

  @Test
  void closeTwiceIsHarmlessAndUseAfterCloseFailsFast() throws Exception {
    TestStages.EchoService service = new TestStages.EchoService(1);
    StageChannel channel = ready(service);
    channel.close();
    channel.close();
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          assertThrows(
              StageChannelClosedException.class,
              () ->
                  channel.send(
                      new InferenceRequest(1, randomTensor(DType.UINT8, new long[] {1}, 1))));
          assertThrows(StageChannelClosedException.class, () -> channel.receive(TIMEOUT));
          assertThrows(
              StageChannelClosedException.class,
              () -> channel.handshake(handshake("resnet18"), TIMEOUT));
        });
    // the stage side notices and closes its session exactly once
    assertTrue(
        service.sessions.get(0).closed.await(10, TimeUnit.SECONDS),
        "session not closed within 10 s");
    assertEquals(
        1,
        service.sessions.get(0).closeCount.get(),
        "session must be closed once after the channel closes");
  }

  @Test
  void closeUnblocksAWaitingReceive() throws Exception {
    StageChannel channel = ready(new TestStages.EchoService(1));
    CompletableFuture<Throwable> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                channel.receive(Duration.ofSeconds(60));
                return null;
              } catch (Throwable t) {
                return t;
              }
            });
    Thread.sleep(200); // let the receiver block; the outcome is the same if it has not yet
    long start = System.nanoTime();
    channel.close();
    Throwable t = waiting.get(10, TimeUnit.SECONDS);
    assertTrue(
        t instanceof StageChannelClosedException, "expected StageChannelClosedException, got " + t);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
  }

  @Test
  void receiveTimeoutLeavesTheChannelUsable() throws Exception {
    StageChannel channel = ready(new TestStages.EchoService(1));
    long start = System.nanoTime();
    assertThrows(TimeoutException.class, () -> channel.receive(Duration.ofMillis(100)));
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(
        waitedMillis >= 90 && waitedMillis < 5_000,
        "waited " + waitedMillis + " ms for a 100 ms timeout");
    channel.send(new InferenceRequest(3, randomTensor(DType.INT32, new long[] {4, 4}, 3)));
    assertEquals(3, channel.receive(TIMEOUT).requestId());
  }

  @Test
  void independentChannelsDoNotSeeEachOthersResults() throws Exception {
    Stage stage = start(new TestStages.EchoService(1));
    resources.add(stage);
    StageChannel a = stage.connect();
    resources.add(0, a);
    StageChannel b = stage.connect();
    resources.add(0, b);
    a.handshake(handshake("resnet18"), TIMEOUT);
    b.handshake(handshake("resnet18"), TIMEOUT);
    a.send(new InferenceRequest(1, randomTensor(DType.FLOAT32, new long[] {16}, 1)));
    b.send(new InferenceRequest(2, randomTensor(DType.FLOAT32, new long[] {16}, 2)));
    assertEquals(2, b.receive(TIMEOUT).requestId());
    assertEquals(1, a.receive(TIMEOUT).requestId());
    assertThrows(TimeoutException.class, () -> a.receive(Duration.ofMillis(50)));
    assertNotEquals(a, b);
  }
}
