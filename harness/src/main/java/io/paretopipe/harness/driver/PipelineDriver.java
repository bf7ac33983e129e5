package io.paretopipe.harness.driver;

import ai.djl.ndarray.NDArray;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.StageTiming;
import io.paretopipe.harness.tensor.TensorBridge;
import io.paretopipe.harness.trace.StepTrace;
import io.paretopipe.harness.transport.StageChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives a {@link Pipeline} with at most {@code depth} requests in flight, matched by request id.
 * Depth 1 is the sequential latency case; with depth >= 2 the head computes batch i+1 while batch i
 * crosses the link and the tail computes it (pipeline parallelism).
 *
 * <p>Threads: {@link #submit()} and {@link #awaitIdle()} are called by one driving thread (the head
 * computes on it); a receiving thread of the driver's own takes results, times them and frees
 * window slots. Only successful results are recorded: a stage error, a dead stage or a request that
 * exceeds the pipeline's timeout fails the driver, and every later call throws {@link
 * PipelineFailedException} naming the stage and what happened.
 */
public final class PipelineDriver implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(200);

  private final Pipeline pipeline;
  private final int depth;
  private final PhaseRecorder recorder;
  private final Semaphore window;
  private final Map<Long, InFlight> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong overlappedHeadComputes = new AtomicLong();
  private final Thread receiver;
  private final long timeoutNanos;
  private final FirstFailure failure = new FirstFailure();
  private volatile boolean closed;
  private volatile float[] lastOutput;

  private record InFlight(long startNanos, long headNanos, long encodeNanos, NDArray headOutput) {}

  /**
   * @param depth maximum requests in flight, >= 1
   * @param recorder where successful requests' timings go
   */
  public PipelineDriver(Pipeline pipeline, int depth, PhaseRecorder recorder) {
    if (depth < 1) {
      throw new IllegalArgumentException("depth: " + depth + " (expected: >= 1)");
    }
    this.pipeline = pipeline;
    this.depth = depth;
    this.recorder = recorder;
    this.window = new Semaphore(depth);
    this.timeoutNanos = pipeline.spec().timeout().toNanos();
    this.receiver = new Thread(this::receiveLoop, "pipeline-receiver");
    this.receiver.setDaemon(true);
    this.receiver.start();
  }

  public int depth() {
    return depth;
  }

  /** Results received so far. */
  public long completed() {
    return completed.get();
  }

  /**
   * Head computes that started while an earlier request was in flight (sent, its result not yet
   * received): the head began work while the tail or the link held other work. Always 0 at depth 1,
   * where a request is only submitted after the previous one came back.
   */
  public long overlappedHeadComputes() {
    return overlappedHeadComputes.get();
  }

  /** The logits (or final output) of the most recent result, flattened; null before the first. */
  public float[] lastOutput() {
    return lastOutput;
  }

  /**
   * Waits for a free slot in the window, computes the head on the pipeline's input and sends it.
   *
   * @throws PipelineFailedException if the pipeline failed or no slot freed up within the timeout
   */
  public void submit() throws PipelineFailedException {
    checkFailure();
    try {
      if (!window.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
        fail(
            "no result came back within "
                + pipeline.spec().timeout().toMillis()
                + " ms with "
                + depth
                + " requests in flight from "
                + stageName(),
            null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted while waiting for a free slot", e);
    }
    checkFailure();
    long id = nextId.getAndIncrement();
    NDArray in = pipeline.input();
    if (!inFlight.isEmpty()) {
      overlappedHeadComputes.incrementAndGet();
    }
    long start = System.nanoTime();
    StepTrace.mark("head.forward.start");
    NDArray out = pipeline.head().forward(in);
    long afterHead = System.nanoTime();
    StepTrace.mark("head.forward.end");
    InferenceRequest request = new InferenceRequest(id, TensorBridge.view(out));
    long afterEncode = System.nanoTime();
    inFlight.put(
        id,
        new InFlight(start, afterHead - start, afterEncode - afterHead, out == in ? null : out));
    try {
      StepTrace.mark("head.send.start");
      pipeline.channel().send(request);
      StepTrace.mark("head.send.end");
    } catch (IOException e) {
      fail("sending request " + id + " to " + stageName() + " failed: " + e.getMessage(), e);
    }
  }

  /** Runs one request alone (depth permitting) and waits for its result. */
  public void runOne() throws PipelineFailedException {
    submit();
    awaitIdle();
  }

  /**
   * Waits until every submitted request has its result.
   *
   * @throws PipelineFailedException if the pipeline failed or results stopped coming within the
   *     timeout
   */
  public void awaitIdle() throws PipelineFailedException {
    try {
      if (!window.tryAcquire(depth, timeoutNanos, TimeUnit.NANOSECONDS)) {
        checkOverdue();
        checkFailure();
        fail(
            "results stopped: no result for "
                + inFlight.size()
                + " requests in flight from "
                + stageName()
                + " within "
                + pipeline.spec().timeout().toMillis()
                + " ms",
            null);
      }
      window.release(depth);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted while waiting for results", e);
    }
    checkFailure();
  }

  private void receiveLoop() {
    StageChannel channel = pipeline.channel();
    while (!closed && !failure.isSet()) {
      InferenceResult result;
      try {
        result = channel.receive(POLL);
      } catch (TimeoutException e) {
        checkOverdue();
        continue;
      } catch (StageException e) {
        failQuietly(
            stageName()
                + " failed request "
                + e.requestId()
                + ": "
                + e.code()
                + ": "
                + e.getMessage(),
            e);
        return;
      } catch (IOException | RuntimeException e) {
        if (!closed) {
          failQuietly("lost " + stageName() + ": " + e.getMessage(), e);
        }
        return;
      }
      long received = System.nanoTime();
      StepTrace.mark("head.result.received");
      InFlight request = inFlight.remove(result.requestId());
      if (request == null) {
        failQuietly(stageName() + " answered unknown request id " + result.requestId(), null);
        return;
      }
      float[] output;
      try {
        output = TensorBridge.toFloatArray(result.tensor());
      } catch (IllegalArgumentException e) {
        failQuietly(
            stageName() + " answered request " + result.requestId() + " with " + e.getMessage(), e);
        return;
      }
      long decoded = System.nanoTime();
      StepTrace.mark("head.result.decoded");
      channel.release(result.tensor());
      if (request.headOutput() != null) {
        request.headOutput().close();
      }
      long stageCompute = 0;
      long stageQueue = 0;
      for (StageTiming t : result.stageTimings()) {
        stageCompute += t.computeNanos();
        stageQueue += t.queueNanos();
      }
      recorder.record(
          new RequestTiming(
              decoded - request.startNanos(),
              request.headNanos(),
              request.encodeNanos(),
              decoded - received,
              stageCompute,
              stageQueue));
      lastOutput = output;
      completed.incrementAndGet();
      window.release();
    }
  }

  private void checkOverdue() {
    long now = System.nanoTime();
    for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
      if (now - e.getValue().startNanos() > timeoutNanos) {
        failQuietly(
            "no result for request "
                + e.getKey()
                + " from "
                + stageName()
                + " within "
                + pipeline.spec().timeout().toMillis()
                + " ms",
            null);
        return;
      }
    }
  }

  private String stageName() {
    String address =
        pipeline.servers().isEmpty()
            ? String.join("/", pipeline.spec().tails())
            : pipeline.servers().get(0).toString();
    return "stage 1 (" + pipeline.spec().transport() + " " + address + ")";
  }

  private void failQuietly(String message, Throwable cause) {
    failure.record(message, cause);
    window.release(depth);
  }

  private void fail(String message, Throwable cause) throws PipelineFailedException {
    failQuietly(message, cause);
    throw failure.raise(message, cause);
  }

  private void checkFailure() throws PipelineFailedException {
    failure.check();
  }

  /** Stops receiving; requests still in flight are abandoned (not recorded). Idempotent. */
  @Override
  public void close() {
    closed = true;
    receiver.interrupt();
    try {
      receiver.join(POLL.toMillis() * 5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (InFlight f : inFlight.values()) {
      if (f.headOutput() != null) {
        f.headOutput().close();
      }
    }
    inFlight.clear();
  }
}
