package io.paretopipe.harness.server;

import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.memory.MemoryBudget;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.transport.HostPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Everything a stage server is configured with, one name per option whatever the transport ({@code
 * serve} maps its options here one to one). Immutable; build with {@link #builder()}, every option
 * is optional ({@code opt*}).
 *
 * <p>Two options concern one transport only: {@link Builder#optSocketBufferBytes} ({@code nio}) and
 * {@link Builder#optTls} ({@code grpc}; the {@code nio} server refuses options that set it).
 */
public final class StageServerOptions {
  /** Default of {@link Builder#optMaxConnections}. */
  public static final int DEFAULT_MAX_CONNECTIONS = 64;

  /** Default of {@link Builder#optMaxPendingConnections}. */
  public static final int DEFAULT_MAX_PENDING_CONNECTIONS = 16;

  /** Default of {@link Builder#optMaxPendingPerSource}. */
  public static final int DEFAULT_MAX_PENDING_PER_SOURCE = 4;

  /** Default of {@link Builder#optMaxInFlight}. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 16;

  /** Default of {@link Builder#optHandshakeTimeoutMillis}. */
  public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  /** Default of {@link Builder#optIdleTimeoutMillis}: 5 minutes (Envoy's stream idle timeout). */
  public static final long DEFAULT_IDLE_TIMEOUT_MILLIS = 300_000;

  /** Default of {@link Builder#optMaxCallsPerConnection}. */
  public static final int DEFAULT_MAX_CALLS_PER_CONNECTION = 8;

  private final InetSocketAddress bindAddress;
  private final Limits limits;
  private final int maxConnections;
  private final int maxPendingConnections;
  private final int maxPendingPerSource;
  private final int maxInFlight;
  private final long maxRequestBytes;
  private final long handshakeTimeoutMillis;
  private final long idleTimeoutMillis;
  private final int maxCallsPerConnection;
  private final Authenticator authenticator;
  private final ServerTls tls;
  private final int socketBufferBytes;
  private final DispatchStrategy dispatch;
  private final GrpcTuning grpcTuning;

  private StageServerOptions(Builder b) {
    this.bindAddress = b.bindAddress;
    this.limits = b.limits;
    this.maxConnections = b.maxConnections;
    this.maxPendingConnections = b.maxPendingConnections;
    this.maxPendingPerSource = b.maxPendingPerSource;
    this.maxInFlight = b.maxInFlight;
    this.maxRequestBytes = b.maxRequestBytes;
    this.handshakeTimeoutMillis = b.handshakeTimeoutMillis;
    this.idleTimeoutMillis = b.idleTimeoutMillis;
    this.maxCallsPerConnection = b.maxCallsPerConnection;
    this.authenticator = b.authenticator;
    this.tls = b.tls;
    this.socketBufferBytes = b.socketBufferBytes;
    this.dispatch = b.dispatch;
    this.grpcTuning = b.grpcTuning;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every option at its default: 127.0.0.1, an ephemeral port, default limits, no secret. */
  public static StageServerOptions defaults() {
    return builder().build();
  }

  /** Where to listen; port 0 picks a free port. */
  public InetSocketAddress bindAddress() {
    return bindAddress;
  }

  /** What every incoming frame or message is checked against. */
  public Limits limits() {
    return limits;
  }

  /** Heads served at once: {@code nio} connections, {@code grpc} sessions. */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * Connections without a complete handshake (and, with a secret, authentication) held at once
   * beside the heads' ({@code grpc} only; on {@code nio} they share the {@link #maxConnections()}
   * slots); see {@link PendingConnections}.
   */
  public int maxPendingConnections() {
    return maxPendingConnections;
  }

  /** Connections without a complete handshake from one source address, both transports. */
  public int maxPendingPerSource() {
    return maxPendingPerSource;
  }

  /** Unanswered requests per connection (a {@code grpc} session's stream). */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** Request bytes the whole server holds at once, all connections together. */
  public long maxRequestBytes() {
    return maxRequestBytes;
  }

  /** How long a head may take from first contact until it can send requests, ms. */
  public long handshakeTimeoutMillis() {
    return handshakeTimeoutMillis;
  }

  /**
   * How long a ready connection may make no progress (results unread, or idle with nothing in
   * flight) before it is ended, ms; see {@link ProgressDeadline}.
   */
  public long idleTimeoutMillis() {
    return idleTimeoutMillis;
  }

  /** Calls (HTTP/2 streams) open at once on one {@code grpc} connection ({@code grpc} only). */
  public int maxCallsPerConnection() {
    return maxCallsPerConnection;
  }

  /** The shared secret heads must prove, or null: anyone who connects is served. */
  public Authenticator authenticator() {
    return authenticator;
  }

  /** The TLS identity ({@code grpc} only), or null for plaintext. */
  public ServerTls tls() {
    return tls;
  }

  /** SO_SNDBUF and SO_RCVBUF of accepted sockets ({@code nio} only), 0 = the OS's. */
  public int socketBufferBytes() {
    return socketBufferBytes;
  }

  /** How decoded requests reach the compute. */
  public DispatchStrategy dispatch() {
    return dispatch;
  }

  /** How the {@code grpc} server's HTTP/2 layer is configured ({@code grpc} only). */
  public GrpcTuning grpcTuning() {
    return grpcTuning;
  }

  /** Options of a stage server; every {@code opt*} is optional. */
  public static final class Builder {
    private InetSocketAddress bindAddress =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private Limits limits = Limits.DEFAULT;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxPendingConnections = DEFAULT_MAX_PENDING_CONNECTIONS;
    private int maxPendingPerSource = DEFAULT_MAX_PENDING_PER_SOURCE;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private long maxRequestBytes = MemoryBudget.defaultCapacityBytes();
    private long handshakeTimeoutMillis = DEFAULT_HANDSHAKE_TIMEOUT_MILLIS;
    private long idleTimeoutMillis = DEFAULT_IDLE_TIMEOUT_MILLIS;
    private int maxCallsPerConnection = DEFAULT_MAX_CALLS_PER_CONNECTION;
    private Authenticator authenticator;
    private ServerTls tls;
    private int socketBufferBytes;
    private DispatchStrategy dispatch = DispatchStrategy.RUN_TO_COMPLETION;
    private GrpcTuning grpcTuning = GrpcTuning.DEFAULT;

    private Builder() {}

    /**
     * Where to listen, as "HOST:PORT"; port 0 picks a free port. Default 127.0.0.1:0.
     *
     * @throws IllegalArgumentException if it is not HOST:PORT
     */
    public Builder optListen(String hostPort) {
      InetSocketAddress a = HostPort.parse(hostPort);
      this.bindAddress = new InetSocketAddress(a.getHostString(), a.getPort());
      return this;
    }

    /**
     * The limits every incoming frame (nio) or message (grpc) is checked against; grpc's max
     * inbound message size follows from them. Default {@link Limits#DEFAULT}.
     */
    public Builder optLimits(Limits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Heads served at once: {@code nio} connections (counted from accept), {@code grpc} sessions
     * (from a successful Handshake call, claimed or not). One more gets {@code BUSY}. Default
     * {@value StageServerOptions#DEFAULT_MAX_CONNECTIONS}.
     */
    public Builder optMaxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException(
            "maxConnections: " + maxConnections + " (expected: >= 1)");
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * Connections that have not proved themselves yet (no successful handshake; with a secret, no
     * call or frame whose proof verified) that the {@code grpc} server holds at once beside its
     * {@link #optMaxConnections} proved ones, counted from accept, before TLS and HTTP/2: one more
     * closes the oldest of them, so a flood of them cannot keep out a head that connects later.
     * ({@code nio}: pending connections share the head slots, the oldest giving way when they are
     * full.) Default {@value StageServerOptions#DEFAULT_MAX_PENDING_CONNECTIONS}.
     */
    public Builder optMaxPendingConnections(int connections) {
      if (connections < 1) {
        throw new IllegalArgumentException(
            "maxPendingConnections: " + connections + " (expected: >= 1)");
      }
      this.maxPendingConnections = connections;
      return this;
    }

    /**
     * Connections that have not proved themselves yet one source address may hold at once, both
     * transports: one more is refused at once ({@code nio}: {@code BUSY} and closed; {@code grpc}:
     * closed at accept). Heads behind one NAT address share it. Default {@value
     * StageServerOptions#DEFAULT_MAX_PENDING_PER_SOURCE}.
     */
    public Builder optMaxPendingPerSource(int connections) {
      if (connections < 1) {
        throw new IllegalArgumentException(
            "maxPendingPerSource: " + connections + " (expected: >= 1)");
      }
      this.maxPendingPerSource = connections;
      return this;
    }

    /**
     * Requests one connection (a grpc session's stream) may have unanswered; one more is refused
     * with a request-level {@code BUSY} and the connection goes on. Bounds the request memory one
     * head can make the stage hold to about {@code maxInFlight x maxTensorBytes}. Default {@value
     * StageServerOptions#DEFAULT_MAX_IN_FLIGHT}.
     */
    public Builder optMaxInFlight(int maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 1)");
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /**
     * Request bytes the whole server holds at once, over all connections, from a request's arrival
     * until its answer is written: a request that does not fit is not allocated (nio: read and
     * dropped; grpc: skimmed for its id and tensor header) and gets a request-level {@code BUSY},
     * so many heads each within their own limits cannot together exhaust memory. Default: three
     * quarters of what the JVM may allocate as direct buffers ({@link
     * MemoryBudget#defaultCapacityBytes()}). Reused request memory is pooled up to a quarter of
     * this (at most 256 MiB) on top.
     */
    public Builder optMaxRequestBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxRequestBytes: " + bytes + " (expected: >= 1)");
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /**
     * How long a head may take from first contact until it can send requests: on {@code nio} from
     * the accepted connection to its whole HANDSHAKE (and AUTH_PROOF) frame, on {@code grpc} from
     * its Handshake call to the Infer stream that claims the session. After that it gets {@code
     * TIMEOUT} (nio; grpc closes the unclaimed session) and its slot is free again, so idle
     * connections cannot hold every slot. On {@code grpc} it also bounds the HTTP/2 (and TLS)
     * negotiation of a new connection and how long a connection may stay open with no call at all
     * ({@code maxConnectionIdle}: it gets GOAWAY, which grpc clients follow by reconnecting).
     * Default {@value StageServerOptions#DEFAULT_HANDSHAKE_TIMEOUT_MILLIS} ms.
     */
    public Builder optHandshakeTimeoutMillis(long millis) {
      if (millis < 1) {
        throw new IllegalArgumentException(
            "handshakeTimeoutMillis: " + millis + " (expected: >= 1)");
      }
      this.handshakeTimeoutMillis = millis;
      return this;
    }

    /**
     * How long a connection that has completed its handshake may make no progress before it is
     * ended ({@link ProgressDeadline}): a head that does not read its results for this long loses
     * its connection at once and the request memory of its unwritten answers; a head with nothing
     * in flight that sends no request for this long gets {@code TIMEOUT} and its connection (grpc:
     * its stream) is ended, freeing its slot and session. A request computing for longer is not
     * cut. Default {@value StageServerOptions#DEFAULT_IDLE_TIMEOUT_MILLIS} ms.
     */
    public Builder optIdleTimeoutMillis(long millis) {
      if (millis < 1) {
        throw new IllegalArgumentException("idleTimeoutMillis: " + millis + " (expected: >= 1)");
      }
      this.idleTimeoutMillis = millis;
      return this;
    }

    /**
     * Calls (HTTP/2 streams) one {@code grpc} connection may have open at once; more are refused by
     * grpc ({@code REFUSED_STREAM}) before anything is read ({@code grpc} only; a head needs one
     * stream per session plus one short call). Default {@value
     * StageServerOptions#DEFAULT_MAX_CALLS_PER_CONNECTION}.
     */
    public Builder optMaxCallsPerConnection(int calls) {
      if (calls < 1) {
        throw new IllegalArgumentException("maxCallsPerConnection: " + calls + " (expected: >= 1)");
      }
      this.maxCallsPerConnection = calls;
      return this;
    }

    /**
     * Require every head to prove it holds {@code authenticator}'s shared secret before its
     * handshake is acted on; null (default) serves anyone who connects. The server uses the
     * authenticator from its threads but does not own it: one may serve several servers.
     */
    public Builder optAuthenticator(Authenticator authenticator) {
      this.authenticator = authenticator;
      return this;
    }

    /**
     * Serve over TLS with this identity ({@code grpc} only); null, the default, serves plaintext. A
     * plaintext head cannot talk to a TLS server, nor a TLS head to a plaintext one.
     */
    public Builder optTls(ServerTls tls) {
      this.tls = tls;
      return this;
    }

    /**
     * SO_SNDBUF and SO_RCVBUF of accepted sockets ({@code nio} only), bytes; 0 (default) leaves
     * them to the OS, which on Linux auto-tunes them (up to net.ipv4.tcp_rmem / tcp_wmem); a fixed
     * value is capped by net.core.rmem_max / wmem_max and disables auto-tuning.
     */
    public Builder optSocketBufferBytes(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException(
            "socketBufferBytes: " + bytes + " (expected: >= 0, 0 = OS default)");
      }
      this.socketBufferBytes = bytes;
      return this;
    }

    /**
     * How decoded requests reach the compute; default {@link DispatchStrategy#RUN_TO_COMPLETION}.
     */
    public Builder optDispatch(DispatchStrategy dispatch) {
      this.dispatch = Objects.requireNonNull(dispatch, "dispatch");
      return this;
    }

    /**
     * How the {@code grpc} server's HTTP/2 layer is configured ({@code grpc} only; the {@code nio}
     * server ignores it); default {@link GrpcTuning#DEFAULT}, grpc-java's own settings.
     */
    public Builder optGrpcTuning(GrpcTuning tuning) {
      this.grpcTuning = Objects.requireNonNull(tuning, "tuning");
      return this;
    }

    public StageServerOptions build() {
      return new StageServerOptions(this);
    }
  }
}
