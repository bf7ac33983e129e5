package io.paretopipe.benchmarks;

import io.paretopipe.harness.placement.CpuAffinity;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.server.GrpcTuning;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.grpc.GrpcTransport;
import io.paretopipe.harness.transport.nio.NioTransport;
import io.paretopipe.models.Engines;
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
 * One hop of a split, between two real forwards: the head (this JVM) runs a forward, sends a tensor
 * of {@code bytes} to the tail (a separate JVM, {@link HopTail}), the tail runs a forward and
 * answers with {@value HopTail#ANSWER_BYTES} bytes, as a last stage answers with its logits. The
 * forwards ({@code units} units of {@code model} at batch 8, one torch thread per side) leave the
 * caches as cold as a split leaves them; what is measured is the hop, the forwards excluded.
 *
 * <p>{@code transport}:
 *
 * <ul>
 *   <li>{@code floor-cold}: the floor of {@link io.paretopipe.benchmarks.floor.SocketFloor}, with a
 *       real forward instead of its 64 MiB sweep: a plain blocking {@link SocketChannel}, no
 *       framing, the payload written from a direct buffer the forward did not touch.
 *   <li>{@code floor-fresh}: as cold, but after its forward the head writes every byte it is about
 *       to send, as a forward writes the tensor it produces, so the payload starts in the caches.
 *   <li>{@code floor-hot}: no forwards at all, the same transfer back to back with warm caches.
 *   <li>{@code nio}, {@code grpc}: the real {@link NioTransport} / {@link GrpcTransport} channel to
 *       a real stage server of that transport (run-to-completion dispatch) whose stage runs the
 *       forward on the thread the server calls it on; the head sends the same untouched buffer as
 *       {@code floor-cold}, so {@code nio / floor-cold} compares like with like. {@code -p
 *       grpcTuning} ({@code tuned} by default, or {@code default}, or one knob of {@link
 *       GrpcTuning}) sets both grpc ends.
 * </ul>
 *
 * <p><b>What JMH reports.</b> The primary score ({@code avgt}, us/op) is JMH's own timing of the
 * whole op: head forward + hop + tail forward. The hop alone is timed with {@link System#nanoTime}
 * on the head from just before the send to just after the answer is read, minus the tail's forward
 * as the tail timed it and wrote it into its answer (one clock: both processes read the same
 * CLOCK_MONOTONIC), exactly as {@code SocketFloor} subtracts its server's sweep. That per-op figure
 * reaches JMH through {@link HopProfiler} ({@code -prof io.paretopipe.benchmarks.HopProfiler}) as
 * secondary results {@code hop} (mean), {@code hop.p50}, {@code hop.n}, {@code forward.head} and
 * {@code forward.tail}: one value per iteration, aggregated by JMH over the iterations with its
 * 99.9 % interval like the primary score. Without the profiler only the primary score appears.
 *
 * <p>With {@code -p pin=true} (default) the whole head JVM (benchmark thread, transport threads,
 * forward) is pinned to CPU 0 and the tail JVM to CPU 1 with {@code taskset}, as {@code
 * overhead-compare.sh} places a split's head and tail. Start it with the allocator environment of
 * {@link Engines#RECOMMENDED_ALLOCATOR_ENV} (the tail gets it from this JVM). Results and the
 * command are in {@code docs/TRANSPORT.md}.
 *
 * <p>Warm-up: 6 x 2 s by default. With a forward per op the whole op (forwards, hop, JIT of both)
 * keeps getting faster for 4-8 s: the first 2 s iterations ran 15-45 % above the settled ones for
 * nio, grpc and the floor alike (docs/runs/2026-12-07-grpc-large-frames/hop), so the 3 x 1 s of
 * before measured part of the warm-up.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "-XX:MaxDirectMemorySize=4g", "-Dai.djl.offline=true"})
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 1)
public class HopBenchmark {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /**
   * Tensor size: 4 KiB, 64 KiB, mobilenetv2 split 9 (401,408 B), resnet18 split 4 (3,211,264 B) at
   * batch 8, 16 MiB.
   */
  @Param({"4096", "65536", "401408", "3211264", "16777216"})
  public int bytes;

  /** {@code floor-cold}, {@code floor-fresh}, {@code floor-hot}, {@code nio} or {@code grpc}. */
  @Param({"floor-cold", "floor-fresh", "floor-hot", "nio", "grpc"})
  public String transport;

  /** The grpc ends' HTTP/2 settings, a {@link GrpcTuning} name; the other transports ignore it. */
  @Param({"tuned"})
  public String grpcTuning;

  /** The catalog model whose first units are the forward on each side. */
  @Param({"mobilenetv2"})
  public String model;

  /** How many units of {@code model} (after its prefix) the forward runs, at batch 8. */
  @Param({"1"})
  public int units;

  /**
   * Hot round trips (no forward on either side) in trial setup, before JMH's warm-up iterations, at
   * most {@value #WARMUP_HOPS_SECONDS} s of them: with a forward per op, JMH's warm-up runs a few
   * hundred hops, too few for the JIT to compile the transport's code as a long-running split has
   * it compiled. 0: none.
   */
  @Param({"5000"})
  public int warmupHops;

  /** "true": this JVM on CPU 0, the tail JVM on CPU 1 (needs taskset and 2 CPUs). */
  @Param({"true"})
  public boolean pin;

  /** Request ids of the warm-up hops start here, far above any measured op's id. */
  static final long WARMUP_ID_BASE = 1L << 40;

  /** The bound on the time {@link #warmupHops} takes. */
  static final int WARMUP_HOPS_SECONDS = 5;

  /** The forward's batch, the one the splits of docs/OVERHEAD.md run. */
  static final int BATCH = 8;

  /** What the last op's tail answered; for tests. */
  record Answer(long tailForwardNanos, long receivedBytes, long firstLong, long lastLong) {}

  private HopTail.Process tail;
  private HopTail.Forward forward;
  private SocketChannel socket;
  private ByteBuffer payload;
  private ByteBuffer answer;
  private StageChannel channel;
  private Tensor tensor;
  private long ops;
  private Answer last;
  private int warmedUp;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    if (!HopTail.TRANSPORTS.contains(transport)) {
      throw new IllegalArgumentException(
          "transport \""
              + transport
              + "\" is not benchmarked: valid values are "
              + String.join(", ", HopTail.TRANSPORTS));
    }
    if (bytes < 2 * Long.BYTES) {
      throw new IllegalArgumentException("bytes " + bytes + " (expected: >= 16)");
    }
    GrpcTuning tuning = GrpcTuning.parse(grpcTuning);
    if (pin) {
      CpuAffinity.pin(ProcessHandle.current().pid(), "0");
    }
    Engines.setThreads(1);
    if (!transport.equals("floor-hot")) {
      forward = new HopTail.Forward(model, units, BATCH);
    }
    payload = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < bytes; i += 4096) {
      payload.put(i, (byte) i);
    }
    payload.putLong(0, firstLong(bytes));
    payload.putLong(bytes - Long.BYTES, lastLong(bytes));
    tail = HopTail.Process.start(transport, bytes, grpcTuning, model, units, BATCH, pin ? 1 : -1);
    switch (transport) {
      case "nio", "grpc" -> {
        channel =
            transport.equals("nio")
                ? new NioTransport().connect(tail.address(), TIMEOUT)
                : new GrpcTransport(Limits.DEFAULT, null, null, tuning)
                    .connect(tail.address(), TIMEOUT);
        channel.handshake(TransportBenchSupport.echoHandshake(bytes), TIMEOUT);
        tensor = new Tensor(DType.UINT8, new long[] {bytes}, payload);
      }
      default -> {
        socket = SocketChannel.open(tail.socketAddress());
        socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        answer = ByteBuffer.allocateDirect(HopTail.ANSWER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      }
    }
    warmUp();
  }

  /**
   * {@link #warmupHops} hops with the payload's first long set to {@link HopTail#NO_FORWARD}, which
   * the tail answers without a forward; the payload is restored after.
   */
  private void warmUp() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_HOPS_SECONDS);
    payload.putLong(0, HopTail.NO_FORWARD);
    try {
      for (int i = 0; i < warmupHops && System.nanoTime() < deadline; i++) {
        exchange(WARMUP_ID_BASE + i);
        warmedUp++;
      }
    } finally {
      payload.putLong(0, firstLong(bytes));
    }
  }

  /** The first long of the payload a head of {@code bytes} sends (floor-fresh: the op number). */
  static long firstLong(int bytes) {
    return 0x0123_4567_0000_0000L | bytes;
  }

  /** The last long of the payload (floor-fresh: op number + bytes - 8). */
  static long lastLong(int bytes) {
    return 0x7654_3210_0000_0000L | bytes;
  }

  /**
   * One op: head forward, hop (send, tail forward, answer), recorded for {@link HopProfiler}.
   *
   * @return the hop in nanoseconds, the tail's forward subtracted
   */
  @Benchmark
  public long roundTrip() throws Exception {
    long headForward = forward == null ? 0 : forward.run();
    if (transport.equals("floor-fresh")) {
      for (int b = 0; b + Long.BYTES <= bytes; b += Long.BYTES) {
        payload.putLong(b, ops + b);
      }
    }
    ops++;
    long start = System.nanoTime();
    exchange(ops);
    long end = System.nanoTime();
    long hop = end - start - last.tailForwardNanos();
    HopProfiler.record(hop, headForward, last.tailForwardNanos());
    return hop;
  }

  /** Sends the payload as request {@code id}, reads the answer into {@link #last}. */
  private void exchange(long id) throws Exception {
    ByteBuffer a;
    InferenceResult result = null;
    if (channel != null) {
      channel.send(new InferenceRequest(id, tensor));
      result = channel.receive(TIMEOUT);
      a = result.tensor().data().order(ByteOrder.LITTLE_ENDIAN);
    } else {
      payload.clear();
      while (payload.hasRemaining()) {
        socket.write(payload);
      }
      answer.clear();
      while (answer.hasRemaining()) {
        if (socket.read(answer) < 0) {
          throw new IOException("hop tail at " + tail.address() + " closed the connection");
        }
      }
      a = answer;
    }
    last = new Answer(a.getLong(0), a.getLong(8), a.getLong(16), a.getLong(24));
    if (result != null) {
      channel.release(result.tensor());
    }
  }

  /** How many warm-up hops setup ran. */
  int warmedUp() {
    return warmedUp;
  }

  /** The tail process's id, once set up. */
  long tailPid() {
    return tail.pid();
  }

  /** What the tail answered to the last op. */
  Answer lastAnswer() {
    return last;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (channel != null) {
      channel.close();
    }
    if (socket != null) {
      socket.close();
    }
    if (tail != null) {
      tail.close();
    }
    if (forward != null) {
      forward.close();
    }
  }
}
