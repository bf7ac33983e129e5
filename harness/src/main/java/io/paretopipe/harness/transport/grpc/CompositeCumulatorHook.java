package io.paretopipe.harness.transport.grpc;

import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.paretopipe.harness.server.GrpcTuning;

/**
 * Gives grpc's HTTP/2 handler of one connection (a stage server's or a head channel's) Netty's
 * {@link ByteToMessageDecoder#COMPOSITE_CUMULATOR} ({@link GrpcTuning#compositeCumulator()}): the
 * buffers read from the socket become the parts of one composite buffer, where Netty's default
 * copies each into one growing buffer whenever a frame is split across reads (almost every read of
 * a large message).
 *
 * <p>grpc-java adds its handler (an {@link Http2ConnectionHandler}) itself, after its protocol
 * negotiation: when the channel becomes active in plaintext, after the TLS handshake (inside a
 * read) with TLS. So this handler goes first in the connection's pipeline, at accept on the stage
 * ({@link GrpcConnectionGate}) and when the socket channel is made on the head ({@link
 * HeadEventLoop}), and looks for grpc's handler after each event it passes on (active, read, read
 * complete); once it has set the cumulator it removes itself. A switch after some bytes were read
 * is safe: the composite cumulator takes the merged buffer as its first part.
 */
@ChannelHandler.Sharable
final class CompositeCumulatorHook extends ChannelInboundHandlerAdapter {
  static final CompositeCumulatorHook INSTANCE = new CompositeCumulatorHook();

  private CompositeCumulatorHook() {}

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
    if (http2 != null) {
      http2.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
      pipeline.remove(this);
    }
  }
}
