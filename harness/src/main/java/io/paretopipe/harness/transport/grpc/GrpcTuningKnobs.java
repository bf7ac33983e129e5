package io.paretopipe.harness.transport.grpc;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.PooledByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.WriteBufferWaterMark;
import io.paretopipe.harness.server.GrpcTuning;

/**
 * Applies a {@link GrpcTuning} to grpc-java's Netty builders, server and channel alike: the knobs
 * the builders take options for. The ones they do not ({@link GrpcTuning#compositeCumulator()},
 * {@link GrpcTuning#largeFrames()}) are applied per connection by {@link Http2HandlerHook}. Public
 * for benchmarks that build grpc servers and channels of their own and must tune them exactly as
 * the transport does ({@code GrpcChunkBenchmark}).
 */
public final class GrpcTuningKnobs {
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
  public static void apply(GrpcTuning tuning, NettyServerBuilder builder) {
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
    if (tuning.recvBuffer()) {
      builder.withChildOption(ChannelOption.RCVBUF_ALLOCATOR, recvAllocator());
    }
    if (tuning.writeBuffer()) {
      builder.withChildOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark());
    }
  }

  /** The head channel's knobs (its callbacks always run on the event loop). */
  public static void apply(GrpcTuning tuning, NettyChannelBuilder builder) {
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
    if (tuning.recvBuffer()) {
      builder.withOption(ChannelOption.RCVBUF_ALLOCATOR, recvAllocator());
    }
    if (tuning.writeBuffer()) {
      builder.withOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark());
    }
  }

  /** A fresh allocator per channel: Netty keeps each one's size guess per channel anyway. */
  private static AdaptiveRecvByteBufAllocator recvAllocator() {
    return new AdaptiveRecvByteBufAllocator(
        64, GrpcTuning.TUNED_RECV_BUFFER_INITIAL_BYTES, GrpcTuning.TUNED_RECV_BUFFER_MAX_BYTES);
  }

  private static WriteBufferWaterMark waterMark() {
    return new WriteBufferWaterMark(
        GrpcTuning.TUNED_WRITE_BUFFER_HIGH_BYTES / 2, GrpcTuning.TUNED_WRITE_BUFFER_HIGH_BYTES);
  }
}
