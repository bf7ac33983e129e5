package io.paretopipe.harness.transport.grpc;

import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Settings;
import io.paretopipe.harness.server.GrpcTuning;

/**
 * Changes grpc's HTTP/2 handler of one connection (a stage server's or a head channel's) where
 * grpc-java has no option for it:
 *
 * <ul>
 *   <li>{@link GrpcTuning#compositeCumulator()}: Netty's {@link
 *       ByteToMessageDecoder#COMPOSITE_CUMULATOR}: the buffers read from the socket become the
 *       parts of one composite buffer, where Netty's default copies each into one growing buffer
 *       whenever a frame is split across reads (almost every read of a large message). A switch
 *       after some bytes were read is safe: the composite cumulator takes the merged buffer as its
 *       first part.
 *   <li>{@link GrpcTuning#largeFrames()}: a SETTINGS frame telling the peer that this end accepts
 *       DATA frames of up to {@value GrpcTuning#LARGE_FRAME_BYTES} bytes (SETTINGS_MAX_FRAME_SIZE;
 *       grpc's preface says Netty's 16 KiB). The peer's Netty then frames a message in as few DATA
 *       frames as its flow-control window allows instead of one per 16 KiB. This end's frame reader
 *       takes the new limit when the peer acknowledges the SETTINGS, and Netty acknowledges before
 *       it applies them, so no larger frame can arrive first. Both ends of a connection do it, so
 *       both directions carry large frames.
 * </ul>
 *
 * <p>grpc-java adds its handler (an {@link Http2ConnectionHandler}) itself, after its protocol
 * negotiation: when the channel becomes active in plaintext, after the TLS handshake (inside a
 * read) with TLS; by then it has sent its preface, so the SETTINGS frame sent here follows it. So
 * this handler goes first in the connection's pipeline, at accept on the stage ({@link
 * GrpcConnectionGate}) and when the socket channel is made on the head ({@link HeadEventLoop}), and
 * looks for grpc's handler after each event it passes on (active, read, read complete); once it has
 * changed it, it removes itself.
 */
@ChannelHandler.Sharable
final class Http2HandlerHook extends ChannelInboundHandlerAdapter {
  private static final Http2HandlerHook CUMULATOR = new Http2HandlerHook(true, false);
  private static final Http2HandlerHook FRAMES = new Http2HandlerHook(false, true);
  private static final Http2HandlerHook BOTH = new Http2HandlerHook(true, true);

  private final boolean compositeCumulator;
  private final boolean largeFrames;

  private Http2HandlerHook(boolean compositeCumulator, boolean largeFrames) {
    this.compositeCumulator = compositeCumulator;
    this.largeFrames = largeFrames;
  }

  /**
   * Whether {@code tuning} needs this hook on every connection (and the head a loop of its own).
   */
  static boolean needed(GrpcTuning tuning) {
    return tuning.compositeCumulator() || tuning.largeFrames();
  }

  /**
   * The hook for {@code tuning}.
   *
   * @throws IllegalArgumentException if {@code tuning} needs none ({@link #needed})
   */
  static Http2HandlerHook of(GrpcTuning tuning) {
    if (tuning.compositeCumulator() && tuning.largeFrames()) {
      return BOTH;
    }
    if (tuning.compositeCumulator()) {
      return CUMULATOR;
    }
    if (tuning.largeFrames()) {
      return FRAMES;
    }
    throw new IllegalArgumentException("grpc tuning " + tuning + " changes no HTTP/2 handler");
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    super.channelActive(ctx);
    trySet(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    super.channelRead(ctx, msg);
    trySet(ctx);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    super.channelReadComplete(ctx);
    trySet(ctx);
  }

  private void trySet(ChannelHandlerContext ctx) {
    if (ctx.isRemoved()) {
      return;
    }
    ChannelPipeline pipeline = ctx.pipeline();
    Http2ConnectionHandler http2 = pipeline.get(Http2ConnectionHandler.class);
    if (http2 == null) {
      return;
    }
    pipeline.remove(this);
    if (compositeCumulator) {
      http2.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
    }
    if (largeFrames) {
      Http2Settings settings = new Http2Settings().maxFrameSize(GrpcTuning.LARGE_FRAME_BYTES);
      ChannelHandlerContext http2Context = pipeline.context(http2);
      http2.encoder().writeSettings(http2Context, settings, http2Context.newPromise());
      http2Context.flush();
    }
  }
}
