package io.paretopipe.harness.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.StageTiming;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.transport.StageSession;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which thread computes a request under {@link RunToCompletion}, over a real echo session. */
class RunToCompletionTest {
  private final ExecutorService computeThread =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "test-compute"));

  @AfterEach
  void stop() {
    computeThread.shutdownNow();
  }

  /**
   * An echo session with a compute thread, run-to-completion capable: it records which thread
   * computed each request; {@link #hold} keeps the compute thread busy until released.
   */
  private final class EchoSession implements StageSession {
    final AtomicReference<String> computedBy = new AtomicReference<>();
    volatile CountDownLatch hold = new CountDownLatch(0);
    volatile boolean busy;
    volatile boolean finishing;

    @Override
    public HandshakeReply reply() {
      throw new UnsupportedOperationException("not handshaken in this test");
    }

    @Override
    public CompletableFuture<InferenceResult> process(InferenceRequest request) {
      busy = true;
      return CompletableFuture.supplyAsync(
          () -> {
            try {
              hold.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            busy = false;
            return echo(request);
          },
          computeThread);
    }

    @Override
    public boolean tryProcessInline(
        InferenceRequest request, CompletableFuture<InferenceResult> outcome) {
      if (busy || finishing) {
        return false;
      }
      outcome.complete(echo(request));
      return true;
    }

    @Override
    public boolean onlyFinishing() {
      return finishing;
    }

    private InferenceResult echo(InferenceRequest request) {
      computedBy.set(Thread.currentThread().getName());
      return new InferenceResult(
          request.requestId(), request.tensor(), List.of(new StageTiming(0, 0)));
    }

    @Override
    public void close() {}
  }

  private static InferenceRequest request(long id) {
    return new InferenceRequest(
        id, new Tensor(DType.UINT8, new long[] {4}, ByteBuffer.allocateDirect(4)));
  }

  private static Message answerOf(
      DispatchStrategy strategy, StageSession session, InferenceRequest request) throws Exception {
    CompletableFuture<Message> answer = new CompletableFuture<>();
    Outcomes.dispatch(strategy, session, request, answer::complete);
    return answer.get(10, TimeUnit.SECONDS);
  }

  @Test
  void anIdleSessionIsComputedAndAnsweredByTheReadingThread() throws Exception {
    EchoSession session = new EchoSession();
    Message answer = answerOf(DispatchStrategy.RUN_TO_COMPLETION, session, request(7));
    assertEquals(7, ((InferenceResult) answer).requestId());
    assertEquals(Thread.currentThread().getName(), session.computedBy.get());
  }

  @Test
  void aBusySessionGetsTheRequestOnItsComputeThread() throws Exception {
    EchoSession session = new EchoSession();
    session.hold = new CountDownLatch(1);
    CompletableFuture<Message> first = new CompletableFuture<>();
    Outcomes.dispatch(DispatchStrategy.PIPELINED, session, request(1), first::complete);
    CompletableFuture<Message> second = new CompletableFuture<>();
    Outcomes.dispatch(DispatchStrategy.RUN_TO_COMPLETION, session, request(2), second::complete);
    session.hold.countDown();
    assertEquals(1, ((InferenceResult) first.get(10, TimeUnit.SECONDS)).requestId());
    assertEquals(2, ((InferenceResult) second.get(10, TimeUnit.SECONDS)).requestId());
    assertEquals("test-compute", session.computedBy.get());
  }

  @Test
  void aSessionStillFinishingAfterTheWaitTakesThePipelinedPath() throws Exception {
    EchoSession session = new EchoSession();
    session.finishing = true;
    answerOf(DispatchStrategy.RUN_TO_COMPLETION, session, request(3));
    assertEquals("test-compute", session.computedBy.get());
  }

  @Test
  void aSessionThatFinishesDuringTheShortWaitIsComputedInline() throws Exception {
    EchoSession session = new EchoSession();
    session.finishing = true;
    Thread finisher =
        new Thread(
            () -> {
              try {
                Thread.sleep(0, 200_000);
              } catch (InterruptedException e) {
                return;
              }
              session.finishing = false;
            });
    finisher.start();
    answerOf(DispatchStrategy.RUN_TO_COMPLETION, session, request(4));
    finisher.join();
    String by = session.computedBy.get();
    // the finisher may be descheduled past the wait's bound on a loaded machine: then pipelined
    assertTrue(
        by.equals(Thread.currentThread().getName()) || by.equals("test-compute"),
        "computed by " + by);
  }

  @Test
  void requestsThatQueueInTheTransportGoToTheComputeThread() throws Exception {
    EchoSession session = new EchoSession();
    CompletableFuture<Message> answer = new CompletableFuture<>();
    Outcomes.dispatch(
        DispatchStrategy.RUN_TO_COMPLETION, session, request(8), true, answer::complete);
    assertEquals(8, ((InferenceResult) answer.get(10, TimeUnit.SECONDS)).requestId());
    assertEquals("test-compute", session.computedBy.get());
  }

  /** Submits {@code id} to {@code flow} and returns the name of the thread that computed it. */
  private static String computedBy(
      RequestFlow flow, EchoSession session, long id, boolean inputWaiting) {
    session.computedBy.set(null);
    flow.submit(request(id), HeldRequest.empty(), inputWaiting);
    return session.computedBy.get();
  }

  private static RequestFlow flowOf(EchoSession session, List<Message> answers) {
    return new RequestFlow(
        new Admission(StageServerOptions.defaults()),
        session,
        (answer, held) -> {
          answers.add(answer);
          held.written();
        },
        DispatchStrategy.RUN_TO_COMPLETION);
  }

  @Test
  void aHeadWithOneRequestOutstandingIsAlwaysServedInline() {
    EchoSession session = new EchoSession();
    List<Message> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
    RequestFlow flow = flowOf(session, answers);
    String me = Thread.currentThread().getName();
    for (long id = 0; id < 3 * RequestFlow.PIPELINING_HEAD_WINDOW; id++) {
      assertEquals(me, computedBy(flow, session, id, false), "request " + id);
    }
    assertEquals(3 * RequestFlow.PIPELINING_HEAD_WINDOW, answers.size());
  }

  @Test
  void aRequestArrivingWhileAnotherIsUnansweredKeepsTheNextOnesPipelined() throws Exception {
    EchoSession session = new EchoSession();
    List<Message> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
    RequestFlow flow = flowOf(session, answers);
    String me = Thread.currentThread().getName();
    assertEquals(me, computedBy(flow, session, 0, false));
    // request 1 finds the session busy (no input waiting, nothing unanswered: no sign of
    // pipelining yet), computes on the compute thread and stays unanswered while request 2 arrives
    session.hold = new CountDownLatch(1);
    session.busy = true;
    flow.submit(request(1), HeldRequest.empty(), false);
    flow.submit(request(2), HeldRequest.empty(), false);
    session.hold.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (flow.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertEquals(0, flow.inFlight());
    // the session is idle again, but the head pipelines: the window's requests stay pipelined
    int window = RequestFlow.PIPELINING_HEAD_WINDOW;
    for (long id = 3; id <= 2 + window; id++) {
      assertEquals("test-compute", answerThreadOf(flow, session, id), "request " + id);
    }
    assertEquals(me, computedBy(flow, session, 3 + window, false));
    assertEquals(4 + window, answers.size());
  }

  /** As {@link #computedBy}, waiting for a pipelined request's answer. */
  private static String answerThreadOf(RequestFlow flow, EchoSession session, long id)
      throws InterruptedException {
    session.computedBy.set(null);
    flow.submit(request(id), HeldRequest.empty(), false);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (flow.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    return session.computedBy.get();
  }

  @Test
  void pipelinedNeverComputesOnTheReadingThread() throws Exception {
    EchoSession session = new EchoSession();
    answerOf(DispatchStrategy.PIPELINED, session, request(5));
    assertEquals("test-compute", session.computedBy.get());
  }

  @Test
  void aSessionWithoutInlineSupportIsServedPipelined() throws Exception {
    StageSession plain =
        new StageSession() {
          @Override
          public HandshakeReply reply() {
            throw new UnsupportedOperationException();
          }

          @Override
          public CompletableFuture<InferenceResult> process(InferenceRequest request) {
            return CompletableFuture.completedFuture(
                new InferenceResult(request.requestId(), request.tensor(), List.of()));
          }

          @Override
          public void close() {}
        };
    assertFalse(plain.tryProcessInline(request(6), new CompletableFuture<>()));
    assertEquals(
        6,
        ((InferenceResult) answerOf(DispatchStrategy.RUN_TO_COMPLETION, plain, request(6)))
            .requestId());
  }

  @Test
  void strategiesAreNamedAsServeSpellsThem() {
    assertSame(DispatchStrategy.RUN_TO_COMPLETION, DispatchStrategy.named("run-to-completion"));
    assertSame(DispatchStrategy.PIPELINED, DispatchStrategy.named("PIPELINED"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DispatchStrategy.named("inline"));
    assertEquals(
        "dispatch \"inline\" is unknown: valid names are run-to-completion, pipelined",
        e.getMessage());
  }

  @Test
  void theShortWaitNeverSpinsWithoutASpareCpu() {
    assertEquals(0, ShortWait.spinsFor(1));
    assertEquals(0, ShortWait.spinsFor(2));
    assertEquals(ShortWait.MAX_SPINS, ShortWait.spinsFor(3));
    assertTrue(ShortWait.until(() -> true, 0));
    assertFalse(ShortWait.until(() -> false, 50_000));
    assertThrows(IllegalArgumentException.class, () -> ShortWait.until(() -> true, -1));
  }

  @Test
  void grpcTuningsAreNamedAsTheIssueSpellsThem() {
    assertSame(GrpcTuning.DEFAULT, GrpcTuning.parse("default"));
    assertSame(GrpcTuning.TUNED, GrpcTuning.parse("tuned"));
    assertSame(GrpcTuning.DIRECT_EXECUTOR, GrpcTuning.parse("direct-executor"));
    assertTrue(GrpcTuning.TUNED.fixedWindow() && GrpcTuning.TUNED.pooledAllocator());
    assertFalse(GrpcTuning.TUNED.directExecutor());
    assertSame(GrpcTuning.SOCKET_BUFFERS, GrpcTuning.parse("socket-buffers"));
    assertTrue(GrpcTuning.SOCKET_BUFFERS.socketBuffers() && !GrpcTuning.TUNED.socketBuffers());
    GrpcTuning write = GrpcTuning.parse("tuned-write-buffer");
    assertTrue(write.writeBuffer() && write.fixedWindow() && write.pooledAllocator());
    assertTrue(GrpcTuning.parse("recv-buffer").recvBuffer());
    assertFalse(GrpcTuning.RECV_BUFFER.pooledAllocator());
    assertTrue(GrpcTuning.TUNED.writeBuffer() && !GrpcTuning.TUNED.recvBuffer());
    GrpcTuning before = GrpcTuning.parse("window-allocator");
    assertTrue(before.fixedWindow() && before.pooledAllocator() && !before.writeBuffer());
    GrpcTuning composite = GrpcTuning.parse("tuned-composite");
    assertTrue(
        composite.compositeCumulator() && composite.writeBuffer() && composite.fixedWindow());
    assertTrue(GrpcTuning.parse("composite-cumulator").compositeCumulator());
    assertFalse(GrpcTuning.COMPOSITE_CUMULATOR.pooledAllocator() || composite.largeFrames());
    assertTrue(GrpcTuning.TUNED.compositeCumulator() && GrpcTuning.TUNED.largeFrames());
    GrpcTuning frames = GrpcTuning.parse("large-frames");
    assertTrue(frames.largeFrames() && !frames.compositeCumulator() && !frames.fixedWindow());
    assertFalse(write.compositeCumulator() || write.largeFrames());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GrpcTuning.parse("fast"));
    assertEquals(
        "grpc tuning \"fast\" is unknown: valid names are default, window, allocator,"
            + " direct-executor, tuned, socket-buffers, recv-buffer, write-buffer,"
            + " tuned-recv-buffer, tuned-write-buffer, window-allocator, composite-cumulator,"
            + " tuned-composite, large-frames",
        e.getMessage());
  }
}
