package io.paretopipe.harness.transport.grpc;

import static io.paretopipe.harness.transport.TestStages.handshake;
import static io.paretopipe.harness.transport.TestStages.randomTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2CodecUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.server.GrpcTuning;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.TestStages;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link GrpcTuning#largeFrames()} is negotiated per direction: after real 8 MiB round trips over
 * loopback, an end that has the knob has had its SETTINGS_MAX_FRAME_SIZE of {@value
 * GrpcTuning#LARGE_FRAME_BYTES} acknowledged (its frame reader accepts frames that large) and its
 * peer writes frames up to that size to it (the peer's frame writer's limit); an end without it
 * keeps HTTP/2's 16 KiB both ways. Mixed tunings (stage and head differing) still echo intact.
 */
class GrpcLargeFramesTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final int LARGE = GrpcTuning.LARGE_FRAME_BYTES;
  private static final int SMALL = Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE;

  @ParameterizedTest
  @CsvSource({
    "large-frames, large-frames",
    "tuned, tuned",
    "tuned-composite, tuned-composite",
    "tuned, composite-cumulator",
    "composite-cumulator, tuned",
    "tuned, tuned-write-buffer"
  })
  void eachEndAcceptsTheFramesItsTuningAsksFor(String stageName, String headName) throws Exception {
    GrpcTuning stageTuning = GrpcTuning.parse(stageName);
    GrpcTuning headTuning = GrpcTuning.parse(headName);
    int stageAccepts = stageTuning.largeFrames() ? LARGE : SMALL;
    int headAccepts = headTuning.largeFrames() ? LARGE : SMALL;
    try (GrpcStageServer server =
            GrpcStageServer.start(
                new TestStages.EchoService(1),
                StageServerOptions.builder().optGrpcTuning(stageTuning).build());
        StageChannel head =
            new GrpcTransport(Limits.DEFAULT, null, null, headTuning)
                .connect(server.address(), TIMEOUT)) {
      head.handshake(handshake("resnet18"), TIMEOUT);
      for (int id = 1; id <= 3; id++) {
        Tensor t = randomTensor(DType.FLOAT32, new long[] {2, 1 << 20}, id);
        head.send(new InferenceRequest(id, t));
        assertTrue(head.receive(TIMEOUT).tensor().equalsBytes(t), "8 MiB echo " + id + " intact");
      }

      List<Channel> stageSockets = server.connections().channels();
      assertEquals(1, stageSockets.size());
      assertFrameLimits(stageSockets.get(0), stageAccepts, headAccepts, "stage");

      List<Channel> headSockets = ((GrpcStageChannel) head).nettyChannels();
      if (Http2HandlerHook.needed(headTuning)) {
        assertEquals(1, headSockets.size(), "the head's one connection, on its own event loop");
        assertFrameLimits(headSockets.get(0), headAccepts, stageAccepts, "head");
      } else {
        assertEquals(List.of(), headSockets, "the head stays on grpc's shared event loops");
      }
    }
  }

  /**
   * Asserts, on {@code channel}'s event loop, the largest frame its HTTP/2 handler reads (its own
   * acknowledged setting) and writes (the peer's setting), and that the hook has left.
   */
  private static void assertFrameLimits(Channel channel, int reads, int writes, String side)
      throws Exception {
    Object[] seen =
        channel
            .eventLoop()
            .submit(
                () -> {
                  Http2ConnectionHandler http2 =
                      channel.pipeline().get(Http2ConnectionHandler.class);
                  return new Object[] {
                    http2.decoder().localSettings().maxFrameSize(),
                    http2.encoder().configuration().frameSizePolicy().maxFrameSize(),
                    channel.pipeline().get(Http2HandlerHook.class)
                  };
                })
            .get();
    assertEquals(reads, seen[0], side + " reads frames up to");
    assertEquals(writes, seen[1], side + " writes frames up to");
    assertNull(seen[2], side + ": the hook leaves the pipeline once it has changed the handler");
  }
}
