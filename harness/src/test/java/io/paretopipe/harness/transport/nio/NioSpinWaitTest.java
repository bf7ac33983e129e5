package io.paretopipe.harness.transport.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.transport.StageChannelClosedException;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.StageSession;
import io.paretopipe.harness.transport.TestStages;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A receive that spins ends exactly as one that blocks: the same timeout, close and error. The
 * spinning channel uses a window of 60 s opening at the send, so every wait below is inside it; a
 * wait that overstays its deadline fails the test at 30 s instead of hanging it.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NioSpinWaitTest {
  private static final long S = 1_000_000_000L;
  private static final AnswerWait.SpinBounds LONG =
      new AnswerWait.SpinBounds(0, 60 * S, 60 * S, 60 * S, 60 * S);
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** Answers requests with ids below 100 at once and holds the others until completed here. */
  private static final class HoldingService implements StageService {
    final Map<Long, CompletableFuture<InferenceResult>> held = new ConcurrentHashMap<>();

    @Override
    public StageSession open(io.paretopipe.harness.protocol.Handshake handshake) {
      return StageSession.of(
          TestStages.replyFor(handshake),
          request -> {
            if (request.requestId() < 100) {
              return CompletableFuture.completedFuture(echo(request));
            }
            CompletableFuture<InferenceResult> f = new CompletableFuture<>();
            held.put(request.requestId(), f);
            return f;
          },
          false);
    }

    static InferenceResult echo(InferenceRequest request) {
      return new InferenceResult(
          request.requestId(), request.tensor(), List.of(TestStages.ECHO_TIMING));
    }
  }

  private final HoldingService service = new HoldingService();
  private NioStageServer server;
  private NioStageChannel channel;

  @AfterEach
  void closeAll() {
    if (channel != null) {
      channel.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private NioStageChannel ready(boolean spin) throws Exception {
    server = NioStageServer.start(service);
    channel =
        new NioTransport(Limits.DEFAULT, 0, null, spin ? LONG : null)
            .connect(server.address(), TIMEOUT);
    channel.handshake(TestStages.handshake("resnet18"), TIMEOUT);
    for (long id = 0; id < 3; id++) {
      channel.send(request(id));
      assertEquals(id, channel.receive(TIMEOUT).requestId());
    }
    return channel;
  }

  private static InferenceRequest request(long id) {
    return new InferenceRequest(id, TestStages.randomTensor(DType.FLOAT32, new long[] {2, 3}, id));
  }

  /**
   * Readies a channel, sends a held request (id 100) and receives it in the background; returns
   * once the stage holds it and, when spinning, the receive spins for it.
   *
   * @return what the receive threw (an AssertionError if it returned)
   */
  private CompletableFuture<Throwable> waitForTheHeldAnswer(boolean spin) throws Exception {
    ready(spin);
    long polls = spin ? channel.answerWait().spinPolls() : 0;
    channel.send(request(100));
    CompletableFuture<Throwable> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new AssertionError("answered: " + channel.receive(TIMEOUT).requestId());
              } catch (Throwable t) {
                return t;
              }
            });
    long until = System.nanoTime() + 10 * S;
    while (!service.held.containsKey(100L) || (spin && channel.answerWait().spinPolls() == polls)) {
      assertTrue(System.nanoTime() < until, "the stage never got it, or the receive never spun");
      Thread.sleep(1);
    }
    if (!spin) {
      Thread.sleep(100);
    }
    return waiting;
  }

  @ParameterizedTest(name = "spin {0}")
  @ValueSource(booleans = {true, false})
  void aTimeoutEndsTheWaitWithTheSameMessageAndLeavesTheChannelUsable(boolean spin)
      throws Exception {
    ready(spin);
    channel.send(request(100));
    TimeoutException e =
        assertThrows(TimeoutException.class, () -> channel.receive(Duration.ofMillis(300)));
    assertEquals("no answer from stage at " + server.address() + " within 300 ms", e.getMessage());
    if (spin) {
      assertTrue(channel.answerWait().spinPolls() > 0, "the timed-out receive never spun");
    }
    service.held.get(100L).complete(HoldingService.echo(request(100)));
    assertEquals(100, channel.receive(TIMEOUT).requestId());
  }

  @ParameterizedTest(name = "spin {0}")
  @ValueSource(booleans = {true, false})
  void aCloseDuringTheWaitEndsIt(boolean spin) throws Exception {
    CompletableFuture<Throwable> waiting = waitForTheHeldAnswer(spin);
    channel.close();
    Throwable t = waiting.get(10, TimeUnit.SECONDS);
    assertInstanceOf(StageChannelClosedException.class, t);
  }

  @ParameterizedTest(name = "spin {0}")
  @ValueSource(booleans = {true, false})
  void anErrorAnswerDuringTheWaitIsThrownWithItsCodeMessageAndId(boolean spin) throws Exception {
    CompletableFuture<Throwable> waiting = waitForTheHeldAnswer(spin);
    service
        .held
        .get(100L)
        .completeExceptionally(
            new StageException(ErrorCode.SHAPE_MISMATCH, "held request refused", 100));
    StageException e = assertInstanceOf(StageException.class, waiting.get(10, TimeUnit.SECONDS));
    assertEquals(ErrorCode.SHAPE_MISMATCH, e.code());
    assertEquals("held request refused", e.getMessage());
    assertEquals(100, e.requestId());
    channel.send(request(5));
    assertEquals(5, channel.receive(TIMEOUT).requestId());
  }

  @Test
  void aStageThatGoesAwayDuringTheWaitFailsTheReceiveAsWithoutSpinning() throws Exception {
    String[] failures = new String[2];
    for (int i = 0; i < 2; i++) {
      boolean spin = i == 0;
      CompletableFuture<Throwable> waiting = waitForTheHeldAnswer(spin);
      String address = server.address();
      server.close();
      Throwable t = waiting.get(10, TimeUnit.SECONDS);
      assertInstanceOf(IOException.class, t);
      failures[i] = t.getClass().getName() + ": " + t.getMessage().replace(address, "ADDR");
      closeAll();
      channel = null;
      server = null;
    }
    assertEquals(failures[1], failures[0]);
  }
}
