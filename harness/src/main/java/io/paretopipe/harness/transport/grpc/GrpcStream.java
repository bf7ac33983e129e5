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
 * written, the head cancels or vanishes, a connection-level error, the server closes): the session
 * is closed, the flow gives back the reservations of requests still computing, the slot is freed.
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

  /** Guards {@code out} (grpc observers are not thread-safe) and {@link #finished}. */
  private final Object writeLock = new Object();

  private boolean finished;

  GrpcStream(
      GrpcStageServer server,
      Admission admission,
      StageServerOptions options,
      StageSession session,
      Admission.Slot slot,
      ServerCallStreamObserver<InferReply> out) {
    this.server = server;
    this.admission = admission;
    this.options = options;
    this.session = session;
    this.slot = slot;
    this.out = out;
    this.flow = new RequestFlow(admission, session, this::answer, options.dispatch());
  }

  @Override
  public void onNext(Received<InferRequest> received) {
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
    synchronized (writeLock) {
      if (!finished) {
        try {
          out.onNext(reply);
          written = true;
        } catch (RuntimeException e) {
          // cancelled meanwhile: the cancel handler ends the stream
        }
      }
    }
    if (written) {
      request.written(); // serialized: its bytes are in grpc's buffers now
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
