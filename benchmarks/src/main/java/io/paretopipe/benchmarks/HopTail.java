package io.paretopipe.benchmarks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.paretopipe.harness.placement.ReadyLine;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageTiming;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.server.DispatchStrategy;
import io.paretopipe.harness.server.GrpcTuning;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.StageSession;
import io.paretopipe.harness.transport.grpc.GrpcStageServer;
import io.paretopipe.harness.transport.nio.NioStageServer;
import io.paretopipe.models.Engines;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.models.StageModel;
import io.paretopipe.models.StageRange;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The tail process of {@link HopBenchmark}: a separate JVM that receives one tensor per op over
 * {@code transport}, runs a real forward (as a tail stage computes, so its caches are cold when it
 * answers) unless the transport is {@code floor-hot}, and answers with {@value #ANSWER_BYTES} bytes
 * (the size of batch 8's logits) saying how long the forward took and what it received:
 *
 * <pre>
 * offset 0: forward nanoseconds (0 for floor-hot)   offset 8: bytes received
 * offset 16: the request's first long                offset 24: the request's last long
 * </pre>
 *
 * (little-endian); a request starting with {@link #NO_FORWARD} is answered without a forward.
 * {@code floor-*} is a plain blocking {@link SocketChannel} with no framing, as {@link
 * io.paretopipe.benchmarks.floor.SocketFloor}'s server; {@code nio} and {@code grpc} are the real
 * {@link NioStageServer} and {@link GrpcStageServer} with a stage computing the forward on the
 * thread the server calls it on. It prints {@value #READY_PREFIX}{@code HOST:PORT} when it listens,
 * serves one connection and exits when its standard input ends (the parent gone).
 *
 * <pre>
 * java -cp benchmarks.jar io.paretopipe.benchmarks.HopTail TRANSPORT BYTES GRPC_TUNING MODEL UNITS BATCH
 * </pre>
 */
public final class HopTail {

  /** The answer's size: 8 images x 10 classes of float32, as mobilenetv2's logits at batch 8. */
  public static final int ANSWER_BYTES = 320;

  /** The line the tail prints once it listens, followed by {@code HOST:PORT}. */
  public static final String READY_PREFIX = "hop tail listening on ";

  /**
   * A request whose first long is this is answered without a forward: {@link HopBenchmark}'s
   * warm-up hops.
   */
  public static final long NO_FORWARD = 0x4E4F_2D46_5744_0000L;

  /** The {@code transport} values, the floor's three cache conditions first. */
  public static final List<String> TRANSPORTS =
      List.of("floor-cold", "floor-fresh", "floor-hot", "nio", "grpc");

  private static final long START_TIMEOUT_SECONDS = 120;

  private HopTail() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6 || !TRANSPORTS.contains(args[0])) {
      System.err.println(
          "usage: HopTail floor-cold|floor-fresh|floor-hot|nio|grpc BYTES GRPC_TUNING MODEL UNITS"
              + " BATCH");
      System.exit(2);
    }
    String transport = args[0];
    int bytes = Integer.parseInt(args[1]);
    GrpcTuning tuning = GrpcTuning.parse(args[2]);
    Thread watchdog =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // the parent holds the pipe open while it lives
                }
              } catch (IOException ignored) {
                // gone as well
              }
              System.exit(0);
            },
            "hop-tail-exit-with-parent");
    watchdog.setDaemon(true);
    watchdog.start();
    Engines.setThreads(1);
    try (Forward forward =
        transport.equals("floor-hot")
            ? null
            : new Forward(args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]))) {
      switch (transport) {
        case "nio", "grpc" -> serveStage(transport, bytes, tuning, forward);
        default -> serveFloor(bytes, forward);
      }
    }
    System.exit(0);
  }

  private static void serveFloor(int bytes, Forward forward) throws IOException {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      ready((InetSocketAddress) listener.getLocalAddress());
      try (SocketChannel s = listener.accept()) {
        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ByteBuffer in = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocateDirect(ANSWER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (true) {
          in.clear();
          while (in.hasRemaining()) {
            if (s.read(in) < 0) {
              return;
            }
          }
          long nanos = forward == null || in.getLong(0) == NO_FORWARD ? 0 : forward.run();
          answer(out, nanos, in);
          out.clear();
          while (out.hasRemaining()) {
            s.write(out);
          }
        }
      }
    }
  }

  private static void serveStage(String transport, int bytes, GrpcTuning tuning, Forward forward)
      throws Exception {
    StageServerOptions options =
        StageServerOptions.builder()
            .optGrpcTuning(tuning)
            .optDispatch(DispatchStrategy.named("run-to-completion"))
            .build();
    ForwardStage stage =
        new ForwardStage(TransportBenchSupport.reply(bytes, ANSWER_BYTES), forward);
    AutoCloseable server;
    InetSocketAddress address;
    if (transport.equals("nio")) {
      NioStageServer nio = NioStageServer.start(stage, options);
      server = nio;
      address = nio.localAddress();
    } else {
      GrpcStageServer grpc = GrpcStageServer.start(stage, options);
      server = grpc;
      address = grpc.localAddress();
    }
    try (server) {
      ready(address);
      Thread.currentThread().join(); // until the watchdog exits the JVM
    }
  }

  private static void ready(InetSocketAddress address) {
    System.out.println(READY_PREFIX + address.getHostString() + ":" + address.getPort());
    System.out.flush();
  }

  /** Writes the answer layout into {@code out} (position 0, limit {@value #ANSWER_BYTES}). */
  static void answer(ByteBuffer out, long forwardNanos, ByteBuffer received) {
    int n = received.limit();
    out.clear();
    out.putLong(0, forwardNanos);
    out.putLong(8, n);
    out.putLong(16, received.getLong(0));
    out.putLong(24, received.getLong(n - Long.BYTES));
  }

  /**
   * The stage of the {@code nio} and {@code grpc} tails: the forward, then the answer; reuse of the
   * request's memory allowed, as a stage done with its input allows it.
   */
  static final class ForwardStage implements StageService {
    private final HandshakeReply reply;
    private final Forward forward;

    ForwardStage(HandshakeReply reply, Forward forward) {
      this.reply = reply;
      this.forward = forward;
    }

    @Override
    public StageSession open(Handshake handshake) {
      return StageSession.of(reply, this::process, true);
    }

    private CompletableFuture<InferenceResult> process(InferenceRequest request) {
      ByteBuffer in = request.tensor().data().order(ByteOrder.LITTLE_ENDIAN);
      long nanos = in.getLong(0) == NO_FORWARD ? 0 : forward.run();
      ByteBuffer out = ByteBuffer.allocateDirect(ANSWER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      answer(out, nanos, in);
      Tensor result = new Tensor(DType.UINT8, new long[] {ANSWER_BYTES}, out);
      return CompletableFuture.completedFuture(
          new InferenceResult(request.requestId(), result, List.of(new StageTiming(nanos, 0))));
    }
  }

  /**
   * A real forward standing in for a stage's compute: the first {@code units} units (with the
   * prefix) of catalog model {@code model} at batch {@code batch}, seeded weights, one torch
   * thread, on a fixed seeded input. Not thread-safe.
   */
  static final class Forward implements AutoCloseable {
    private final StageModel stage;
    private final NDManager manager;
    private final NDArray input;

    Forward(String model, int units, int batch) {
      stage = StageModel.load(ModelCatalog.define(model), new StageRange(0, 0, units, true, false));
      manager = NDManager.newBaseManager(Device.cpu(), Engines.pytorch().getEngineName());
      input = ModelForwardSupport.input(manager, model, batch, 42);
    }

    /** Runs the forward once, frees its output, and returns how long it took in nanoseconds. */
    long run() {
      long start = System.nanoTime();
      try (NDArray out = stage.forward(input)) {
        out.getShape();
      }
      return System.nanoTime() - start;
    }

    @Override
    public void close() {
      manager.close();
      stage.close();
    }
  }

  /**
   * A spawned tail: {@code taskset -c CPU java ... HopTail ...} (no taskset when {@code cpu} is
   * negative), with {@link Engines#RECOMMENDED_ALLOCATOR_ENV}, listening once {@link #start}
   * returns; {@link #close} ends it.
   */
  static final class Process implements AutoCloseable {
    private final java.lang.Process process;
    private final String address;
    private final Path log;

    private Process(java.lang.Process process, String address, Path log) {
      this.process = process;
      this.address = address;
      this.log = log;
    }

    static Process start(
        String transport, int bytes, String grpcTuning, String model, int units, int batch, int cpu)
        throws IOException {
      List<String> command = new ArrayList<>();
      if (cpu >= 0) {
        command.addAll(List.of("taskset", "-c", Integer.toString(cpu)));
      }
      command.addAll(
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx1g",
              "-XX:MaxDirectMemorySize=2g",
              "-Dai.djl.offline=true",
              "-cp",
              System.getProperty("java.class.path"),
              HopTail.class.getName(),
              transport,
              Integer.toString(bytes),
              grpcTuning,
              model,
              Integer.toString(units),
              Integer.toString(batch)));
      Path log = Files.createTempFile("paretopipe-hop-tail-", ".log");
      ProcessBuilder pb =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(Engines.RECOMMENDED_ALLOCATOR_ENV);
      java.lang.Process p = pb.start();
      String address;
      try {
        address = ReadyLine.await(p, READY_PREFIX, log, START_TIMEOUT_SECONDS * 1000, "hop tail");
      } catch (IOException | RuntimeException e) {
        p.destroyForcibly();
        throw e;
      }
      return new Process(p, address, log);
    }

    String address() {
      return address;
    }

    InetSocketAddress socketAddress() {
      int colon = address.lastIndexOf(':');
      return new InetSocketAddress(
          address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    long pid() {
      return process.pid();
    }

    @Override
    public void close() throws IOException {
      process.getOutputStream().close(); // the tail exits when its standard input ends
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      Files.deleteIfExists(log);
    }
  }
}
