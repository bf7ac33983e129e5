package io.paretopipe.harness.server;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.transport.StageSession;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests of one connection (a {@code grpc} session's stream) between arrival and answer:
 * every request handed to {@link #submit} or {@link #refuse} gets exactly one answer through the
 * transport's {@link Replies}: the result, a typed error from the session, or {@code BUSY} when the
 * connection already has {@link Admission#maxInFlight()} requests unanswered. How an admitted
 * request reaches the compute is the server's {@link DispatchStrategy}.
 *
 * <p>Threads: {@link #submit}, {@link #refuse} and {@link #endOfInput} are called by the
 * connection's reading thread, in arrival order; answers are sent from whichever thread completes
 * the request; {@link #close} from any thread.
 *
 * <p>Memory: the flow holds each submitted request's {@link HeldRequest} until its answer is sent;
 * {@link #close} (the connection ended) gives back the reservations of the requests still
 * computing, since their answers will never be written (a session that still finishes one does so
 * outside the request memory).
 */
public final class RequestFlow {
  /** How a transport sends one answer. */
  @FunctionalInterface
  public interface Replies {
    /**
     * Sends {@code answer} (an {@link io.paretopipe.harness.protocol.InferenceResult} or an {@link
     * ErrorReport} about one request) and then calls {@code request.written()} once its bytes are
     * out, or {@code request.dropped()} if the connection is gone. Called once per request, from
     * any thread; must not block on a slow peer longer than the transport's own writes do.
     */
    void send(Message answer, HeldRequest request);
  }

  /**
   * Requests after the last sign that the head pipelines during which every request is dispatched
   * as queuing (see {@link #submit(InferenceRequest, HeldRequest, boolean)}).
   */
  public static final int PIPELINING_HEAD_WINDOW = 16;

  private final Admission admission;
  private final StageSession session;
  private final Replies replies;
  private final DispatchStrategy strategy;
  private final boolean sessionReleasesRequests;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Set<HeldRequest> held = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean drained = new AtomicBoolean();
  private final ProgressDeadline deadline;
  private volatile Runnable whenDrained;

  /** Requests submitted so far; the reading thread's only. */
  private long arrivals;

  /** The last arrival still dispatched as queuing; the reading thread's only. */
  private long queuingUntil = -1;

  /**
   * A flow without a deadline after the handshake.
   *
   * @param session the session the requests go to; not owned (the transport closes it)
   * @param replies how answers go back
   */
  public RequestFlow(
      Admission admission, StageSession session, Replies replies, DispatchStrategy strategy) {
    this(admission, session, replies, strategy, null, 0, null);
  }

  /**
   * A flow whose connection must make progress ({@link ProgressDeadline}): {@code expiry} runs
   * once, on {@code lifecycle}'s timer, when it has not for {@code idleTimeoutMillis}; it must end
   * the connection without blocking (which then calls {@link #close}).
   *
   * @param session the session the requests go to; not owned (the transport closes it)
   * @param replies how answers go back; it must call {@link HeldRequest#written()} only once an
   *     answer has left for the head (or is about to), else a stalled head is never noticed
   */
  public RequestFlow(
      Admission admission,
      StageSession session,
      Replies replies,
      DispatchStrategy strategy,
      ServerLifecycle lifecycle,
      long idleTimeoutMillis,
      ProgressDeadline.Expiry expiry) {
    this.admission = Objects.requireNonNull(admission, "admission");
    this.session = Objects.requireNonNull(session, "session");
    this.replies = Objects.requireNonNull(replies, "replies");
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    boolean releases;
    try {
      releases = session.releasesRequestTensorOnCompletion();
    } catch (RuntimeException e) {
      releases = false;
    }
    this.sessionReleasesRequests = releases;
    this.deadline =
        lifecycle == null
            ? null
            : new ProgressDeadline(lifecycle, idleTimeoutMillis, inFlight::get, expiry);
  }

  /** Hands {@code answer} to the transport, following it for the deadline. */
  private void send(Message answer, HeldRequest request) {
    if (deadline != null) {
      deadline.answerPending();
      request.whenDone(deadline::answerDone);
    }
    replies.send(answer, request);
  }

  private void arrived() {
    if (deadline != null) {
      deadline.arrived();
    }
  }

  /** Answers handed to the transport and not yet written (0 without a deadline). */
  public int unwritten() {
    return deadline == null ? 0 : deadline.unwritten();
  }

  /**
   * Admits {@code request} (whose memory {@code memory} holds) and starts it, or refuses it with a
   * request-level {@code BUSY} if the connection has {@link Admission#maxInFlight()} unanswered.
   * Exactly one answer follows either way.
   */
  public void submit(InferenceRequest request, HeldRequest memory) {
    submit(request, memory, false);
  }

  /**
   * As {@link #submit(InferenceRequest, HeldRequest)}; {@code inputWaiting}: the transport saw more
   * input already waiting when it read this request (requests queue), see {@link
   * DispatchStrategy#dispatch}.
   *
   * <p>The dispatch is told that requests queue not only when the transport sees input waiting but
   * for the next {@value #PIPELINING_HEAD_WINDOW} requests after any sign that the head pipelines:
   * input waiting, or a request arriving while another of this connection is still unanswered. A
   * head with several requests outstanding sends the next one while the stage computes; if the
   * reading thread computed it inline (stage idle for an instant between two requests), that next
   * request would wait unread in the socket until the forward ends. A head with one request
   * outstanding (the latency path) never shows either sign: it sends only once it has the answer.
   */
  public void submit(InferenceRequest request, HeldRequest memory, boolean inputWaiting) {
    long requestId = request.requestId();
    arrived();
    long arrival = ++arrivals;
    if (inputWaiting || inFlight.get() > 0) {
      queuingUntil = arrival + PIPELINING_HEAD_WINDOW;
    }
    boolean queuing = arrival <= queuingUntil;
    if (inFlight.get() >= admission.maxInFlight()) {
      memory.discard();
      send(admission.inFlightRefusal(requestId), HeldRequest.empty());
      return;
    }
    inFlight.incrementAndGet();
    memory.recyclable(sessionReleasesRequests);
    held.add(memory);
    if (closed.get()) {
      memory.dropped();
    }
    Outcomes.dispatch(
        strategy,
        session,
        request,
        queuing,
        answer -> {
          held.remove(memory);
          send(answer, memory);
          if (inFlight.decrementAndGet() == 0) {
            runIfDrained();
          }
        });
  }

  /**
   * Answers a request that was refused before it could be submitted (e.g. its tensor did not fit
   * the request memory and was never allocated).
   */
  public void refuse(long requestId, ErrorCode code, String message) {
    arrived();
    send(new ErrorReport(requestId, code, message), HeldRequest.empty());
  }

  /**
   * No more requests will come: {@code whenDrained} runs once every admitted request is answered
   * (at once if none is open), on the thread that sends the last answer. Called at most once.
   */
  public void endOfInput(Runnable whenDrained) {
    this.whenDrained = Objects.requireNonNull(whenDrained, "whenDrained");
    if (inFlight.get() == 0) {
      runIfDrained();
    }
  }

  private void runIfDrained() {
    Runnable r = whenDrained;
    if (r != null && inFlight.get() == 0 && drained.compareAndSet(false, true)) {
      r.run();
    }
  }

  /** Requests admitted and not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * The connection has ended: the reservations of the requests still held are given back. Later
   * answers are still handed to {@link Replies}, which drops them. Idempotent; any thread.
   */
  public void close() {
    if (closed.compareAndSet(false, true)) {
      if (deadline != null) {
        deadline.cancel();
      }
      for (HeldRequest r : held) {
        r.dropped();
      }
    }
  }
}
