package io.paretopipe.harness.cli;

import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.stage.ModelStageService;
import io.paretopipe.harness.transport.NioStageServer;
import io.paretopipe.harness.transport.NioTransport;
import io.paretopipe.harness.transport.grpc.GrpcStageServer;
import io.paretopipe.harness.transport.grpc.GrpcTransport;
import io.paretopipe.models.Engines;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code serve}: a long-lived stage server. It loads whatever model and units each handshake names
 * and caches them, so one server per device serves a whole sweep.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run a stage server (listens on loopback unless --listen names another address).")
final class ServeCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen", defaultValue = "127.0.0.1:7711",
            description = "HOST:PORT to listen on; port 0 picks a free one (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--threads", description = "torch intra-op threads (default: the CPUs this process may use).")
    Integer threads;

    @Option(names = "--max-connections", defaultValue = "64",
            description = "Heads served at once (grpc: sessions); more get BUSY (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-in-flight", defaultValue = "16",
            description = "Unanswered requests per connection; more get BUSY (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--max-tensor-mib", defaultValue = "512",
            description = "Largest request tensor in MiB; a larger one is refused before it is read (default: ${DEFAULT-VALUE}).")
    int maxTensorMib;

    @Option(names = "--transport", defaultValue = "nio",
            description = "What to serve: nio (the framed TCP protocol) or grpc (the same stage over grpc-java); "
                    + "heads must use the same transport (default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "Serve exported model directories (models/export/export_units.py) at or under DIR;"
                    + " repeatable. Without it only built-in models are served.")
    java.util.List<java.nio.file.Path> modelDirs = new java.util.ArrayList<>();

    @Option(names = "--insecure",
            description = "Allow listening on a non-loopback address without authentication: anyone who can reach"
                    + " the port can run the served models (docs/SECURITY.md). Only on a network you trust.")
    boolean insecure;

    @Option(names = "--exit-with-parent", description = "Exit when standard input closes (used when spawned).")
    boolean exitWithParent;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (!Engines.allocatorTuned()) {
            spec.commandLine().getErr().println("warning: allocator settings not applied (set "
                    + Engines.RECOMMENDED_ALLOCATOR_ENV + " in the environment): PyTorch may run 2-3x slower");
        }
        if (!transport.equals(NioTransport.NAME) && !transport.equals(GrpcTransport.NAME)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--transport " + transport
                    + " is not served: valid transports are nio, grpc");
        }
        if (maxConnections < 1 || maxInFlight < 1 || maxTensorMib < 1 || maxTensorMib > 2047) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--max-connections " + maxConnections
                    + ", --max-in-flight " + maxInFlight + ", --max-tensor-mib " + maxTensorMib
                    + " (expected: each >= 1, --max-tensor-mib <= 2047)");
        }
        io.paretopipe.harness.protocol.Limits limits =
                io.paretopipe.harness.protocol.Limits.DEFAULT.withMaxTensorBytes((long) maxTensorMib << 20);
        java.net.InetSocketAddress bind = io.paretopipe.harness.transport.HostPort.parse(listen);
        java.net.InetAddress bindAddress = java.net.InetAddress.getByName(bind.getHostString());
        // shared-secret authentication (io.paretopipe.harness.auth) is not wired into the transports yet,
        // so every non-loopback listener is an unauthenticated one
        if (!bindAddress.isLoopbackAddress() && !insecure) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "refusing to listen on "
                    + listen + " without authentication: anyone who can reach it could run models on this machine."
                    + " Listen on loopback only (--listen 127.0.0.1:PORT), or pass --insecure if every host on this"
                    + " network is trusted (docs/SECURITY.md)");
        }
        if (!bindAddress.isLoopbackAddress()) {
            spec.commandLine().getErr().println("warning: listening on " + listen + " without authentication"
                    + " (--insecure): anyone who can reach this port can run the served models");
        }
        boolean grpc = transport.equals(GrpcTransport.NAME);
        // a middle stage reaches its downstream stage over the same transport it serves
        ModelStageService service = new ModelStageService(grpc ? new GrpcTransport() : new NioTransport(), n);
        try {
            service.serveModelDirectories(modelDirs);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        AutoCloseable server;
        String address;
        if (grpc) {
            GrpcStageServer g = GrpcStageServer.builder(service).optListen(listen).optLimits(limits)
                    .optMaxSessions(maxConnections).optMaxInFlight(maxInFlight).start();
            server = g;
            address = g.address();
        } else {
            NioStageServer nio = NioStageServer.builder(service).optListen(listen).optLimits(limits)
                    .optMaxConnections(maxConnections).optMaxInFlight(maxInFlight).start();
            server = nio;
            address = nio.address();
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception ignored) {
                // shutting down anyway
            }
            service.close();
            stop.countDown();
        }, "stage-server-shutdown"));
        out.println(StageServerProcess.READY_PREFIX + address + " pid=" + ProcessHandle.current().pid()
                + " cpus=" + ModelStageService.cpusAllowed() + " threads=" + n + " engine=" + Engines.versions().replace(' ', '_')
                + " transport=" + transport);
        out.flush();
        if (exitWithParent) {
            Thread watcher = new Thread(() -> {
                try (InputStream in = System.in) {
                    while (in.read() >= 0) {
                        // the owner holds our stdin open; EOF means it is gone
                    }
                } catch (java.io.IOException ignored) {
                    // treat as EOF
                }
                System.exit(0);
            }, "parent-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
        stop.await();
        return 0;
    }
}
