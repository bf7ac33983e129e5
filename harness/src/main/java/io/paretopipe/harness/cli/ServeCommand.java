package io.paretopipe.harness.cli;

import io.paretopipe.harness.auth.BindPolicy;
import io.paretopipe.harness.auth.SecretException;
import io.paretopipe.harness.driver.Credentials;
import io.paretopipe.harness.driver.Transports;
import io.paretopipe.harness.placement.ReadyLine;
import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.server.StageServer;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.stage.ModelStageService;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.harness.transport.grpc.GrpcClientTls;
import io.paretopipe.harness.transport.grpc.GrpcServerTls;
import io.paretopipe.harness.transport.grpc.GrpcStageServer;
import io.paretopipe.harness.transport.nio.NioStageServer;
import io.paretopipe.models.Engines;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code serve}: a long-lived stage server. It loads whatever model and units each handshake names
 * and caches them, so one server per device serves a whole sweep.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run a stage server (listens on loopback unless --listen names another address).",
    footer = {
      "",
      "Environment:",
      "  PARETOPIPE_SECRET_FILE, PARETOPIPE_SECRET",
      "      the shared secret heads must prove (see --secret-file)",
      "  PARETOPIPE_STEP_TRACE=DIR",
      "      per-step timestamps of this server, written to DIR at exit",
      "      (benchmarks/scripts/step-trace.py; heads on this machine only)",
      "  MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184",
      "  MALLOC_TOP_PAD_=536870912",
      "      glibc settings for a fair measurement (docs/PERFORMANCE.md)"
    })
final class ServeCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--listen",
      defaultValue = "127.0.0.1:7711",
      description = "HOST:PORT to listen on; port 0 picks a free one (default: ${DEFAULT-VALUE}).")
  String listen;

  @Option(
      names = "--threads",
      description = "torch intra-op threads (default: the CPUs this process may use).")
  Integer threads;

  @Option(
      names = "--max-connections",
      defaultValue = "64",
      description =
          "Heads served at once (grpc: sessions); more get BUSY (default: ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(
      names = "--max-pending-connections",
      defaultValue = "16",
      description =
          "grpc: connections without a complete handshake (and authentication) held beside the"
              + " heads'; one more closes the oldest of them (default: ${DEFAULT-VALUE}).")
  int maxPendingConnections;

  @Option(
      names = "--max-pending-per-source",
      defaultValue = "4",
      description =
          "Connections without a complete handshake from one source address; one more is refused"
              + " (default: ${DEFAULT-VALUE}).")
  int maxPendingPerSource;

  @Option(
      names = "--max-in-flight",
      defaultValue = "16",
      description =
          "Unanswered requests per connection; more get BUSY (default: ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Option(
      names = "--idle-timeout",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description =
          "A head that does not read its results, or sends no request with nothing in flight, for"
              + " this long loses its connection (grpc: stream) and its request memory; a request"
              + " computing longer is not cut (default: ${DEFAULT-VALUE}).")
  long idleTimeoutSeconds;

  @Option(
      names = "--max-calls-per-connection",
      defaultValue = "8",
      description =
          "grpc only: calls (HTTP/2 streams) open at once on one connection; more wait for a free"
              + " one (default: ${DEFAULT-VALUE}).")
  int maxCallsPerConnection;

  @Option(
      names = "--max-tensor-mib",
      defaultValue = "512",
      description =
          "Largest request tensor in MiB; a larger one is refused before it is read (default: ${DEFAULT-VALUE}).")
  int maxTensorMib;

  @Option(
      names = "--max-request-mib",
      description =
          "Request tensors held at once by all connections (grpc: sessions) together, MiB; a request that does"
              + " not fit gets BUSY before it is allocated (default: 3/4 of the JVM's direct memory limit).")
  Integer maxRequestMib;

  @Option(
      names = "--max-model-mib",
      defaultValue = "1024",
      description =
          "Weights of the stages kept loaded, MiB (4 bytes per parameter); idle stages are evicted,"
              + " least recently used first, to make room; a handshake whose stage cannot fit gets"
              + " BAD_HANDSHAKE (larger than the bound) or BUSY (the stages in use leave no room)"
              + " (default: ${DEFAULT-VALUE}).")
  long maxModelMib;

  @Option(
      names = "--transport",
      defaultValue = "nio",
      description =
          "What to serve: nio (the framed TCP protocol) or grpc (the same stage over grpc-java); "
              + "heads must use the same transport (default: ${DEFAULT-VALUE}).")
  String transport;

  @Option(
      names = "--models-dir",
      paramLabel = "DIR",
      description =
          "Serve exported model directories (models/export/export_units.py) at or under DIR;"
              + " repeatable. Without it only built-in models are served.")
  java.util.List<java.nio.file.Path> modelDirs = new java.util.ArrayList<>();

  @Option(
      names = "--secret-file",
      paramLabel = "FILE",
      description =
          "Require every head to prove it holds the shared secret in FILE (HMAC-SHA256"
              + " challenge-response; mode 0600; make one with: (umask 077; openssl rand -hex 32 > FILE))."
              + " Default: $PARETOPIPE_SECRET_FILE or $PARETOPIPE_SECRET if set, else no authentication.")
  java.nio.file.Path secretFile;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "grpc only: serve TLS with this PEM certificate chain (needs --tls-key).")
  java.nio.file.Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "grpc only: the PKCS#8 PEM private key of --tls-cert.")
  java.nio.file.Path tlsKey;

  @Option(
      names = "--tls-trust",
      paramLabel = "FILE",
      description =
          "grpc only: PEM certificates a middle stage trusts when it reaches its downstream stage"
              + " over TLS (default: plaintext downstream).")
  java.nio.file.Path tlsTrust;

  @Option(
      names = "--insecure",
      description =
          "Allow listening on a non-loopback address without a shared secret: anyone who can reach"
              + " the port can run the served models (docs/SECURITY.md). Only on a network you trust.")
  boolean insecure;

  @Option(
      names = "--dispatch",
      defaultValue = "run-to-completion",
      description =
          "How a request reaches the compute: run-to-completion (the reading thread computes when the"
              + " stage is idle, pipelined when requests queue) or pipelined (always the session's"
              + " compute thread) (default: ${DEFAULT-VALUE}).")
  String dispatch;

  @Option(
      names = "--grpc-tuning",
      defaultValue = "default",
      description =
          "grpc only: HTTP/2 settings: default (grpc-java's), tuned (16 MiB flow-control window,"
              + " pooled direct allocator with 16 MiB chunks, 8 MiB write-buffer high water mark,"
              + " HTTP/2 reads gathered without copying, DATA frames up to 16 MiB), or one knob:"
              + " window, allocator, direct-executor, socket-buffers, recv-buffer, write-buffer,"
              + " composite-cumulator, large-frames; or tuned-write-buffer (tuned until"
              + " 2026-12-07 21:00 UTC), window-allocator (before that), tuned-recv-buffer,"
              + " tuned-composite (docs/TRANSPORT.md; default: ${DEFAULT-VALUE}).")
  String grpcTuning;

  @Option(
      names = "--exit-with-parent",
      description =
          "Exit when standard input closes (used when spawned). A spawned server whose owner"
              + " vanished (its input ended without the owner's farewell byte) deletes its log"
              + " (-Dparetopipe.stageLog) at exit if the log is empty.")
  boolean exitWithParent;

  /**
   * grpc-java logs every failed connection (e.g. a plaintext head at a TLS stage) at INFO with a
   * stack trace; the head gets a clear error, so the stage keeps to warnings. Held here because
   * java.util.logging keeps only weak references to loggers.
   */
  private static final java.util.logging.Logger GRPC_LOG =
      java.util.logging.Logger.getLogger("io.grpc");

  private io.paretopipe.harness.server.DispatchStrategy dispatchStrategy() {
    try {
      return io.paretopipe.harness.server.DispatchStrategy.named(dispatch);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--dispatch: " + e.getMessage());
    }
  }

  private io.paretopipe.harness.server.GrpcTuning grpcTuningOption() {
    try {
      return io.paretopipe.harness.server.GrpcTuning.parse(grpcTuning);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--grpc-tuning: " + e.getMessage());
    }
  }

  @Override
  public Integer call() throws Exception {
    GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
    PrintWriter out = spec.commandLine().getOut();
    int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    if (!Engines.allocatorTuned()) {
      spec.commandLine()
          .getErr()
          .println(
              "warning: allocator settings not applied (set "
                  + Engines.RECOMMENDED_ALLOCATOR_ENV
                  + " in the environment): PyTorch may run 2-3x slower");
    }
    io.paretopipe.harness.placement.StageServerProcess.ARENA_ENV.forEach(
        (name, value) -> {
          if (!value.equals(System.getenv(name))) {
            spec.commandLine()
                .getErr()
                .println(
                    "note: "
                        + name
                        + "="
                        + value
                        + " is not set: freed native memory stays in per-thread malloc arenas, so"
                        + " the resident memory can exceed what --max-model-mib bounds (stage"
                        + " servers that run or the sweep spawn get it; see docs/SECURITY.md)");
          }
        });
    TransportKind kind =
        TransportKind.names().contains(transport) ? TransportKind.parse(transport) : null;
    if (kind == null || !kind.network()) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--transport " + transport + " is not served: valid transports are nio, grpc");
    }
    if (idleTimeoutSeconds < 1 || idleTimeoutSeconds > 86_400 || maxCallsPerConnection < 1) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--idle-timeout "
              + idleTimeoutSeconds
              + ", --max-calls-per-connection "
              + maxCallsPerConnection
              + " (expected: --idle-timeout 1..86400 seconds, --max-calls-per-connection >= 1)");
    }
    if (maxPendingConnections < 1 || maxPendingPerSource < 1) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--max-pending-connections "
              + maxPendingConnections
              + ", --max-pending-per-source "
              + maxPendingPerSource
              + " (expected: each >= 1)");
    }
    if (maxConnections < 1 || maxInFlight < 1 || maxTensorMib < 1 || maxTensorMib > 2047) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--max-connections "
              + maxConnections
              + ", --max-in-flight "
              + maxInFlight
              + ", --max-tensor-mib "
              + maxTensorMib
              + " (expected: each >= 1, --max-tensor-mib <= 2047)");
    }
    long maxRequestBytes =
        maxRequestMib != null
            ? (long) maxRequestMib << 20
            : io.paretopipe.harness.memory.MemoryBudget.defaultCapacityBytes();
    if (maxRequestBytes < (long) maxTensorMib << 20) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "request memory of "
              + (maxRequestBytes >> 20)
              + " MiB"
              + (maxRequestMib == null ? " (3/4 of this JVM's direct memory" + " limit)" : "")
              + " is below --max-tensor-mib "
              + maxTensorMib
              + ": the largest tensor could never"
              + " be accepted; lower --max-tensor-mib, raise --max-request-mib, or give the JVM more memory (-Xmx)");
    }
    io.paretopipe.harness.protocol.Limits limits =
        io.paretopipe.harness.protocol.Limits.DEFAULT.withMaxTensorBytes((long) maxTensorMib << 20);
    java.net.InetSocketAddress bind = io.paretopipe.harness.transport.HostPort.parse(listen);
    java.net.InetAddress bindAddress = ListenAddress.resolve(listen, bind);
    boolean grpc = kind == TransportKind.GRPC;
    Credentials credentials;
    GrpcServerTls serverTls = null;
    try {
      credentials = Credentials.resolve(secretFile, System.getenv());
      if ((tlsCert != null || tlsKey != null || tlsTrust != null) && !grpc) {
        throw new IllegalArgumentException(
            "--tls-cert, --tls-key and --tls-trust apply to --transport grpc only"
                + " (nio authenticates with the shared secret but does not encrypt)");
      }
      if ((tlsCert == null) != (tlsKey == null)) {
        throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key");
      }
      if (tlsCert != null) {
        serverTls = GrpcServerTls.of(tlsCert, tlsKey);
      }
      if (tlsTrust != null) {
        credentials = credentials.withTls(GrpcClientTls.of(tlsTrust, null));
      }
      BindPolicy.check(bindAddress, credentials.secret().isPresent(), insecure);
    } catch (SecretException | IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter err = spec.commandLine().getErr();
    BindPolicy.warning(bindAddress, credentials.secret().isPresent(), insecure)
        .ifPresent(err::println);
    credentials
        .secret()
        .ifPresent(
            s ->
                err.println(
                    "authentication: heads must prove the shared secret "
                        + s.fingerprint()
                        + " ("
                        + s.source()
                        + ")"));
    if (serverTls != null) {
      err.println("TLS: serving certificate " + tlsCert);
    }
    err.flush();
    // a middle stage reaches its downstream stage over the same transport and with the same secret
    ModelStageService service = new ModelStageService(Transports.network(kind, credentials), n);
    try {
      service.serveModelDirectories(modelDirs).limitModelMemory(maxModelMib);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    StageServerOptions options =
        StageServerOptions.builder()
            .optListen(listen)
            .optLimits(limits)
            .optMaxConnections(maxConnections)
            .optMaxPendingConnections(maxPendingConnections)
            .optMaxPendingPerSource(maxPendingPerSource)
            .optMaxInFlight(maxInFlight)
            .optMaxRequestBytes(maxRequestBytes)
            .optIdleTimeoutMillis(idleTimeoutSeconds * 1000)
            .optMaxCallsPerConnection(maxCallsPerConnection)
            .optAuthenticator(credentials.authenticator())
            .optTls(serverTls)
            .optDispatch(dispatchStrategy())
            .optGrpcTuning(grpcTuningOption())
            .build();
    StageServer.Factory factory =
        switch (kind) {
          case NIO -> NioStageServer::start;
          case GRPC -> GrpcStageServer::start;
          case LOCAL -> throw new IllegalStateException("local is refused above");
        };
    StageServer server;
    try {
      server = factory.start(service, options);
    } catch (java.io.IOException | RuntimeException e) {
      service.close();
      throw ListenAddress.failure(listen, bind, e);
    }
    String address = server.address();
    CountDownLatch stop = new CountDownLatch(1);
    AtomicBoolean ownerVanished = new AtomicBoolean();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  service.close();
                  if (ownerVanished.get()) {
                    deleteOwnLogIfEmpty();
                  }
                  stop.countDown();
                },
                "stage-server-shutdown"));
    out.println(
        StageServerProcess.READY_PREFIX
            + address
            + " pid="
            + ProcessHandle.current().pid()
            + " cpus="
            + ModelStageService.cpusAllowed()
            + " threads="
            + n
            + " engine="
            + Engines.versions().replace(' ', '_')
            + " transport="
            + transport);
    out.flush();
    if (exitWithParent) {
      Thread watcher =
          new Thread(
              () -> {
                boolean farewell = false;
                try (InputStream in = System.in) {
                  int b;
                  while ((b = in.read()) >= 0) {
                    // the owner holds our stdin open; EOF means it closed us or is gone
                    farewell |= b == StageServerProcess.FAREWELL;
                  }
                } catch (java.io.IOException ignored) {
                  // treat as EOF
                }
                ownerVanished.set(!farewell);
                System.exit(0);
              },
              "parent-watcher");
      watcher.setDaemon(true);
      watcher.start();
    }
    stop.await();
    return 0;
  }

  /**
   * Deletes this server's log ({@link StageServerProcess#LOG_PROPERTY}) if it is empty; called last
   * at exit when the owner that would have done so vanished.
   */
  private static void deleteOwnLogIfEmpty() {
    String log = System.getProperty(StageServerProcess.LOG_PROPERTY);
    if (log != null) {
      ReadyLine.deleteIfEmpty(Path.of(log));
    }
  }
}
