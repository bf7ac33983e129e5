package io.paretopipe.harness.transport.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.server.PendingConnections;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.grpc.proto.StageGrpc;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the TCP connections of a {@link GrpcStageServer}, counted from accept, before TLS and
 * HTTP/2: a connection is <em>pending</em> until it proves itself (with a secret: a stage call
 * whose proof verified, right after {@link GrpcAuth#serverInterceptor}; without: its first
 * successful {@code Handshake}), then <em>proved</em> until it closes. Pending connections follow
 * the core's rule ({@link PendingConnections}): at most {@link
 * StageServerOptions#maxPendingConnections()} (16) at once, the oldest closed when one more
 * arrives, and at most {@link StageServerOptions#maxPendingPerSource()} (4) per source address, one
 * more closed at accept. Proved connections are never displaced; at most {@link
 * StageServerOptions#maxConnections()} (64) of them, a call that would prove one more gets {@code
 * BUSY} and its connection stays pending. So the server holds at most 64 + 16 connections, and a
 * peer without the secret cannot keep out a head that connects after its flood: each new connection
 * closes the oldest pending one, never a head's.
 *
 * <p>How: grpc's Netty server accepts through a server channel made here ({@link
 * NettyServerBuilder#channelFactory}, epoll where grpc would use it, else NIO), whose pipeline
 * starts with a handler that sees each accepted connection before grpc's acceptor registers it; a
 * call is mapped to its connection by {@link Grpc#TRANSPORT_ATTR_REMOTE_ADDR}, the peer's address
 * and port, unique per open TCP connection. grpc requires the event loops of a custom channel to be
 * given too: this gate owns them (one acceptor thread and Netty's default number of I/O threads,
 * daemons named {@code paretopipe-grpc-stage-PORT-accept} and {@code -io}) and shuts them down in
 * {@link #close}. With {@link io.paretopipe.harness.server.GrpcTuning#compositeCumulator()} or
 * {@link io.paretopipe.harness.server.GrpcTuning#largeFrames()} the accept also puts an {@link
 * Http2HandlerHook} first in each connection's pipeline.
 *
 * <p>Thread-safe: accepts run on the acceptor thread, closes on the I/O threads, proofs on grpc's
 * callback threads.
 */
final class GrpcConnectionGate implements AutoCloseable {
  private static final String STAGE_SERVICE = StageGrpc.SERVICE_NAME;
  private static final long SHUTDOWN_MILLIS = 5_000;

  private final int maxProved;
  private final PendingConnections pending;
  private final ConcurrentHashMap<SocketAddress, Connection> byRemote = new ConcurrentHashMap<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger proved = new AtomicInteger();
  private final AtomicInteger peakOpen = new AtomicInteger();
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final boolean epoll;
  private final Http2HandlerHook http2Hook;

  GrpcConnectionGate(StageServerOptions options, String threadPrefix) {
    this.maxProved = options.maxConnections();
    this.pending =
        new PendingConnections(options.maxPendingConnections(), options.maxPendingPerSource());
    this.epoll = Epoll.isAvailable();
    this.http2Hook =
        Http2HandlerHook.needed(options.grpcTuning())
            ? Http2HandlerHook.of(options.grpcTuning())
            : null;
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.boss =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory(threadPrefix + "-accept", true), io);
    this.workers =
        new MultiThreadIoEventLoopGroup(
            0, new DefaultThreadFactory(threadPrefix + "-io", true), io);
  }

  /** Makes {@code builder} accept through this gate, on this gate's event loops. */
  void configure(NettyServerBuilder builder) {
    AcceptHandler acceptHandler = new AcceptHandler();
    builder
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .channelFactory(
            () -> {
              ServerChannel channel =
                  epoll ? new EpollServerSocketChannel() : new NioServerSocketChannel();
              channel.pipeline().addFirst(acceptHandler);
              return channel;
            });
  }

  /**
   * The interceptor that proves connections; it must run after authentication ({@code
   * authenticates}: proves at any stage call that reached it; else at a successful Handshake).
   */
  ServerInterceptor interceptor(boolean authenticates) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        if (!STAGE_SERVICE.equals(call.getMethodDescriptor().getServiceName())) {
          return next.startCall(call, headers);
        }
        Connection c = byRemote.get(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        if (c == null) {
          call.close(
              Status.UNAVAILABLE.withDescription(
                  "this connection is closing (displaced by newer connections without a complete"
                      + " handshake); connect again"),
              new Metadata());
          return new ServerCall.Listener<>() {};
        }
        if (authenticates) {
          try {
            c.prove();
          } catch (StageException refused) {
            io.grpc.StatusRuntimeException status =
                GrpcMessages.toStatus(refused.code(), refused.getMessage());
            call.close(status.getStatus(), status.getTrailers());
            return new ServerCall.Listener<>() {};
          }
          return next.startCall(call, headers);
        }
        if (c.isProved()
            || !StageGrpc.getHandshakeMethod()
                .getFullMethodName()
                .equals(call.getMethodDescriptor().getFullMethodName())) {
          return next.startCall(call, headers);
        }
        return next.startCall(
            new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
              @Override
              public void close(Status status, Metadata trailers) {
                if (status.isOk()) {
                  try {
                    c.prove();
                  } catch (StageException full) {
                    // every proved place is taken: the connection stays pending (and displaceable)
                  }
                }
                super.close(status, trailers);
              }
            },
            headers);
      }
    };
  }

  /** Connections accepted since the server started, including those closed at once. */
  int acceptedConnections() {
    return accepted.get();
  }

  /** Connections open now that the gate counts: pending plus proved. */
  int openConnections() {
    return pending.size() + proved.get();
  }

  /** The most connections {@link #openConnections() open} at once since the server started. */
  int peakOpenConnections() {
    return peakOpen.get();
  }

  /** The TCP connections open now, pending and proved. */
  List<Channel> channels() {
    return byRemote.values().stream().map(c -> c.channel).toList();
  }

  /** Connections pending now. */
  int pendingConnections() {
    return pending.size();
  }

  /** Connections proved now. */
  int provedConnections() {
    return proved.get();
  }

  /** Pending connections closed because newer ones arrived. */
  int displacedConnections() {
    return pending.displaced();
  }

  /** Connections closed at accept because their source already had its pending ones. */
  int refusedPerSource() {
    return pending.refusedPerSource();
  }

  /** Shuts the event loops down; call after grpc's server has terminated. Idempotent. */
  @Override
  public void close() {
    boss.shutdownGracefully(0, SHUTDOWN_MILLIS, TimeUnit.MILLISECONDS);
    workers.shutdownGracefully(0, SHUTDOWN_MILLIS, TimeUnit.MILLISECONDS);
    boss.terminationFuture().awaitUninterruptibly(SHUTDOWN_MILLIS);
    workers.terminationFuture().awaitUninterruptibly(SHUTDOWN_MILLIS);
  }

  private void recordPeak() {
    int now = openConnections();
    peakOpen.accumulateAndGet(now, Math::max);
  }

  /** Sees every accepted connection before grpc's acceptor does. */
  @ChannelHandler.Sharable
  private final class AcceptHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Channel child = (Channel) msg;
      accepted.incrementAndGet();
      SocketAddress remote = child.remoteAddress();
      InetAddress source =
          remote instanceof InetSocketAddress address ? address.getAddress() : null;
      Connection c = new Connection(child, remote);
      try {
        c.entry = pending.enter(source, c::displaced);
      } catch (StageException overSourceLimit) {
        // not yet registered with an event loop: closed right here, as Netty's own acceptor does
        child.unsafe().closeForcibly();
        return;
      }
      byRemote.put(remote, c);
      if (http2Hook != null) {
        child.pipeline().addFirst(http2Hook);
      }
      child.closeFuture().addListener(f -> c.ended());
      recordPeak();
      ctx.fireChannelRead(child);
    }
  }

  /** One accepted TCP connection. */
  private final class Connection {
    private final Channel channel;
    private final SocketAddress remote;

    /** Set by the acceptor before anyone else sees this connection. */
    private volatile PendingConnections.Entry entry;

    /** Guarded by this. */
    private boolean isProved;

    /** Guarded by this. */
    private boolean ended;

    Connection(Channel channel, SocketAddress remote) {
      this.channel = channel;
      this.remote = remote;
    }

    synchronized boolean isProved() {
      return isProved;
    }

    /**
     * Moves the connection from pending to proved, unless it is already.
     *
     * @throws StageException {@code BUSY} when {@code maxConnections} connections are proved, or
     *     the connection was displaced or closed meanwhile
     */
    synchronized void prove() throws StageException {
      if (isProved) {
        return;
      }
      if (ended || !entry.isPending()) {
        throw displacedRefusal();
      }
      while (true) {
        int now = proved.get();
        if (now >= maxProved) {
          throw new StageException(
              ErrorCode.BUSY,
              "stage server already serves "
                  + now
                  + " heads (maxConnections "
                  + maxProved
                  + ", serve --max-connections) on as many authenticated connections; close one"
                  + " or raise the limit");
        }
        if (proved.compareAndSet(now, now + 1)) {
          break;
        }
      }
      if (!entry.prove()) {
        proved.decrementAndGet();
        throw displacedRefusal();
      }
      isProved = true;
    }

    private StageException displacedRefusal() {
      return new StageException(
          ErrorCode.BUSY,
          "this connection was displaced by newer connections without a complete handshake"
              + " (maxPendingConnections "
              + pending.capacity()
              + ", serve --max-pending-connections); connect again");
    }

    /**
     * Displaced by a newer pending connection: its socket is closed at once, beneath grpc's
     * handlers (grpc's own close sends GOAWAY and a PING, then waits up to 10 s for the ack that a
     * flooding peer never sends).
     */
    void displaced() {
      byRemote.remove(remote, this);
      try {
        channel.eventLoop().execute(() -> channel.unsafe().close(channel.unsafe().voidPromise()));
      } catch (IllegalStateException notRegistered) {
        channel.unsafe().closeForcibly();
      }
    }

    /** The TCP connection closed, whatever closed it. */
    synchronized void ended() {
      if (ended) {
        return;
      }
      ended = true;
      byRemote.remove(remote, this);
      entry.leave();
      if (isProved) {
        proved.decrementAndGet();
      }
    }
  }
}
