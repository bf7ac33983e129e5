package io.paretopipe.harness.transport.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.server.Admission;
import io.paretopipe.harness.server.HeldRequest;
import io.paretopipe.harness.server.RequestFlow;
import io.paretopipe.harness.server.Sessions;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.StageSession;
import io.paretopipe.harness.transport.grpc.proto.InferReply;
import io.paretopipe.harness.transport.grpc.proto.InferRequest;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One claimed session of a {@link GrpcStageServer} and its {@code Infer} stream: the grpc glue
 * around the session's {@link RequestFlow}.
 *
 * <p>Requests are handed to the flow in arrival order on the stream's (serialized) callback thread;
 * answers are written from whichever thread completes them, in completion order, serialized per
 * stream. Request-level errors travel in the stream as {@code StageError} messages and leave it
 * open; connection-level errors (a malformed tensor, a limit exceeded) end the stream with a grpc
 * status whose trailers carry the {@link ErrorCode} (see {@link GrpcMessages}).
 *
 * <p>The stream ends exactly once, whatever ends it (the head half-closes and every answer is
 * written, the head cancels or vanishes, a connection-level error, the server closes, the idle
 * deadline): the session is closed, the flow gives back the reservations of requests still
 * computing, the slot is freed.
 *
 * <p>Backpressure: grpc never blocks a write, it buffers. An answer counts as written (its request
 * memory released, progress for the {@link io.paretopipe.harness.server.ProgressDeadline}) only
 * once grpc's outbound buffer for the stream is below its ready threshold ({@code isReady}), and
 * while {@link StageServerOptions#maxInFlight()} answers wait for that, no further request is read.
 * So a head that stops reading its results makes the stage buffer at most {@code maxInFlight}
 * results, holds their request memory, and at the idle deadline its stream is reset ({@link
 * GrpcCallLimits}) and everything given back.
 */
final class GrpcStream implements StreamObserver<Received<InferRequest>> {
  private final GrpcStageServer server;
  private final Admission admission;
  private final StageServerOptions options;
  private final StageSession session;
  private final Admission.Slot slot;
  private final ServerCallStreamObserver<InferReply> out;
  private final RequestFlow flow;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final GrpcCallLimits.Resetter resetter;

  /** Guards {@code out} (grpc observers are not thread-safe), {@link #finished} and below. */
  private final Object writeLock = new Object();

  private boolean finished;

  /** Answers handed to grpc while it was not ready: written once it is. */
  private final java.util.ArrayDeque<HeldRequest> unflushed = new java.util.ArrayDeque<>();

  /** A request is to be read once grpc is ready again. */
  private boolean readWhenReady;

  GrpcStream(
      GrpcStageServer server,
      Admission admission,
      StageServerOptions options,
      StageSession session,
      Admission.Slot slot,
      ServerCallStreamObserver<InferReply> out,
      GrpcCallLimits.Resetter resetter) {
    this.server = server;
    this.resetter = resetter;
    this.admission = admission;
    this.options = options;
    this.session = session;
    this.slot = slot;
    this.out = out;
    this.flow =
        new RequestFlow(
            admission,
            session,
            this::answer,
            options.dispatch(),
            server.lifecycle(),
            options.idleTimeoutMillis(),
            this::noProgress);
  }

  /** Takes over the call's flow control and reads the first request; call within the handler. */
  void start() {
    out.disableAutoRequest();
    out.setOnReadyHandler(this::onReady);
    out.request(1);
  }

  /** Reads the next request now, or once grpc is ready again if too many answers wait for it. */
  private void readNext() {
    synchronized (writeLock) {
      if (finished) {
        return;
      }
      if (unflushed.size() >= options.maxInFlight()) {
        readWhenReady = true;
        return;
      }
    }
    out.request(1);
  }

  /** grpc's outbound buffer dropped below its threshold: what waited for it is written. */
  private void onReady() {
    java.util.List<HeldRequest> flushed;
    boolean read;
    synchronized (writeLock) {
      flushed = new java.util.ArrayList<>(unflushed);
      unflushed.clear();
      read = readWhenReady && !finished;
      readWhenReady = false;
    }
    for (HeldRequest r : flushed) {
      r.written();
    }
    if (read) {
      out.request(1);
    }
  }

  /**
   * The idle deadline expired (on the server's timer): the stream ends with {@code TIMEOUT}; a
   * stalled one, whose trailers would wait behind the results it does not read, is also reset.
   */
  private void noProgress(
      io.paretopipe.harness.server.ProgressDeadline.Kind kind,
      io.paretopipe.harness.protocol.ErrorReport report) {
    server.execute(
        () -> {
          fail(report.code(), report.message());
          if (kind == io.paretopipe.harness.server.ProgressDeadline.Kind.STALLED) {
            resetter.reset(report.message());
          }
        });
  }

  @Override
  public void onNext(Received<InferRequest> received) {
    try {
      take(received);
    } finally {
      readNext();
    }
  }

  private void take(Received<InferRequest> received) {
    if (received.malformed() != null) {
      fail(received.failureCode(), received.malformed());
      return;
    }
    if (received.refused() != null) {
      refuse(received.message(), received.refused());
      return;
    }
    InferenceRequest request;
    try {
      request = GrpcMessages.fromProto(received.message(), options.limits());
    } catch (ProtocolException e) {
      received.discard(admission.pool());
      fail(e.code(), String.valueOf(e.getMessage()));
      return;
    } catch (RuntimeException | OutOfMemoryError e) {
      received.discard(admission.pool());
      fail(
          e instanceof OutOfMemoryError ? ErrorCode.BUSY : ErrorCode.INTERNAL,
          "cannot read request: " + e);
      return;
    }
    flow.submit(request, admission.hold(received.reservation(), received.backing()));
  }

  /**
   * Answers a request refused by the request memory with a request-level {@code BUSY}, after
   * checking it like an accepted one (an invalid request ends the stream as usual).
   */
  private void refuse(InferRequest header, Received.Refusal refusal) {
    long requestId;
    try {
      requestId =
          GrpcMessages.checkRefused(
              header, refusal.rank(), refusal.tensorBytes(), options.limits());
    } catch (ProtocolException e) {
      fail(e.code(), String.valueOf(e.getMessage()));
      return;
    }
    flow.refuse(
        requestId,
        ErrorCode.BUSY,
        admission
            .requestMemory()
            .refusal(
                requestId, refusal.tensorBytes(), refusal.messageBytes(), refusal.freeBytes()));
  }

  /** Writes one answer into grpc's buffers, unless the stream is over. */
  private void answer(Message answer, HeldRequest request) {
    InferReply reply =
        answer instanceof InferenceResult result
            ? GrpcMessages.toProto(result)
            : errorReply((ErrorReport) answer);
    boolean written = false;
    java.util.List<HeldRequest> flushed = java.util.List.of();
    synchronized (writeLock) {
      if (!finished) {
        try {
          out.onNext(reply);
          if (out.isReady()) {
            written = true;
            if (!unflushed.isEmpty()) {
              flushed = new java.util.ArrayList<>(unflushed);
              unflushed.clear();
            }
          } else {
            unflushed.add(request); // written once grpc is ready again (onReady)
            return;
          }
        } catch (RuntimeException e) {
          // cancelled meanwhile: the cancel handler ends the stream
        }
      }
    }
    for (HeldRequest r : flushed) {
      r.written();
    }
    if (written) {
      request.written(); // serialized: its bytes are in grpc's buffers now, and they drain
    } else {
      request.dropped();
    }
  }

  private static InferReply errorReply(ErrorReport report) {
    return GrpcMessages.errorReply(report.requestId(), report.code(), report.message());
  }

  /** Ends the stream with a connection-level error and closes the session. */
  void fail(ErrorCode code, String message) {
    synchronized (writeLock) {
      if (!finished) {
        finished = true;
        try {
          out.onError(GrpcMessages.toStatus(code, message));
        } catch (RuntimeException ignored) {
          // already cancelled
        }
      }
    }
    end();
  }

  private void complete() {
    synchronized (writeLock) {
      if (!finished) {
        finished = true;
        try {
          out.onCompleted();
        } catch (RuntimeException ignored) {
          // already cancelled
        }
      }
    }
    end();
  }

  /** Closes the session once, frees the slot and the held request memory; stops writing. */
  void end() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    synchronized (writeLock) {
      if (!finished) {
        finished = true;
        if (server.isClosed()) {
          try {
            out.onError(GrpcMessages.toStatus(ErrorCode.CLOSED, "stage server is shutting down"));
          } catch (RuntimeException ignored) {
            // already cancelled
          }
        }
      }
    }
    java.util.List<HeldRequest> unwritten;
    synchronized (writeLock) {
      unwritten = new java.util.ArrayList<>(unflushed);
      unflushed.clear();
    }
    for (HeldRequest r : unwritten) {
      r.dropped();
    }
    server.ended(this);
    flow.close();
    Sessions.closeQuietly(session);
    slot.release();
  }

  @Override
  public void onError(Throwable t) {
    end(); // the head cancelled or vanished
  }

  @Override
  public void onCompleted() {
    flow.endOfInput(this::complete);
  }
}
