package io.paretopipe.harness.transport.grpc;

import static io.paretopipe.harness.transport.TestStages.handshake;
import static io.paretopipe.harness.transport.TestStages.randomTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link GrpcTuning#compositeCumulator()} is in effect: after a real 8 MiB round trip over
 * loopback, the stage server's HTTP/2 handler of the connection has Netty's composite cumulator
 * (read from Netty's private field: Netty offers no getter), and the hook that set it has left the
 * pipeline; without the knob the handler keeps Netty's default.
 */
class GrpcCompositeCumulatorTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @ParameterizedTest
  @CsvSource({
    "composite-cumulator, true",
    "tuned-composite, true",
    "tuned, false",
    "default, false"
  })
  void theStageServersHttp2HandlerGathersReadsAsTheTuningSays(String name, boolean composite)
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
      Channel channel = channels.get(0);
      Object[] seen =
          channel
              .eventLoop()
              .submit(
                  () ->
                      new Object[] {
                        cumulator(channel.pipeline().get(Http2ConnectionHandler.class)),
                        channel.pipeline().get(CompositeCumulatorHook.class)
                      })
              .get();
      assertSame(
          composite
              ? ByteToMessageDecoder.COMPOSITE_CUMULATOR
              : ByteToMessageDecoder.MERGE_CUMULATOR,
          seen[0]);
      assertNull(seen[1], "the hook leaves the pipeline once it has set the cumulator");
    }
  }

  private static Object cumulator(Http2ConnectionHandler handler) throws Exception {
    Field f = ByteToMessageDecoder.class.getDeclaredField("cumulator");
    f.setAccessible(true);
    return f.get(handler);
  }
}
