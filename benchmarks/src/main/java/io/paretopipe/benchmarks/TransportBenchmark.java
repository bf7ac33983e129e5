package io.paretopipe.benchmarks;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.server.DispatchStrategy;
import io.paretopipe.harness.server.GrpcTuning;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.grpc.GrpcStageServer;
import io.paretopipe.harness.transport.grpc.GrpcTransport;
import io.paretopipe.harness.transport.local.LocalTransport;
import io.paretopipe.harness.transport.nio.NioStageServer;
import io.paretopipe.harness.transport.nio.NioTransport;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a transport adds to moving a tensor: one round trip (send, stage echoes, receive) of a
 * tensor of {@code bytes} bytes over loopback, one request in flight.
 *
 * <ul>
 *   <li>{@code echo}: the floor. A plain blocking {@link SocketChannel} echo with no framing: the
 *       server thread reads exactly {@code bytes} into a direct buffer and writes them back.
 *   <li>{@code nio}: the real {@link NioTransport} channel to a real {@link NioStageServer} whose
 *       stage returns the request's tensor: framing, validation, a fresh direct buffer per message,
 *       the server's reader-to-writer thread hand-off.
 *   <li>{@code grpc}: the real {@code GrpcTransport} channel to a real {@code GrpcStageServer} with
 *       the same echo stage: protobuf encoding, HTTP/2 framing and flow control, Netty's event
 *       loops, one copy into grpc's buffers on send and one out of them on receive.
 *   <li>{@code local}: {@link LocalTransport}, the stage called in-process: no bytes move at all.
 * </ul>
 *
 * With {@code -p grpcTuning=tuned} (or one knob: {@code window}, {@code allocator}, {@code
 * socket-buffers}, {@code direct-executor}, {@code recv-buffer}, {@code write-buffer}, {@code
 * composite-cumulator}, {@code large-frames}; or {@code window-allocator}, {@code
 * tuned-recv-buffer}, {@code tuned-write-buffer}, {@code tuned-composite}: see {@link GrpcTuning})
 * both the grpc server and channel use that {@link GrpcTuning}; {@code default} is grpc-java's own
 * settings; the other transports ignore it. The nio server dispatches with {@code -p dispatch}
 * ({@code run-to-completion}, the default, or {@code pipelined}).
 *
 * <p>With {@code -p pin=true} the benchmark thread is pinned to CPU 0 and every server thread to
 * CPU 1 (via {@code taskset}), so client and server never share a core. Results and the command are
 * in {@code docs/TRANSPORT.md}; {@link TransportCpuBreakdown} runs the same round trip in a loop
 * and splits its CPU time by thread.
 *
 * <p>Warm-up: 6 iterations of 3 s. grpc's round trip is Java code (HTTP/2 framing, Netty's
 * pipeline, the copies) that the JIT compiles over the first 12-15 s: at 16 MiB tuned grpc took 53,
 * 33, 27, 26, 25 ms per op in its first five 3 s iterations and 21-25 ms from then on, at 4 MiB
 * 17.5, 10.8, 7.3, then 6.0-6.7 ms (docs/TRANSPORT.md, "JIT-warm"); nio, the echo and local are
 * steady within the first iteration. With less warm-up grpc's score includes its compilation and
 * its interval reflects the trend, not noise.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "-XX:MaxDirectMemorySize=4g"})
@Warmup(iterations = 6, time = 3)
@Measurement(iterations = 5, time = 2)
public class TransportBenchmark {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** Tensor size: 4 KiB, 256 KiB, 4 MiB, 16 MiB. */
  @Param({"4096", "262144", "4194304", "16777216"})
  public int bytes;

  @Param({"echo", "nio", "grpc", "local"})
  public String transport;

  /** The grpc transport's HTTP/2 settings, a {@link GrpcTuning} name. */
  @Param({"default"})
  public String grpcTuning;

  /** How the nio and grpc servers dispatch, a {@link DispatchStrategy} name. */
  @Param({"run-to-completion"})
  public String dispatch;

  /** "true": benchmark thread on CPU 0, server threads on CPU 1 (needs taskset and 2 CPUs). */
  @Param({"false"})
  public boolean pin;

  private TransportBenchSupport.RawEchoServer echoServer;
  private SocketChannel echoClient;
  private ByteBuffer echoBuffer;

  private NioStageServer nioServer;
  private GrpcStageServer grpcServer;
  private StageChannel channel;
  private Tensor tensor;
  private long requestId;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    ByteBuffer data = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    for (int i = 0; i < bytes; i += 4096) {
      data.put(i, (byte) i);
    }
    tensor = new Tensor(DType.UINT8, new long[] {bytes}, data);
    Handshake handshake = TransportBenchSupport.echoHandshake(bytes);
    HandshakeReply reply = TransportBenchSupport.echoReply(bytes);
    GrpcTuning tuning = GrpcTuning.parse(grpcTuning);
    StageServerOptions options =
        StageServerOptions.builder()
            .optGrpcTuning(tuning)
            .optDispatch(DispatchStrategy.named(dispatch))
            .build();
    switch (transport) {
      case "echo" -> {
        echoServer = new TransportBenchSupport.RawEchoServer(bytes);
        echoClient = SocketChannel.open(echoServer.address());
        echoClient.setOption(StandardSocketOptions.TCP_NODELAY, true);
        echoBuffer = data;
      }
      case "nio" -> {
        nioServer = NioStageServer.start(new TransportBenchSupport.EchoStage(reply), options);
        channel = new NioTransport().connect(nioServer.address(), TIMEOUT);
        channel.handshake(handshake, TIMEOUT);
      }
      case "grpc" -> {
        grpcServer = GrpcStageServer.start(new TransportBenchSupport.EchoStage(reply), options);
        channel =
            new GrpcTransport(Limits.DEFAULT, null, null, tuning)
                .connect(grpcServer.address(), TIMEOUT);
        channel.handshake(handshake, TIMEOUT);
      }
      case "local" -> {
        channel =
            new LocalTransport(new TransportBenchSupport.EchoStage(reply))
                .connect("local", TIMEOUT);
        channel.handshake(handshake, TIMEOUT);
      }
      default ->
          throw new IllegalArgumentException(
              "transport \""
                  + transport
                  + "\" is not benchmarked: valid values are echo, nio, grpc, local");
    }
    if (pin) {
      pinThreads();
    }
  }

  private void pinThreads() throws IOException {
    boolean ok = TransportBenchSupport.pin(TransportBenchSupport.currentTid(), 0);
    String serverPrefix =
        switch (transport) {
          case "echo" -> TransportBenchSupport.RawEchoServer.THREAD_NAME;
          case "grpc" ->
              "paretopipe-grpc-stage"; // the stage callbacks; Netty event loops serve both ends,
          // stay unpinned
          default -> "paretopipe-nio";
        };
    for (long tid : TransportBenchSupport.tidsNamed(serverPrefix)) {
      ok &= TransportBenchSupport.pin(tid, 1);
    }
    if (!ok) {
      throw new IllegalStateException(
          "pin=true but taskset failed: install util-linux and run on >= 2 CPUs, "
              + "or use -p pin=false");
    }
  }

  /** One round trip of the tensor; returns what came back so JMH keeps it. */
  @Benchmark
  public Object roundTrip() throws Exception {
    if (echoClient != null) {
      ByteBuffer b = echoBuffer;
      b.clear();
      while (b.hasRemaining()) {
        echoClient.write(b);
      }
      b.clear();
      while (b.hasRemaining()) {
        if (echoClient.read(b) < 0) {
          throw new IOException("echo server closed the connection");
        }
      }
      return b;
    }
    channel.send(new InferenceRequest(requestId++, tensor));
    InferenceResult result = channel.receive(TIMEOUT);
    Tensor back = result.tensor();
    channel.release(
        back); // done with it: the next result reuses the memory, as the echo client reuses its
    // buffer
    return back;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (channel != null) {
      channel.close();
    }
    if (nioServer != null) {
      nioServer.close();
    }
    if (grpcServer != null) {
      grpcServer.close();
    }
    if (echoClient != null) {
      echoClient.close();
    }
    if (echoServer != null) {
      echoServer.close();
    }
  }
}
