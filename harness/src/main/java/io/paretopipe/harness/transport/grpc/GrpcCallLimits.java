package io.paretopipe.harness.transport.grpc;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.transport.grpc.proto.StageGrpc;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Per-call limits of a {@link GrpcStageServer} that grpc-java does not offer per method: how many
 * message bytes a call of each small method may send, and a way to reset a stream the stage gave up
 * on.
 *
 * <p><b>Per-method message limits.</b> grpc-java has one max inbound message size per server, which
 * must fit the largest {@code Infer} tensor ({@code maxTensorBytes + maxMetaBytes}, 513 MiB by
 * default), and it reassembles each message whole before the application sees it. So without more,
 * a peer that has not authenticated could make the open {@code Challenge} method (or {@code
 * Handshake}) buffer 513 MiB per stream. grpc reports a stream's inbound bytes as its deframer
 * reads them ({@link ServerStreamTracer#inboundWireSize}, chunk by chunk, before the message is
 * whole); this tracer counts them per stream and resets the stream once a {@code Challenge} call
 * has sent more than {@value #CHALLENGE_MAX_BYTES} bytes or a {@code Handshake} call more than
 * twice {@code maxMetaBytes} (2 MiB by default; up to that a handshake over {@code maxMetaBytes}
 * still gets its typed {@code FRAME_TOO_LARGE} from {@link BoundedMarshaller}). What such a stream
 * costs is then the limit plus one HTTP/2 flow-control window. {@code Infer} is bounded by the
 * server's max inbound message size and the request memory ({@link PooledMarshaller}).
 *
 * <p><b>Reset.</b> A server call cannot reset its own stream through grpc's API: closing it queues
 * trailers behind the data a stalled head does not read. grpc-java does reset a stream whose
 * context is cancelled with a deadline ({@code ServerImpl}'s cancellation listener calls {@code
 * ServerStream.cancel}, RST_STREAM). So {@link #filterContext} gives every call a cancellable
 * context of its own, found in the call with {@link #resetter()}; cancelling it with a {@link
 * TimeoutException} resets the stream at once, and grpc then frees what it holds for it (the head
 * sees {@code CANCELLED}).
 *
 * <p>Thread-safe: one tracer per stream, called by grpc's transport and application threads.
 */
final class GrpcCallLimits extends ServerStreamTracer.Factory {
  /** The largest {@code Challenge} request accepted: it must be empty. */
  static final int CHALLENGE_MAX_BYTES = 1024;

  private static final Context.Key<Context.CancellableContext> RESET = Context.key("reset");

  private final Map<String, Long> maxBytesByMethod;

  GrpcCallLimits(Limits limits) {
    this.maxBytesByMethod =
        Map.of(
            GrpcAuth.CHALLENGE.getFullMethodName(),
            (long) CHALLENGE_MAX_BYTES,
            StageGrpc.getHandshakeMethod().getFullMethodName(),
            2L * limits.maxMetaBytes());
  }

  /** The largest message bytes a call of {@code fullMethodName} may send, or -1: no own limit. */
  long maxBytes(String fullMethodName) {
    return maxBytesByMethod.getOrDefault(fullMethodName, -1L);
  }

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    return new Tracer(fullMethodName, maxBytes(fullMethodName));
  }

  /**
   * Resets the current call's stream: call from a grpc callback of the call (or with its context).
   */
  static Resetter resetter() {
    Context.CancellableContext c = RESET.get();
    return c == null ? reason -> {} : reason -> c.cancel(new TimeoutException(reason));
  }

  /** Resets one call's stream; any thread, any number of times. */
  @FunctionalInterface
  interface Resetter {
    void reset(String reason);
  }

  private static final class Tracer extends ServerStreamTracer {
    private final String method;
    private final long maxBytes;
    private long inboundBytes;
    private volatile Context.CancellableContext context;

    Tracer(String method, long maxBytes) {
      this.method = method;
      this.maxBytes = maxBytes;
    }

    @Override
    public Context filterContext(Context context) {
      Context.CancellableContext c = context.withCancellation();
      this.context = c;
      return c.withValue(RESET, c);
    }

    @Override
    public synchronized void inboundWireSize(long bytes) {
      inboundBytes += bytes;
      Context.CancellableContext c = context;
      if (maxBytes >= 0 && inboundBytes > maxBytes && c != null) {
        c.cancel(
            new TimeoutException(
                method + " sent " + inboundBytes + " bytes, more than its " + maxBytes));
      }
    }
  }
}
