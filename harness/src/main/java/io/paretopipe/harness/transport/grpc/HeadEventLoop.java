package io.paretopipe.harness.transport.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.paretopipe.harness.server.GrpcTuning;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The event loop of one head channel ({@link GrpcStageChannel}) whose HTTP/2 handler grpc-java does
 * not configure as the tuning asks ({@link Http2HandlerHook#needed}: the composite cumulator, large
 * frames): the head's side of what {@link GrpcConnectionGate} does for the stage server.
 *
 * <p>{@link NettyChannelBuilder} takes a channel factory only together with an event-loop group, so
 * this owns one: a single I/O thread (one channel needs no more), a daemon named {@code
 * paretopipe-grpc-head-PORT-io}, epoll where grpc would use it, else NIO. Every socket channel the
 * factory makes has the tuning's {@link Http2HandlerHook} first in its pipeline. The caller that
 * made it must {@link #close} it, also when the channel never connected.
 */
final class HeadEventLoop {
  private static final long SHUTDOWN_MILLIS = 5_000;

  private final EventLoopGroup group;
  private final boolean epoll;
  private final Http2HandlerHook hook;
  private final Set<Channel> open = ConcurrentHashMap.newKeySet();

  /**
   * @param threadPrefix the I/O thread's name before Netty's numbers
   * @param tuning the channel's tuning; {@link Http2HandlerHook#needed} must hold for it
   */
  HeadEventLoop(String threadPrefix, GrpcTuning tuning) {
    this.hook = Http2HandlerHook.of(tuning);
    this.epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group =
        new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(threadPrefix, true), io);
  }

  /** Makes {@code builder}'s channel run on this loop, through sockets that carry the hook. */
  void configure(NettyChannelBuilder builder) {
    builder
        .eventLoopGroup(group)
        .channelFactory(
            () -> {
              Channel channel = epoll ? new EpollSocketChannel() : new NioSocketChannel();
              channel.pipeline().addFirst(hook);
              open.add(channel);
              channel.closeFuture().addListener(f -> open.remove(channel));
              return channel;
            });
  }

  /** The socket channels made through {@link #configure} and not closed yet. */
  List<Channel> channels() {
    return List.copyOf(open);
  }

  /**
   * Shuts {@code channel} (built with {@link #configure}, may be null) down now, then this loop.
   * Returns once both have terminated, each within about {@value #SHUTDOWN_MILLIS} ms, unless
   * called on the loop's own thread, which only starts both shutdowns (waiting there could not
   * end). Idempotent.
   */
  void close(ManagedChannel channel) {
    boolean onLoop = group.next().inEventLoop();
    if (channel != null) {
      channel.shutdownNow();
      if (!onLoop) {
        try {
          channel.awaitTermination(SHUTDOWN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    group.shutdownGracefully(0, SHUTDOWN_MILLIS, TimeUnit.MILLISECONDS);
    if (!onLoop) {
      group.terminationFuture().awaitUninterruptibly(SHUTDOWN_MILLIS);
    }
  }
}
