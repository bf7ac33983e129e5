package io.paretopipe.harness.cli;

import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.stage.ModelStageService;
import io.paretopipe.harness.transport.NioStageServer;
import io.paretopipe.harness.transport.NioTransport;
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

    @Option(names = "--max-connections", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
    int maxConnections;

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
        ModelStageService service = new ModelStageService(new NioTransport(), n);
        NioStageServer server = NioStageServer.builder(service).optListen(listen).optMaxConnections(maxConnections).start();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            service.close();
            stop.countDown();
        }, "stage-server-shutdown"));
        out.println(StageServerProcess.READY_PREFIX + server.address() + " pid=" + ProcessHandle.current().pid()
                + " cpus=" + ModelStageService.cpusAllowed() + " threads=" + n + " engine=" + Engines.versions().replace(' ', '_'));
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
