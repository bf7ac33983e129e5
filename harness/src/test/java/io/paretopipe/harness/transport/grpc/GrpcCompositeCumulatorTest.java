package io.paretopipe.harness.transport.grpc;

import static io.paretopipe.harness.transport.TestStages.handshake;
import static io.paretopipe.harness.transport.TestStages.randomTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.server.GrpcTuning;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.TestStages;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link GrpcTuning#compositeCumulator()} is in effect: after a real 8 MiB round trip over
 * loopback, the HTTP/2 handlers of the stage server's connection and of the head's channel have
 * Netty's composite cumulator (read from Netty's private field: Netty offers no getter), and the
 * hooks that set them have left the pipelines; without the knob the stage's handler keeps Netty's
 * default, and the head stays on grpc's shared event loops unless another hooked knob ({@code
 * large-frames}) gives it one. The head's own event loop is gone once the channel is closed, and
 * when it fails to connect.
 */
class GrpcCompositeCumulatorTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @ParameterizedTest
  @CsvSource({
    "composite-cumulator, true",
    "tuned-composite, true",
    "tuned, true",
    "tuned-write-buffer, false",
    "large-frames, false",
    "default, false"
  })
  void bothHttp2HandlersGatherReadsAsTheTuningSays(String name, boolean composite)
      throws Exception {
    GrpcTuning tuning = GrpcTuning.parse(name);
    assertEquals(composite, tuning.compositeCumulator());
    try (GrpcStageServer server =
            GrpcStageServer.start(
                new TestStages.EchoService(1),
                StageServerOptions.builder().optGrpcTuning(tuning).build());
        StageChannel head =
            new GrpcTransport(Limits.DEFAULT, null, null, tuning)
                .connect(server.address(), TIMEOUT)) {
      head.handshake(handshake("resnet18"), TIMEOUT);
      Tensor t = randomTensor(DType.FLOAT32, new long[] {2, 1 << 20}, 7);
      head.send(new InferenceRequest(7, t));
      assertTrue(head.receive(TIMEOUT).tensor().equalsBytes(t), "the 8 MiB echo arrives intact");

      List<Channel> channels = server.connections().channels();
      assertEquals(1, channels.size());
      assertCumulator(
          channels.get(0),
          composite
              ? ByteToMessageDecoder.COMPOSITE_CUMULATOR
              : ByteToMessageDecoder.MERGE_CUMULATOR,
          "stage");

      List<Channel> headSockets = ((GrpcStageChannel) head).nettyChannels();
      if (Http2HandlerHook.needed(tuning)) {
        assertEquals(1, headSockets.size(), "the head's one connection, on its own event loop");
        assertCumulator(
            headSockets.get(0),
            composite
                ? ByteToMessageDecoder.COMPOSITE_CUMULATOR
                : ByteToMessageDecoder.MERGE_CUMULATOR,
            "head");
      } else {
        assertEquals(List.of(), headSockets, "the head stays on grpc's shared event loops");
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"composite-cumulator", "tuned-composite", "large-frames", "tuned"})
  void closingTheHeadEndsItsEventLoopThread(String name) throws Exception {
    GrpcTuning tuning = GrpcTuning.parse(name);
    Thread loopThread;
    StageChannel head;
    try (GrpcStageServer server =
        GrpcStageServer.start(
            new TestStages.EchoService(1),
            StageServerOptions.builder().optGrpcTuning(tuning).build())) {
      head =
          new GrpcTransport(Limits.DEFAULT, null, null, tuning).connect(server.address(), TIMEOUT);
      try {
        head.handshake(handshake("resnet18"), TIMEOUT);
        Tensor t = randomTensor(DType.FLOAT32, new long[] {1 << 18}, 3);
        head.send(new InferenceRequest(3, t));
        assertTrue(head.receive(TIMEOUT).tensor().equalsBytes(t));
        Channel socket = ((GrpcStageChannel) head).nettyChannels().get(0);
        loopThread = socket.eventLoop().submit(Thread::currentThread).get();
        assertTrue(loopThread.getName().startsWith("paretopipe-grpc-head-"), loopThread.getName());
      } finally {
        head.close();
      }
      assertTrue(joined(loopThread), "the head's loop thread has ended");
      head.close(); // idempotent
    }
  }

  @ParameterizedTest
  @CsvSource({"composite-cumulator", "tuned-composite", "large-frames", "tuned"})
  void aFailedConnectLeavesNoEventLoopThread(String name) throws Exception {
    int port;
    try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = unused.getLocalPort();
    }
    GrpcTransport transport = new GrpcTransport(Limits.DEFAULT, null, null, GrpcTuning.parse(name));
    assertThrows(
        IOException.class, () -> transport.connect("127.0.0.1:" + port, Duration.ofSeconds(2)));
    String prefix = "paretopipe-grpc-head-" + port + "-";
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(prefix)) {
        assertTrue(joined(t), t.getName() + " still runs after the failed connect");
      }
    }
  }

  /** True once {@code t} has ended, waiting a little for its last instructions after shutdown. */
  private static boolean joined(Thread t) throws InterruptedException {
    t.join(2_000);
    return !t.isAlive();
  }

  /**
   * Asserts, on {@code channel}'s event loop, its HTTP/2 handler's cumulator and that the hook has
   * left its pipeline.
   */
  static void assertCumulator(Channel channel, Object expected, String side) throws Exception {
    Object[] seen =
        channel
            .eventLoop()
            .submit(
                () ->
                    new Object[] {
                      cumulator(channel.pipeline().get(Http2ConnectionHandler.class)),
                      channel.pipeline().get(Http2HandlerHook.class)
                    })
            .get();
    assertSame(expected, seen[0], side + "'s HTTP/2 handler's cumulator");
    assertNull(seen[1], side + ": the hook leaves the pipeline once it has changed the handler");
  }

  private static Object cumulator(Http2ConnectionHandler handler) throws Exception {
    Field f = ByteToMessageDecoder.class.getDeclaredField("cumulator");
    f.setAccessible(true);
    return f.get(handler);
  }
}
