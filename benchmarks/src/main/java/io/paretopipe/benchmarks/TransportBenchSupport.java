package io.paretopipe.benchmarks;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageTiming;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.StageSession;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The pieces {@link TransportBenchmark} measures against: a raw echo server, an echo stage, thread
 * pinning.
 */
final class TransportBenchSupport {
  private TransportBenchSupport() {}

  /** The handshake of a one-stage "echo" pipeline taking a UINT8 tensor of {@code bytes}. */
  static Handshake echoHandshake(int bytes) {
    return new Handshake("echo", 1, new int[] {bytes}, 0, 0, 1, DType.UINT8, 0, 1, "", List.of());
  }

  /** What the stage of {@link #echoHandshake} answers: {@code bytes} in, {@code bytes} out. */
  static HandshakeReply echoReply(int bytes) {
    return reply(bytes, bytes);
  }

  /** The reply of a stage taking {@code inBytes} and answering {@code outBytes} (UINT8). */
  static HandshakeReply reply(int inBytes, int outBytes) {
    return new HandshakeReply(
        "echo",
        List.of(),
        new long[] {inBytes},
        new long[] {outBytes},
        0,
        ProcessHandle.current().pid(),
        "",
        1,
        "none");
  }

  /**
   * A stage that returns each request's tensor unchanged: transport cost only. It lets the server
   * reuse request memory once the answer is written, as a real stage that is done with its input
   * would. Thread-safe.
   */
  static final class EchoStage implements StageService {
    private final HandshakeReply reply;

    EchoStage(HandshakeReply reply) {
      this.reply = reply;
    }

    @Override
    public StageSession open(Handshake handshake) {
      return StageSession.of(
          reply,
          request ->
              CompletableFuture.completedFuture(
                  new InferenceResult(
                      request.requestId(), request.tensor(), List.of(new StageTiming(0, 0)))),
          true);
    }
  }

  /**
   * The floor: a plain blocking {@link SocketChannel} echo with no framing. One server thread reads
   * exactly {@code messageBytes} into a direct buffer and writes them back, for one client.
   */
  static final class RawEchoServer implements AutoCloseable {
    static final String THREAD_NAME = "paretopipe-echo-server";

    private final ServerSocketChannel server;
    private final Thread thread;
    private final int messageBytes;
    private volatile SocketChannel client;

    RawEchoServer(int messageBytes) throws IOException {
      this.messageBytes = messageBytes;
      this.server = ServerSocketChannel.open();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      this.thread = new Thread(this::serve, THREAD_NAME);
      thread.setDaemon(true);
      thread.start();
    }

    InetSocketAddress address() throws IOException {
      return (InetSocketAddress) server.getLocalAddress();
    }

    private void serve() {
      try (SocketChannel c = server.accept()) {
        client = c;
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ByteBuffer buf = ByteBuffer.allocateDirect(messageBytes).order(ByteOrder.nativeOrder());
        while (true) {
          buf.clear();
          while (buf.hasRemaining()) {
            if (c.read(buf) < 0) {
              return;
            }
          }
          buf.flip();
          while (buf.hasRemaining()) {
            c.write(buf);
          }
        }
      } catch (IOException e) {
        // closed
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      SocketChannel c = client;
      if (c != null) {
        c.close();
      }
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The Linux thread id of the calling thread, or -1 where /proc/thread-self does not exist. */
  static long currentTid() {
    try {
      Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
      return Long.parseLong(self.getFileName().toString());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Linux thread ids of this process whose name starts with {@code prefix} (names are cut at 15
   * chars).
   */
  static List<Long> tidsNamed(String prefix) throws IOException {
    String cut = prefix.length() > 15 ? prefix.substring(0, 15) : prefix;
    List<Long> tids = new ArrayList<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          if (Files.readString(task.resolve("comm")).trim().startsWith(cut)) {
            tids.add(Long.parseLong(task.getFileName().toString()));
          }
        } catch (IOException ignored) {
          // the thread ended meanwhile
        }
      }
    }
    return tids;
  }

  /**
   * Restricts thread {@code tid} to CPU {@code cpu} with taskset; a no-op returning false where
   * that fails.
   */
  static boolean pin(long tid, int cpu) {
    if (tid < 0) {
      return false;
    }
    try {
      Process p =
          new ProcessBuilder("taskset", "-pc", Integer.toString(cpu), Long.toString(tid))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
