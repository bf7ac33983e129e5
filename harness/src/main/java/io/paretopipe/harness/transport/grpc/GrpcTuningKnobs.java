package io.paretopipe.harness.transport.grpc;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.PooledByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.paretopipe.harness.server.GrpcTuning;

/** Applies a {@link GrpcTuning} to grpc-java's Netty builders, server and channel alike. */
final class GrpcTuningKnobs {
  private GrpcTuningKnobs() {}

  /** One pool for every tuned channel and server of this process, created on first use. */
  private static final class Pool {
    static final ByteBufAllocator ALLOCATOR =
        new PooledByteBufAllocator(
            true,
            PooledByteBufAllocator.defaultNumHeapArena(),
            PooledByteBufAllocator.defaultNumDirectArena(),
            PooledByteBufAllocator.defaultPageSize(),
            GrpcTuning.TUNED_ALLOCATOR_MAX_ORDER,
            0,
            0,
            true);
  }

  /** The server's knobs; the executor is the caller's ({@link GrpcTuning#directExecutor()}). */
  static void apply(GrpcTuning tuning, NettyServerBuilder builder) {
    if (tuning.fixedWindow()) {
      builder.flowControlWindow(GrpcTuning.TUNED_WINDOW_BYTES);
    }
    if (tuning.pooledAllocator()) {
      builder.withChildOption(ChannelOption.ALLOCATOR, Pool.ALLOCATOR);
    }
    if (tuning.socketBuffers()) {
      builder.withChildOption(ChannelOption.SO_RCVBUF, GrpcTuning.TUNED_SOCKET_BUFFER_BYTES);
      builder.withChildOption(ChannelOption.SO_SNDBUF, GrpcTuning.TUNED_SOCKET_BUFFER_BYTES);
    }
  }

  /** The head channel's knobs (its callbacks always run on the event loop). */
  static void apply(GrpcTuning tuning, NettyChannelBuilder builder) {
    if (tuning.fixedWindow()) {
      builder.flowControlWindow(GrpcTuning.TUNED_WINDOW_BYTES);
    }
    if (tuning.pooledAllocator()) {
      builder.withOption(ChannelOption.ALLOCATOR, Pool.ALLOCATOR);
    }
    if (tuning.socketBuffers()) {
      builder.withOption(ChannelOption.SO_RCVBUF, GrpcTuning.TUNED_SOCKET_BUFFER_BYTES);
      builder.withOption(ChannelOption.SO_SNDBUF, GrpcTuning.TUNED_SOCKET_BUFFER_BYTES);
    }
  }
}
