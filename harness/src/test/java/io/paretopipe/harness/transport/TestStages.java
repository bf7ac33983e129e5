package io.paretopipe.harness.transport;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.StageTiming;
import io.paretopipe.harness.protocol.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real {@link StageService}s for transport tests: an echo stage and a failing one. No engine
 * involved.
 */
public final class TestStages {
  /** The timing every echo result carries, so tests can check it travelled intact. */
  public static final StageTiming ECHO_TIMING = new StageTiming(1_234_567L, 89L);

  private TestStages() {}

  public static Handshake handshake(String model) {
    return new Handshake(
        model, 1000, new int[] {3, 224, 224}, 4, 9, 8, DType.FLOAT32, 42L, 1, "", List.of());
  }

  public static HandshakeReply replyFor(Handshake h) {
    return new HandshakeReply(
        h.model(),
        List.of("unit" + h.unitStart(), "unit" + (h.unitEnd() - 1)),
        new long[] {h.batch(), 128, 28, 28},
        new long[] {h.batch(), 1000},
        11_689_512L,
        ProcessHandle.current().pid(),
        "0-1",
        h.threads(),
        "echo");
  }

  /** A tensor of random bytes in a new direct native-order buffer. */
  public static Tensor randomTensor(DType dtype, long[] shape, long seed) {
    long bytes = Tensor.byteSize(dtype, shape);
    ByteBuffer data = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
    byte[] random = new byte[(int) bytes];
    new Random(seed).nextBytes(random);
    data.put(random).flip();
    return new Tensor(dtype, shape, data);
  }

  /**
   * A TCP connection to {@code server} from 127.0.0.{@code source} (Linux loopback accepts any
   * 127.x source address) that sends nothing; the caller closes it.
   */
  public static Socket silentConnection(InetSocketAddress server, int source, Duration timeout)
      throws IOException {
    Socket s = new Socket();
    try {
      s.bind(
          new InetSocketAddress(
              InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) source}), 0));
      s.connect(server, (int) timeout.toMillis());
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /**
   * What {@code socket} received until its peer closed it (end of stream or reset); still open
   * after {@code timeout}: {@link java.net.SocketTimeoutException}.
   */
  public static byte[] receivedUntilClosed(Socket socket, Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        received.write(buffer, 0, n);
      }
    } catch (SocketException reset) {
      // closed with a reset: closed all the same
    }
    return received.toByteArray();
  }

  /** A copy of a tensor's bytes. */
  public static byte[] bytes(Tensor t) {
    ByteBuffer b = t.data().duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /**
   * Answers every request with its own tensor and {@link #ECHO_TIMING}. With {@code group > 1} it
   * holds requests until {@code group} have arrived and then completes them from another thread in
   * the order group-2, group-3, ..., 0, group-1 (e.g. 6,5,4,3,2,1,0,7 for 8), so results leave out
   * of order.
   */
  public static final class EchoService implements StageService {
    public final List<EchoSession> sessions = new CopyOnWriteArrayList<>();
    private final int group;

    public EchoService(int group) {
      this.group = group;
    }

    @Override
    public StageSession open(Handshake handshake) {
      EchoSession s = new EchoSession(replyFor(handshake), group);
      sessions.add(s);
      return s;
    }
  }

  public static final class EchoSession implements StageSession {
    private final HandshakeReply reply;
    private final int group;
    private final List<InferenceRequest> held = new ArrayList<>();
    private final List<CompletableFuture<InferenceResult>> futures = new ArrayList<>();
    public final AtomicInteger closeCount = new AtomicInteger();
    public final CountDownLatch closed = new CountDownLatch(1);

    EchoSession(HandshakeReply reply, int group) {
      this.reply = reply;
      this.group = group;
    }

    @Override
    public HandshakeReply reply() {
      return reply;
    }

    @Override
    public synchronized CompletableFuture<InferenceResult> process(InferenceRequest request) {
      if (group <= 1) {
        return CompletableFuture.completedFuture(echo(request));
      }
      CompletableFuture<InferenceResult> f = new CompletableFuture<>();
      held.add(request);
      futures.add(f);
      if (held.size() == group) {
        List<InferenceRequest> requests = new ArrayList<>(held);
        List<CompletableFuture<InferenceResult>> pending = new ArrayList<>(futures);
        held.clear();
        futures.clear();
        Thread t =
            new Thread(
                () -> {
                  // newest-but-one down to oldest, then the newest: every future but the newest
                  // already has
                  // its callback when completed, so the completion order is deterministic
                  for (int i = requests.size() - 2; i >= 0; i--) {
                    pending.get(i).complete(echo(requests.get(i)));
                  }
                  int last = requests.size() - 1;
                  pending.get(last).complete(echo(requests.get(last)));
                },
                "echo-completer");
        t.setDaemon(true);
        t.start();
      }
      return f;
    }

    private static InferenceResult echo(InferenceRequest request) {
      return new InferenceResult(request.requestId(), request.tensor(), List.of(ECHO_TIMING));
    }

    /**
     * Echo keeps nothing after answering, so the nio server may reuse request memory (exercised by
     * every test).
     */
    @Override
    public boolean releasesRequestTensorOnCompletion() {
      return true;
    }

    @Override
    public void close() {
      closeCount.incrementAndGet();
      closed.countDown();
    }
  }

  /**
   * Refuses handshakes for model "unknown-model" with UNKNOWN_MODEL; otherwise answers requests
   * whose tensor is not rank 2 with SHAPE_MISMATCH, requests with id 13 with a plain runtime
   * failure (asynchronously), and echoes the rest.
   */
  public static final class PickyService implements StageService {
    @Override
    public StageSession open(Handshake handshake) throws StageException {
      if (handshake.model().equals("unknown-model")) {
        throw new StageException(
            ErrorCode.UNKNOWN_MODEL,
            "model unknown-model is not in the catalog: valid models are resnet18, mobilenetv2");
      }
      return StageSession.of(replyFor(handshake), PickyService::answer, false);
    }

    private static CompletableFuture<InferenceResult> answer(InferenceRequest request) {
      if (request.requestId() == 13) {
        return CompletableFuture.supplyAsync(
            () -> {
              throw new IllegalStateException("unlucky request");
            });
      }
      if (request.tensor().rank() != 2) {
        return CompletableFuture.failedFuture(
            new StageException(
                ErrorCode.SHAPE_MISMATCH,
                "tensor of rank "
                    + request.tensor().rank()
                    + " does not fit units [4, 9): expected rank 2",
                request.requestId()));
      }
      return CompletableFuture.completedFuture(
          new InferenceResult(request.requestId(), request.tensor(), List.of(ECHO_TIMING)));
    }
  }
}
