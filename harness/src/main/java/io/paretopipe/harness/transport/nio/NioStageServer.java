package io.paretopipe.harness.transport.nio;

import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.server.Admission;
import io.paretopipe.harness.server.ServerLifecycle;
import io.paretopipe.harness.server.StageServer;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.HostPort;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.TransportKind;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code nio} stage server: accepts TCP connections and serves each with a {@link
 * StageService}, one {@link NioConnection} per accepted socket. What it lets in and how requests
 * reach the stage is the shared core's ({@link Admission}, {@link
 * io.paretopipe.harness.server.RequestFlow}); this class owns the listening socket and the accept
 * thread.
 *
 * <p>Threads (all daemons, named {@code paretopipe-nio-*}): one accept thread, one timer for the
 * handshake deadlines, and per connection a reader and a writer thread (see {@link NioConnection}).
 *
 * <p>Slots: a connection takes one of {@link StageServerOptions#maxConnections()} when it is
 * accepted, before its handshake, and gives it back when it ends. When every slot is taken, a new
 * connection displaces the oldest connection that has not completed its HANDSHAKE (and, with a
 * shared secret, its AUTH_PROOF): that one gets a {@code BUSY} ERROR frame and is closed ({@link
 * Admission#admitPending}); only when every slot is held by a ready head does the new connection
 * get {@code BUSY}. One source address may hold at most {@link
 * StageServerOptions#maxPendingPerSource()} connections without a complete handshake; one more gets
 * {@code BUSY} and is closed at once. A connection that has not completed its handshake within
 * {@link StageServerOptions#handshakeTimeoutMillis()} gets {@code TIMEOUT} and is closed. So
 * connections that never prove themselves cannot keep a head out.
 *
 * <p>Thread-safe. {@link #close} stops accepting, closes every connection (and with it its session)
 * and joins all threads; closing twice is harmless.
 */
public final class NioStageServer implements StageServer {
  private static final long JOIN_TIMEOUT_MILLIS = 5_000;

  /** Longest pause of the accept thread after a failed accept (e.g. out of file descriptors). */
  private static final long ACCEPT_BACKOFF_MILLIS = 10;

  /** Seconds of silence before the first keepalive probe. */
  static final int KEEPALIVE_IDLE_SECONDS = 60;

  /** Seconds between keepalive probes. */
  static final int KEEPALIVE_INTERVAL_SECONDS = 10;

  /** Unanswered probes after which the OS ends the connection. */
  static final int KEEPALIVE_PROBES = 6;

  /** Pending connections the kernel queues before the accept thread takes them. */
  private static final int BACKLOG = 50;

  private final StageService service;
  private final StageServerOptions options;
  private final Admission admission;
  private final ServerLifecycle lifecycle;
  private final ServerSocketChannel serverChannel;
  private final InetSocketAddress localAddress;
  private final Thread acceptThread;
  private final Set<NioConnection> connections = ConcurrentHashMap.newKeySet();

  /** Counted down by {@link #close}; the accept thread's back-off waits on it. */
  private final CountDownLatch closedLatch = new CountDownLatch(1);

  private NioStageServer(StageService service, StageServerOptions options) throws IOException {
    if (options.tls() != null) {
      throw new IllegalArgumentException(
          "TLS is offered by the grpc transport only: serve --transport grpc, or drop the TLS"
              + " options (nio authenticates with the shared secret but does not encrypt)");
    }
    this.service = Objects.requireNonNull(service, "service");
    this.options = options;
    this.admission = new Admission(options);
    ServerSocketChannel ch = ServerSocketChannel.open();
    try {
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      if (options.socketBufferBytes() > 0) {
        ch.setOption(StandardSocketOptions.SO_RCVBUF, options.socketBufferBytes());
      }
      ch.bind(options.bindAddress(), BACKLOG);
    } catch (IOException e) {
      ch.close();
      throw new IOException(
          "cannot listen on " + HostPort.format(options.bindAddress()) + ": " + e.getMessage(), e);
    }
    this.serverChannel = ch;
    this.localAddress = (InetSocketAddress) ch.getLocalAddress();
    this.lifecycle = new ServerLifecycle("nio-" + localAddress.getPort());
    this.acceptThread =
        new Thread(this::acceptLoop, "paretopipe-nio-accept-" + localAddress.getPort());
    acceptThread.setDaemon(true);
    acceptThread.start();
  }

  /**
   * A server for {@code service} with {@code options}, listening when this returns.
   *
   * @throws IOException naming the address if it cannot be bound
   * @throws IllegalArgumentException if the options ask for TLS (nio has none)
   */
  public static NioStageServer start(StageService service, StageServerOptions options)
      throws IOException {
    return new NioStageServer(service, options);
  }

  /** A server for {@code service} on 127.0.0.1, an ephemeral port, default options. */
  public static NioStageServer start(StageService service) throws IOException {
    return start(service, StageServerOptions.defaults());
  }

  @Override
  public TransportKind kind() {
    return TransportKind.NIO;
  }

  @Override
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  @Override
  public Admission admission() {
    return admission;
  }

  StageService service() {
    return service;
  }

  StageServerOptions options() {
    return options;
  }

  ServerLifecycle lifecycle() {
    return lifecycle;
  }

  /** Called by a connection once it has ended. */
  void ended(NioConnection connection) {
    connections.remove(connection);
  }

  @Override
  public void close() {
    if (!lifecycle.markClosed()) {
      return;
    }
    closedLatch.countDown();
    try {
      serverChannel.close();
    } catch (IOException ignored) {
      // nothing more to release
    }
    lifecycle.close();
    List<NioConnection> open = new ArrayList<>(connections);
    for (NioConnection c : open) {
      c.close();
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_TIMEOUT_MILLIS);
    join(acceptThread, deadline);
    for (NioConnection c : open) {
      c.join(deadline);
    }
  }

  static void join(Thread t, long deadlineNanos) {
    long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    if (t == Thread.currentThread() || leftMillis <= 0) {
      return;
    }
    try {
      t.join(leftMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!lifecycle.isClosed()) {
      SocketChannel socket;
      try {
        socket = serverChannel.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (lifecycle.isClosed()) {
          return;
        }
        // e.g. too many open files: pause 10 ms (ended at once by close) instead of spinning, then
        // keep serving
        try {
          if (closedLatch.await(ACCEPT_BACKOFF_MILLIS, TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException ie) {
          return;
        }
        continue;
      }
      serve(socket);
    }
  }

  /**
   * Turns on TCP keepalive, and where the OS lets Java set them (Linux, macOS) probes after {@value
   * #KEEPALIVE_IDLE_SECONDS} s of silence, every {@value #KEEPALIVE_INTERVAL_SECONDS} s, {@value
   * #KEEPALIVE_PROBES} times: a head whose host vanished without a FIN (power cut, cable pulled)
   * loses its connection, slot and session within about 2 minutes instead of the OS's 2 hours.
   */
  static void keepAlive(SocketChannel socket) throws IOException {
    socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
    java.util.Set<java.net.SocketOption<?>> supported = socket.supportedOptions();
    if (supported.contains(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE)) {
      socket.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
      socket.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, KEEPALIVE_INTERVAL_SECONDS);
      socket.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, KEEPALIVE_PROBES);
    }
  }

  /** Options of the accepted socket of each open connection (for tests). */
  <T> java.util.List<T> acceptedSocketOption(java.net.SocketOption<T> option) throws IOException {
    java.util.List<T> values = new ArrayList<>();
    for (NioConnection c : connections) {
      values.add(c.socketOption(option));
    }
    return values;
  }

  private void serve(SocketChannel socket) {
    Admission.Slot slot = null;
    try {
      socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
      keepAlive(socket);
      if (options.socketBufferBytes() > 0) {
        socket.setOption(StandardSocketOptions.SO_SNDBUF, options.socketBufferBytes());
        socket.setOption(StandardSocketOptions.SO_RCVBUF, options.socketBufferBytes());
      }
      ErrorReport refusal = null;
      java.util.concurrent.atomic.AtomicReference<NioConnection> self =
          new java.util.concurrent.atomic.AtomicReference<>();
      try {
        slot =
            admission.admitPending(
                ((InetSocketAddress) socket.getRemoteAddress()).getAddress(),
                () -> {
                  NioConnection displaced = self.get();
                  if (displaced != null) {
                    displaced.displaced(options.maxConnections());
                  }
                });
      } catch (StageException busy) {
        refusal = new ErrorReport(StageException.NO_REQUEST, busy.code(), busy.getMessage());
      }
      NioConnection c = new NioConnection(this, socket, slot, refusal);
      self.set(c);
      connections.add(c);
      if (lifecycle.isClosed()) {
        c.close();
      } else {
        c.start();
      }
    } catch (IOException | RuntimeException e) {
      if (slot != null) {
        slot.release();
      }
      try {
        socket.close();
      } catch (IOException ignored) {
        // already released
      }
    }
  }
}
