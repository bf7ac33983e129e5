package io.paretopipe.harness.stage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.StageTiming;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.tensor.TensorBridge;
import io.paretopipe.harness.trace.StepTrace;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.models.Engines;
import io.paretopipe.models.StageModel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection's work on a stage: requests are computed in arrival order on the session's own
 * compute thread, so the transport can read request i+1 while request i computes. A last stage
 * answers with its output; a middle stage sends its output to the next stage and answers when the
 * next stage's result comes back, adding its own timing in front of the downstream ones.
 *
 * <p>Run to completion ({@link #tryProcessInline}): when nothing is queued or computing, the
 * calling thread (the connection's reader) computes the request itself, with no hand-off; one lock
 * keeps every compute of the session, inline or on the compute thread, one at a time and in arrival
 * order.
 *
 * <p>Timing, on this stage's clock: {@code queueNanos} from the request's arrival (the {@link
 * #process} or {@link #tryProcessInline} call) to the start of its compute, {@code computeNanos}
 * the forward itself.
 *
 * <p>The session leases its stage from the server's {@link StageCache}; the lease is released only
 * once no compute of the session can run any more (its compute thread has ended and no inline
 * compute holds the lock), so an evicted stage is never freed under a running forward.
 */
final class ModelStageSession implements io.paretopipe.harness.transport.StageSession {

  private static final Duration POLL = Duration.ofMillis(500);

  private final StageModel stage;
  private final HandshakeReply reply;
  private final StageChannel downstream;
  private final ExecutorService compute;
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Requests handed to the compute thread whose output is not yet handed on. */
  private final AtomicInteger queued = new AtomicInteger();

  /**
   * Held by whichever thread computes a request, from its start until its temporaries are freed.
   */
  private final ReentrantLock computing = new ReentrantLock();

  private final Thread receiver;
  private volatile StageException downstreamFailure;

  private record Pending(CompletableFuture<InferenceResult> future, StageTiming timing) {}

  /**
   * @param lease this session's use of {@code stage}, closed once the session can compute no more
   */
  ModelStageSession(
      StageModel stage,
      AutoCloseable lease,
      int batch,
      HandshakeReply reply,
      StageChannel downstream) {
    this.stage = stage;
    this.reply = reply;
    this.downstream = downstream;
    String name =
        "stage-compute-"
            + stage.model().name()
            + "-"
            + stage.range().unitStart()
            + "-"
            + stage.range().unitEnd();
    this.compute =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            }) {
          @Override
          protected void terminated() {
            computing.lock();
            try {
              lease.close();
            } catch (Exception e) {
              // a lease's close throws nothing; the session is gone either way
            } finally {
              computing.unlock();
            }
          }
        };
    if (downstream != null) {
      receiver = new Thread(this::receiveDownstream, name + "-downstream");
      receiver.setDaemon(true);
      receiver.start();
    } else {
      receiver = null;
    }
  }

  @Override
  public HandshakeReply reply() {
    return reply;
  }

  @Override
  public boolean releasesRequestTensorOnCompletion() {
    return true;
  }

  @Override
  public CompletableFuture<InferenceResult> process(InferenceRequest request) {
    long arrival = System.nanoTime();
    StepTrace.mark("stage.request.dispatched");
    CompletableFuture<InferenceResult> future = new CompletableFuture<>();
    queued.incrementAndGet();
    try {
      compute.execute(
          () -> {
            computing.lock();
            try {
              compute(request, arrival, future, queued::decrementAndGet);
            } finally {
              computing.unlock();
            }
          });
    } catch (RejectedExecutionException e) {
      queued.decrementAndGet();
      future.completeExceptionally(
          new StageException(ErrorCode.CLOSED, "stage session is closed", request.requestId()));
    }
    return future;
  }

  @Override
  public boolean tryProcessInline(
      InferenceRequest request, CompletableFuture<InferenceResult> outcome) {
    if (closed.get() || queued.get() != 0 || !computing.tryLock()) {
      return false;
    }
    try {
      if (queued.get() != 0 || closed.get()) {
        return false;
      }
      long arrival = System.nanoTime();
      StepTrace.mark("stage.request.inline");
      compute(request, arrival, outcome, () -> {});
      return true;
    } finally {
      computing.unlock();
    }
  }

  @Override
  public boolean onlyFinishing() {
    return queued.get() == 0 && computing.isLocked();
  }

  /**
   * Computes one request on the calling thread. The result is handed to the transport before the
   * request's arrays are freed, so freeing them (native calls that are slow right after a forward
   * has evicted the caches) overlaps with sending instead of delaying it. Freeing touches no tensor
   * data, so the transport may already reuse the request's buffer.
   */
  private void compute(
      InferenceRequest request,
      long arrival,
      CompletableFuture<InferenceResult> future,
      Runnable handedOn) {
    long id = request.requestId();
    long start = System.nanoTime();
    StepTrace.mark("stage.compute.start");
    NDManager manager = NDManager.newBaseManager(Engines.pytorch().getEngineName());
    StepTrace.mark("stage.manager.opened");
    try {
      InferenceResult result;
      try {
        result = computeAndForward(request, arrival, start, future, manager);
      } finally {
        handedOn.run();
      }
      if (result != null) {
        future.complete(result);
      }
    } catch (StageException e) {
      future.completeExceptionally(e);
    } catch (RuntimeException e) {
      future.completeExceptionally(
          new StageException(
              ErrorCode.INTERNAL,
              stage.model().name() + " " + stage.range() + " failed: " + e,
              id));
    } finally {
      manager.close();
    }
  }

  /** The result of a last stage, or null for a middle stage, whose result comes from downstream. */
  private InferenceResult computeAndForward(
      InferenceRequest request,
      long arrival,
      long start,
      CompletableFuture<InferenceResult> future,
      NDManager manager)
      throws StageException {
    long id = request.requestId();
    Tensor wire = request.tensor();
    if (wire.dtype() != DType.FLOAT32) {
      throw new StageException(
          ErrorCode.UNSUPPORTED,
          "request "
              + id
              + " carries a "
              + wire.dtype()
              + " tensor: this stage computes in FLOAT32 only",
          id);
    }
    // checked on the wire header (plain Java), not on the wrapped array (an engine call)
    try {
      stage.checkInput(new Shape(wire.shape()), DataType.FLOAT32);
    } catch (IllegalArgumentException e) {
      throw new StageException(ErrorCode.SHAPE_MISMATCH, e.getMessage(), id);
    }
    StepTrace.mark("stage.input.checked");
    NDArray input = TensorBridge.wrap(wire, manager);
    StepTrace.mark("stage.input.wrapped");
    NDArray output = stage.forward(input);
    StepTrace.mark("stage.forward.end");
    StageTiming timing = new StageTiming(System.nanoTime() - start, start - arrival);
    if (downstream == null) {
      InferenceResult r = new InferenceResult(id, TensorBridge.copy(output), List.of(timing));
      StepTrace.mark("stage.result.copied");
      return r;
    }
    StageException failure = downstreamFailure;
    if (failure != null) {
      throw new StageException(ErrorCode.DOWNSTREAM_FAILED, failure.getMessage(), id);
    }
    pending.put(id, new Pending(future, timing));
    try {
      downstream.send(new InferenceRequest(id, TensorBridge.view(output)));
      StepTrace.mark("stage.downstream.sent");
    } catch (IOException e) {
      pending.remove(id);
      throw new StageException(
          ErrorCode.DOWNSTREAM_FAILED, "sending to the next stage failed: " + e.getMessage(), id);
    }
    return null;
  }

  private void receiveDownstream() {
    while (!closed.get()) {
      try {
        InferenceResult result = downstream.receive(POLL);
        Pending p = pending.remove(result.requestId());
        if (p == null) {
          continue;
        }
        List<StageTiming> timings = new ArrayList<>(1 + result.stageTimings().size());
        timings.add(p.timing());
        timings.addAll(result.stageTimings());
        p.future().complete(new InferenceResult(result.requestId(), result.tensor(), timings));
      } catch (TimeoutException e) {
        // poll again so close() is noticed
      } catch (StageException e) {
        if (e.requestId() >= 0) {
          Pending p = pending.remove(e.requestId());
          if (p != null) {
            p.future()
                .completeExceptionally(
                    new StageException(
                        ErrorCode.DOWNSTREAM_FAILED,
                        "next stage failed request " + e.requestId() + ": " + e.getMessage(),
                        e.requestId()));
          }
        } else {
          failAll(
              new StageException(
                  ErrorCode.DOWNSTREAM_FAILED, "next stage gave up: " + e.getMessage()));
          return;
        }
      } catch (IOException | RuntimeException e) {
        if (!closed.get()) {
          failAll(
              new StageException(
                  ErrorCode.DOWNSTREAM_FAILED, "next stage connection lost: " + e.getMessage()));
        }
        return;
      }
    }
  }

  private void failAll(StageException cause) {
    downstreamFailure = cause;
    for (Long id : List.copyOf(pending.keySet())) {
      Pending p = pending.remove(id);
      if (p != null) {
        p.future().completeExceptionally(new StageException(cause.code(), cause.getMessage(), id));
      }
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    compute.shutdownNow();
    if (downstream != null) {
      downstream.close();
    }
    if (receiver != null) {
      receiver.interrupt();
    }
    failAll(new StageException(ErrorCode.CLOSED, "stage session closed"));
  }
}
