package io.paretopipe.harness.driver;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageTiming;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.StageSession;
import io.paretopipe.harness.transport.local.LocalTransport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local stage for driver tests (the {@code local} transport, so {@link StageChannel#send} hands
 * the request to the stage on the sender's thread): one compute thread, FIFO; per request {@code
 * iterations} rounds of an xorshift over the request id (real work, its result in the answer);
 * before request {@code pauseAt} it waits on {@code gate} or for {@code stallMillis}. Every
 * request's arrival at the stage, start and end of its work are kept on {@link System#nanoTime}'s
 * clock ({@link #times}), so a test can replay the server's queue.
 */
final class WorkStage implements StageService {

  static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** One request at the stage, {@link System#nanoTime} values. */
  record Times(long arrivedNanos, long startNanos, long endNanos) {}

  private final int iterations;
  private final long pauseAt;
  private final CountDownLatch gate;
  private final Long stallMillis;
  private final Map<Long, Times> times = new ConcurrentHashMap<>();

  /**
   * @param pauseAt the request id paused before its work, or -1 for none
   * @param gate what request {@code pauseAt} waits on, or null to sleep {@code stallMillis}
   */
  WorkStage(int iterations, long pauseAt, CountDownLatch gate, Long stallMillis) {
    this.iterations = iterations;
    this.pauseAt = pauseAt;
    this.gate = gate;
    this.stallMillis = stallMillis;
  }

  /** The stage's work for one request: {@code iterations} xorshift rounds from {@code seed}. */
  static long work(long seed, int iterations) {
    long x = seed + 1;
    for (int i = 0; i < iterations; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
    }
    return x;
  }

  StageChannel connect() throws Exception {
    StageChannel c = new LocalTransport(this).connect("local", TIMEOUT);
    c.handshake(
        new Handshake("work", 1, new int[] {1, 1, 4}, 0, 1, 1, DType.FLOAT32, 0, 1, "", List.of()),
        TIMEOUT);
    return c;
  }

  LoadTarget target(StageChannel channel) {
    Tensor payload = Tensor.allocate(DType.FLOAT32, 1, 4);
    return LoadTarget.ofPayload(channel, payload, TIMEOUT, "work stage");
  }

  /** The recorded times of request {@code id}, or null if it did not finish. */
  Times times(long id) {
    return times.get(id);
  }

  /** Forgets the recorded times (request ids restart with every run). */
  void clearTimes() {
    times.clear();
  }

  @Override
  public StageSession open(Handshake h) {
    ExecutorService compute = Executors.newSingleThreadExecutor();
    HandshakeReply reply =
        new HandshakeReply(
            "work",
            List.of("work"),
            new long[] {1, 4},
            new long[] {1, 4},
            0,
            ProcessHandle.current().pid(),
            "",
            1,
            "java");
    return StageSession.of(
        reply,
        request -> {
          long queued = System.nanoTime();
          return CompletableFuture.supplyAsync(
              () -> {
                if (request.requestId() == pauseAt) {
                  pause();
                }
                long start = System.nanoTime();
                long x = work(request.requestId(), iterations);
                ByteBuffer out = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
                out.putFloat(0, (float) (x & 0xFFFF));
                long end = System.nanoTime();
                times.put(request.requestId(), new Times(queued, start, end));
                return new InferenceResult(
                    request.requestId(),
                    new Tensor(DType.FLOAT32, new long[] {1, 4}, out),
                    List.of(new StageTiming(end - start, start - queued)));
              },
              compute);
        },
        false,
        compute::shutdownNow);
  }

  private void pause() {
    try {
      if (gate != null) {
        gate.await();
      } else {
        Thread.sleep(stallMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
