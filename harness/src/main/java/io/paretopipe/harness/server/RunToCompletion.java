package io.paretopipe.harness.server;

import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.transport.StageSession;
import java.util.concurrent.CompletableFuture;

/**
 * The latency path: when the session is idle, the thread that read the request computes it and
 * writes its answer (nio: the connection's reader, which then writes inline; grpc: the call's
 * callback thread), so a request meets no thread hand-off on the stage. When requests queue (the
 * transport saw the next request's bytes already waiting, the head had another request of the
 * connection unanswered within the last {@value RequestFlow#PIPELINING_HEAD_WINDOW} requests, or
 * the session's compute thread has a request queued or computing) it falls back to {@link
 * DispatchStrategy#PIPELINED}, so the reader goes on reading while the compute thread works and a
 * pipelined head keeps the stage busy. A head with one request outstanding is served inline every
 * time; a pipelining head never is, even in the instants its stage is idle between two requests.
 *
 * <p>One wait is short and known: right after answering a request the compute thread frees that
 * request's arrays (it answers first, PERFORMANCE.md), which takes 0.1-0.3 ms after a forward. A
 * request that arrives during that time, with nothing queued, waits for it with {@link ShortWait}
 * (never a spin on this machine) up to {@value #MAX_FINISHING_WAIT_NANOS} ns, then runs inline; if
 * the wait times out it takes the pipelined path.
 *
 * <p>What computing on the reading thread costs: while a request computes inline, the connection
 * reads nothing, so the next request's bytes wait in the socket's buffers (nio) or grpc's flow
 * control window (grpc) until the answer is written; the head's send returns once they fit there.
 * Sessions that do not implement {@link StageSession#tryProcessInline} always take the pipelined
 * path.
 */
public final class RunToCompletion implements DispatchStrategy {
  /** The only instance; stateless. */
  static final RunToCompletion INSTANCE = new RunToCompletion();

  /** Longest wait for a session that is only freeing an answered request, ns. */
  public static final long MAX_FINISHING_WAIT_NANOS = 1_000_000;

  private RunToCompletion() {}

  @Override
  public CompletableFuture<InferenceResult> start(StageSession session, InferenceRequest request) {
    return session.process(request);
  }

  @Override
  public void dispatch(
      StageSession session,
      InferenceRequest request,
      boolean inputWaiting,
      CompletableFuture<InferenceResult> outcome) {
    if (inputWaiting) {
      DispatchStrategy.super.dispatch(session, request, true, outcome);
      return;
    }
    if (session.tryProcessInline(request, outcome)) {
      return;
    }
    if (session.onlyFinishing()
        && ShortWait.until(() -> !session.onlyFinishing(), MAX_FINISHING_WAIT_NANOS)
        && session.tryProcessInline(request, outcome)) {
      return;
    }
    DispatchStrategy.super.dispatch(session, request, false, outcome);
  }

  @Override
  public String toString() {
    return "run-to-completion";
  }
}
