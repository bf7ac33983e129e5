package io.paretopipe.netem.link;

import io.paretopipe.format.NetworkCondition;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy that plays a network link: it listens on loopback (an ephemeral port, {@link
 * #port()}), connects each accepted connection to a target {@code HOST:PORT}, and forwards both
 * directions independently, each limited to the condition's rate and delayed by its delay (+
 * jitter). Needs no privileges and no kernel support, so it is the link to use where {@code tc
 * netem} is missing or the process is not root.
 *
 * <h2>Algorithm (per direction)</h2>
 *
 * Bytes are read from the source socket in chunks of at most {@value #CHUNK_BYTES} bytes. A chunk
 * of {@code n} bytes read at time {@code t}:
 *
 * <ol>
 *   <li>waits behind the previous chunk (FIFO) and then passes a token bucket of size {@link
 *       NetworkCondition#effectiveBurstBytes()} filled at {@code rateBitsPerSecond / 8} bytes per
 *       second: it departs as soon as the bucket holds {@code n} tokens, i.e. when its last byte
 *       would have been serialized onto the wire;
 *   <li>is then delayed by {@code delay + u}, {@code u} uniform in {@code [-jitter, +jitter]}
 *       (total clamped at 0), and never delivered before the chunk ahead of it (a TCP stream is
 *       never reordered, so jitter only ever lengthens a chunk's delay beyond the one ahead);
 *   <li>is written to the destination at that deadline. Deadlines are absolute, so lateness of the
 *       selector (at most about 1 ms, the resolution of {@link Selector#select(long)}) never
 *       accumulates.
 * </ol>
 *
 * The end of a stream (FIN) is queued like a chunk and delivered as a half-close after the data
 * ahead of it. At most {@link Builder#optMaxQueuedBytesPerDirection} bytes wait in each direction;
 * beyond that the proxy stops reading, so TCP flow control pushes back on the sender like a full
 * router queue. Connection setup itself is not delayed. Worked numbers: at 50 Mbit/s a 4 MiB
 * transfer takes 4 * 1048576 * 8 / 50e6 = 0.671 s plus the delay; with {@code delay:50ms} a
 * request/response round trip grows by 100 ms.
 *
 * <h2>Loss</h2>
 *
 * Rejected: the proxy forwards a byte stream that TCP already made lossless, so a dropped packet
 * cannot be emulated faithfully here (its cost is a kernel-dependent retransmission delay). Use the
 * kernel path ({@code tc netem}) for loss.
 *
 * <h2>Threads and lifecycle</h2>
 *
 * One daemon thread runs a selector for all connections. All public methods are thread-safe. {@link
 * #close()} closes the listening socket and every connection and ends the thread; it is idempotent.
 * {@link #stall()} stops delivering in both directions of every connection (reading continues until
 * the queue limit), {@link #resume()} delivers what is due.
 */
public final class UserSpaceLink implements AutoCloseable {

  /** The largest chunk read and scheduled at once. */
  public static final int CHUNK_BYTES = 16 * 1024;

  private static final long JOIN_TIMEOUT_MILLIS = 5_000;
  private static final AtomicInteger THREAD_COUNTER = new AtomicInteger();

  private final NetworkCondition condition;
  private final InetSocketAddress target;
  private final long maxQueuedBytes;
  private final Selector selector;
  private final ServerSocketChannel server;
  private final Thread thread;
  private final SplittableRandom random;
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(CHUNK_BYTES);
  private final List<Connection> connections = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicLong acceptedConnections = new AtomicLong();
  private final AtomicLong failedConnections = new AtomicLong();
  private final AtomicLong bytesToTarget = new AtomicLong();
  private final AtomicLong bytesFromTarget = new AtomicLong();
  private volatile boolean stalled;
  private volatile Throwable failure;

  private UserSpaceLink(Builder builder) throws IOException {
    this.condition = builder.condition;
    this.target = builder.target;
    this.maxQueuedBytes =
        builder.maxQueuedBytes > 0 ? builder.maxQueuedBytes : defaultMaxQueuedBytes(condition);
    this.random = new SplittableRandom(builder.seed);
    this.selector = Selector.open();
    ServerSocketChannel channel = null;
    try {
      channel = ServerSocketChannel.open();
      channel.bind(new InetSocketAddress(builder.listenAddress, builder.listenPort));
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      selector.close();
      throw e;
    }
    this.server = channel;
    this.thread = new Thread(this::loop, "paretopipe-link-" + THREAD_COUNTER.getAndIncrement());
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Starts a link on a loopback ephemeral port to {@code target}; see {@link Builder#start()}. */
  public static UserSpaceLink start(InetSocketAddress target, NetworkCondition condition)
      throws IOException {
    return builder(target, condition).start();
  }

  /** Describes a link to {@code target} with {@code condition}. */
  public static Builder builder(InetSocketAddress target, NetworkCondition condition) {
    return new Builder(target, condition);
  }

  /**
   * The default per-direction queue limit: twice the bytes in flight at the rate over the delay
   * plus jitter, plus the burst, at least 1 MiB; 16 MiB without a rate limit.
   */
  static long defaultMaxQueuedBytes(NetworkCondition condition) {
    if (!condition.hasRateLimit()) {
      return 16L << 20;
    }
    double seconds = (condition.delayNanos() + condition.jitterNanos()) / 1e9;
    long inFlight = (long) (condition.rateBitsPerSecond() / 8.0 * seconds);
    return Math.max(1L << 20, 2 * inFlight + condition.effectiveBurstBytes());
  }

  /**
   * The port the link listens on (loopback unless {@link Builder#optListenAddress} said otherwise).
   */
  public int port() {
    return server.socket().getLocalPort();
  }

  /** The address clients connect to instead of the target. */
  public InetSocketAddress listenAddress() {
    return new InetSocketAddress(server.socket().getInetAddress(), port());
  }

  /** Where connections are forwarded. */
  public InetSocketAddress target() {
    return target;
  }

  /** The condition applied to each direction. */
  public NetworkCondition condition() {
    return condition;
  }

  /** Stops delivering data in both directions of all connections until {@link #resume()}. */
  public void stall() {
    stalled = true;
  }

  /** Delivers again; what fell due during the stall is delivered at once, in order. */
  public void resume() {
    stalled = false;
    selector.wakeup();
  }

  /** True between {@link #stall()} and {@link #resume()}. */
  public boolean isStalled() {
    return stalled;
  }

  /** Connections currently open. */
  public int openConnections() {
    return openConnections.get();
  }

  /** Connections accepted since start. */
  public long acceptedConnections() {
    return acceptedConnections.get();
  }

  /** Accepted connections that could not reach the target (the client was disconnected). */
  public long failedConnections() {
    return failedConnections.get();
  }

  /** Bytes delivered to the target, all connections. */
  public long bytesToTarget() {
    return bytesToTarget.get();
  }

  /** Bytes delivered back to clients, all connections. */
  public long bytesFromTarget() {
    return bytesFromTarget.get();
  }

  /** True while the link forwards (not closed and its thread did not fail). */
  public boolean isRunning() {
    return !closed.get() && thread.isAlive();
  }

  /**
   * Closes the listening socket and all connections and ends the thread. Harmless when called
   * twice.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    selector.wakeup();
    try {
      thread.join(JOIN_TIMEOUT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      thread.interrupt();
    }
    closeQuietly(server);
    try {
      selector.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }

  @Override
  public String toString() {
    return "UserSpaceLink["
        + listenAddressText()
        + " -> "
        + target
        + ", "
        + condition.toSpec()
        + "]";
  }

  private String listenAddressText() {
    return server.isOpen() ? listenAddress().toString() : "closed";
  }

  // ---- selector thread only below ----

  private void loop() {
    try {
      while (!closed.get()) {
        long now = System.nanoTime();
        long nextDeadline = deliverDue(now);
        if (nextDeadline == Long.MAX_VALUE) {
          selector.select();
        } else {
          long waitNanos = nextDeadline - System.nanoTime();
          if (waitNanos <= 0) {
            selector.selectNow();
          } else {
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999)));
          }
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          handle(key);
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      if (!closed.get()) {
        failure = e;
        System.err.println("paretopipe user-space link " + this + " failed: " + e);
      }
    } finally {
      for (Connection connection : new ArrayList<>(connections)) {
        connection.close();
      }
      closeQuietly(server);
    }
  }

  /** The error that ended the link's thread, or {@code null}. */
  public Throwable failure() {
    return failure;
  }

  private void handle(SelectionKey key) {
    if (!key.isValid()) {
      return;
    }
    if (key.channel() == server) {
      if (key.isAcceptable()) {
        accept();
      }
      return;
    }
    Connection connection = (Connection) key.attachment();
    SocketChannel channel = (SocketChannel) key.channel();
    try {
      if (key.isConnectable()) {
        if (channel.finishConnect()) {
          connection.targetConnected = true;
        }
      }
      if (key.isValid() && key.isReadable()) {
        Pipe pipe = channel == connection.client ? connection.up : connection.down;
        pipe.read(System.nanoTime());
      }
      if (key.isValid() && key.isWritable()) {
        Pipe pipe = channel == connection.client ? connection.down : connection.up;
        pipe.writeBlocked = false;
      }
      connection.updateInterest();
    } catch (IOException e) {
      if (!connection.targetConnected) {
        failedConnections.incrementAndGet();
      }
      connection.close();
    }
  }

  private void accept() {
    SocketChannel client;
    try {
      client = server.accept();
    } catch (IOException e) {
      return;
    }
    if (client == null) {
      return;
    }
    acceptedConnections.incrementAndGet();
    SocketChannel upstream = null;
    try {
      client.configureBlocking(false);
      client.setOption(StandardSocketOptions.TCP_NODELAY, true);
      upstream = SocketChannel.open();
      upstream.configureBlocking(false);
      upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
      Connection connection = new Connection(client, upstream);
      connection.targetConnected = upstream.connect(target);
      connection.clientKey = client.register(selector, 0, connection);
      connection.upstreamKey = upstream.register(selector, 0, connection);
      connections.add(connection);
      openConnections.incrementAndGet();
      connection.updateInterest();
    } catch (IOException e) {
      failedConnections.incrementAndGet();
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  /**
   * Writes every chunk that is due; returns the earliest future deadline, or {@code
   * Long.MAX_VALUE}.
   */
  private long deliverDue(long now) {
    long next = Long.MAX_VALUE;
    for (Connection connection : new ArrayList<>(connections)) {
      try {
        next = Math.min(next, connection.down.deliver(now));
        next = Math.min(next, connection.up.deliver(now));
        connection.updateInterest();
      } catch (IOException e) {
        connection.close();
      }
    }
    return next;
  }

  private static void closeQuietly(java.nio.channels.Channel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // closing is best effort
      }
    }
  }

  private record Chunk(ByteBuffer data, long deliverAtNanos) {
    boolean isEndOfStream() {
      return data == null;
    }
  }

  private final class Connection {
    final SocketChannel client;
    final SocketChannel upstream;
    final Pipe up;
    final Pipe down;
    SelectionKey clientKey;
    SelectionKey upstreamKey;
    boolean targetConnected;
    boolean closedConnection;

    Connection(SocketChannel client, SocketChannel upstream) {
      this.client = client;
      this.upstream = upstream;
      this.up = new Pipe(this, client, upstream, bytesToTarget, true);
      this.down = new Pipe(this, upstream, client, bytesFromTarget, false);
    }

    void updateInterest() {
      if (closedConnection) {
        return;
      }
      if (up.finished() && down.finished()) {
        close();
        return;
      }
      int clientOps =
          (up.wantsRead() ? SelectionKey.OP_READ : 0)
              | (down.writeBlocked ? SelectionKey.OP_WRITE : 0);
      int upstreamOps;
      if (!targetConnected) {
        upstreamOps = SelectionKey.OP_CONNECT;
      } else {
        upstreamOps =
            (down.wantsRead() ? SelectionKey.OP_READ : 0)
                | (up.writeBlocked ? SelectionKey.OP_WRITE : 0);
      }
      if (clientKey.isValid()) {
        clientKey.interestOps(clientOps);
      }
      if (upstreamKey.isValid()) {
        upstreamKey.interestOps(upstreamOps);
      }
    }

    void close() {
      if (closedConnection) {
        return;
      }
      closedConnection = true;
      connections.remove(this);
      openConnections.decrementAndGet();
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  private final class Pipe {
    final Connection connection;
    final SocketChannel source;
    final SocketChannel destination;
    final AtomicLong deliveredCounter;
    final boolean towardTarget;
    final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    long queuedBytes;
    boolean sourceEnded;
    boolean destinationShutDown;
    boolean writeBlocked;
    double tokens = condition.effectiveBurstBytes();
    long bucketTimeNanos = System.nanoTime();
    long lastDeliverAtNanos;

    Pipe(
        Connection connection,
        SocketChannel source,
        SocketChannel destination,
        AtomicLong deliveredCounter,
        boolean towardTarget) {
      this.connection = connection;
      this.source = source;
      this.destination = destination;
      this.deliveredCounter = deliveredCounter;
      this.towardTarget = towardTarget;
    }

    boolean wantsRead() {
      return !sourceEnded
          && queuedBytes < maxQueuedBytes
          && (towardTarget || connection.targetConnected);
    }

    boolean finished() {
      return destinationShutDown;
    }

    void read(long now) throws IOException {
      while (wantsRead()) {
        readBuffer.clear();
        int n = source.read(readBuffer);
        if (n < 0) {
          sourceEnded = true;
          queue.add(new Chunk(null, schedule(now, 0)));
          return;
        }
        if (n == 0) {
          return;
        }
        readBuffer.flip();
        ByteBuffer copy = ByteBuffer.allocate(n);
        copy.put(readBuffer).flip();
        queue.add(new Chunk(copy, schedule(now, n)));
        queuedBytes += n;
      }
    }

    /** Token bucket, then delay; see the class description. */
    private long schedule(long arrivalNanos, int bytes) {
      long departNanos = arrivalNanos;
      if (condition.hasRateLimit() && bytes > 0) {
        double bytesPerNano = condition.rateBitsPerSecond() / 8e9;
        long start = Math.max(arrivalNanos, bucketTimeNanos);
        double available =
            Math.min(
                condition.effectiveBurstBytes(), tokens + (start - bucketTimeNanos) * bytesPerNano);
        if (available >= bytes) {
          departNanos = start;
          tokens = available - bytes;
        } else {
          departNanos = start + (long) Math.ceil((bytes - available) / bytesPerNano);
          tokens = 0;
        }
        bucketTimeNanos = departNanos;
      }
      long delay = condition.delayNanos();
      if (condition.jitterNanos() > 0) {
        delay += random.nextLong(-condition.jitterNanos(), condition.jitterNanos() + 1);
      }
      long deliverAt = departNanos + Math.max(0, delay);
      if (deliverAt - lastDeliverAtNanos < 0 && lastDeliverAtNanos != 0) {
        deliverAt = lastDeliverAtNanos;
      }
      lastDeliverAtNanos = deliverAt;
      return deliverAt;
    }

    /**
     * Writes what is due; returns the next deadline, or {@code Long.MAX_VALUE} when nothing waits
     * on time.
     */
    long deliver(long now) throws IOException {
      if (stalled || writeBlocked || towardTarget && !connection.targetConnected) {
        return Long.MAX_VALUE;
      }
      while (!queue.isEmpty()) {
        Chunk chunk = queue.peek();
        if (chunk.deliverAtNanos() - now > 0) {
          return chunk.deliverAtNanos();
        }
        if (chunk.isEndOfStream()) {
          queue.poll();
          destination.shutdownOutput();
          destinationShutDown = true;
          return Long.MAX_VALUE;
        }
        int written = destination.write(chunk.data());
        deliveredCounter.addAndGet(written);
        if (chunk.data().hasRemaining()) {
          writeBlocked = true;
          return Long.MAX_VALUE;
        }
        queue.poll();
        queuedBytes -= chunk.data().capacity();
      }
      return Long.MAX_VALUE;
    }
  }

  /**
   * Options of a link. Not thread-safe; {@link #start()} may be called more than once (each call
   * starts a new link).
   */
  public static final class Builder {
    private final InetSocketAddress target;
    private final NetworkCondition condition;
    private InetAddress listenAddress = InetAddress.getLoopbackAddress();
    private int listenPort;
    private long seed = System.nanoTime();
    private long maxQueuedBytes;

    private Builder(InetSocketAddress target, NetworkCondition condition) {
      if (target == null) {
        throw new IllegalArgumentException("target: null (expected: the HOST:PORT to forward to)");
      }
      if (condition == null) {
        throw new IllegalArgumentException(
            "condition: null (expected: a NetworkCondition, e.g. NONE)");
      }
      if (condition.lossPercent() > 0) {
        throw new IllegalArgumentException(
            "'"
                + condition.toSpec()
                + "': loss cannot be emulated by the"
                + " user-space link: it forwards a TCP byte stream that is already lossless, so a dropped"
                + " packet would only appear as a kernel-dependent retransmission delay. Remove the loss"
                + " term, or use the kernel path (tc netem; needs root and the netem qdisc)");
      }
      this.target = target;
      this.condition = condition;
    }

    /** The local address to listen on; default loopback. */
    public Builder optListenAddress(InetAddress address) {
      this.listenAddress = address;
      return this;
    }

    /** The port to listen on; default 0 (an ephemeral port, see {@link UserSpaceLink#port()}). */
    public Builder optListenPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("listenPort: " + port + " (expected: 0..65535)");
      }
      this.listenPort = port;
      return this;
    }

    /** Seed of the jitter's random numbers, for reproducible runs; default: the clock. */
    public Builder optSeed(long jitterSeed) {
      this.seed = jitterSeed;
      return this;
    }

    /**
     * The most bytes waiting in one direction before the link stops reading; default see the class
     * notes.
     */
    public Builder optMaxQueuedBytesPerDirection(long bytes) {
      if (bytes < CHUNK_BYTES) {
        throw new IllegalArgumentException(
            "maxQueuedBytesPerDirection: " + bytes + " (expected: >= " + CHUNK_BYTES + ")");
      }
      this.maxQueuedBytes = bytes;
      return this;
    }

    /**
     * Binds and starts forwarding.
     *
     * @throws IOException when the listening socket cannot be bound
     */
    public UserSpaceLink start() throws IOException {
      return new UserSpaceLink(this);
    }
  }
}
