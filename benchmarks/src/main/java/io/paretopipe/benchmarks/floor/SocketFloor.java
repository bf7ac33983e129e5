package io.paretopipe.benchmarks.floor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Locale;

/**
 * The floor under any split's transport overhead on this machine: two processes, a plain blocking
 * {@link SocketChannel}, no framing, no threads besides main. The client sends {@code bytes} from a
 * direct buffer, the server reads them all, then (like a tail stage computing) sweeps a 64 MiB
 * array to evict the caches, and answers with 320 bytes carrying the nanoseconds it spent sweeping;
 * the client sweeps too before each send (like a head computing). What the client reports is the
 * round trip minus the server's sweep: the cost of moving the tensor and the answer with cold
 * caches, the way a real split moves them between two computations.
 *
 * <pre>
 * taskset -c 1 java -cp benchmarks.jar io.paretopipe.benchmarks.floor.SocketFloor server PORT BYTES [MODE] &amp;
 * taskset -c 0 java -cp benchmarks.jar io.paretopipe.benchmarks.floor.SocketFloor client PORT BYTES [ROUNDS [MODE]]
 * </pre>
 *
 * MODE (give both sides the same): {@code cold} (default) as above; {@code fresh}: as cold, but
 * after its sweep the client writes every byte it is about to send, as a forward writes the tensor
 * it produces, so the sent bytes start in the caches; {@code hot}: no sweeps, the same transfer
 * back to back with warm caches, a best case no split between two forwards gets. The client prints
 * {@code p10}, {@code p50} and {@code p90} in milliseconds over the rounds after the first 50. The
 * server serves one client and exits when it disconnects.
 */
public final class SocketFloor {

  private static final int ANSWER_BYTES = 320;
  private static final int WARMUP_ROUNDS = 50;
  private static final byte[] SWEEP = new byte[64 << 20];

  private SocketFloor() {}

  public static void main(String[] args) throws IOException {
    boolean server = args.length >= 3 && args[0].equals("server") && args.length <= 4;
    boolean client = args.length >= 3 && args[0].equals("client") && args.length <= 5;
    String mode = args.length > (server ? 3 : 4) ? args[server ? 3 : 4] : "cold";
    if (!(server || client)
        || !(mode.equals("cold") || mode.equals("fresh") || mode.equals("hot"))) {
      System.err.println(
          "usage: SocketFloor server PORT BYTES [cold|fresh|hot]"
              + " | client PORT BYTES [ROUNDS [cold|fresh|hot]]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[1]);
    int bytes = Integer.parseInt(args[2]);
    boolean cold = !mode.equals("hot");
    if (server) {
      server(port, bytes, cold);
    } else {
      int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 250;
      double[] ms = client(port, bytes, rounds, cold, mode.equals("fresh"));
      System.out.printf(
          Locale.ROOT,
          "bytes %d (%s): p10 %.3f ms, p50 %.3f ms, p90 %.3f ms over %d rounds%n",
          bytes,
          mode,
          ms[0],
          ms[1],
          ms[2],
          rounds - WARMUP_ROUNDS);
    }
  }

  /**
   * Touches every cache line of a 64 MiB array twice, evicting what the last transfer left in the
   * caches; does nothing when {@code cold} is false.
   */
  static long sweep(boolean cold) {
    long sum = 0;
    if (!cold) {
      return sum;
    }
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < SWEEP.length; i += 64) {
        SWEEP[i]++;
        sum += SWEEP[i];
      }
    }
    return sum;
  }

  private static void server(int port, int bytes, boolean cold) throws IOException {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress("127.0.0.1", port));
      try (SocketChannel s = listener.accept()) {
        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ByteBuffer in = ByteBuffer.allocateDirect(bytes);
        ByteBuffer out = ByteBuffer.allocateDirect(ANSWER_BYTES);
        while (true) {
          in.clear();
          while (in.hasRemaining()) {
            if (s.read(in) < 0) {
              return;
            }
          }
          long start = System.nanoTime();
          sweep(cold);
          out.clear();
          out.putLong(0, System.nanoTime() - start);
          while (out.hasRemaining()) {
            s.write(out);
          }
        }
      }
    }
  }

  private static double[] client(int port, int bytes, int rounds, boolean cold, boolean fresh)
      throws IOException {
    if (rounds <= WARMUP_ROUNDS) {
      throw new IllegalArgumentException(
          "rounds " + rounds + " (expected: > " + WARMUP_ROUNDS + ")");
    }
    long[] nanos = new long[rounds];
    try (SocketChannel s = SocketChannel.open()) {
      s.setOption(StandardSocketOptions.TCP_NODELAY, true);
      s.connect(new InetSocketAddress("127.0.0.1", port));
      ByteBuffer out = ByteBuffer.allocateDirect(bytes);
      ByteBuffer in = ByteBuffer.allocateDirect(ANSWER_BYTES);
      for (int i = 0; i < rounds; i++) {
        sweep(cold);
        if (fresh) {
          for (int b = 0; b + Long.BYTES <= bytes; b += Long.BYTES) {
            out.putLong(b, i + b);
          }
        }
        long start = System.nanoTime();
        out.clear();
        while (out.hasRemaining()) {
          s.write(out);
        }
        in.clear();
        while (in.hasRemaining()) {
          if (s.read(in) < 0) {
            throw new IOException("server closed the connection");
          }
        }
        nanos[i] = System.nanoTime() - start - in.getLong(0);
      }
    }
    long[] measured = Arrays.copyOfRange(nanos, WARMUP_ROUNDS, rounds);
    Arrays.sort(measured);
    return new double[] {
      measured[measured.length / 10] / 1e6,
      measured[measured.length / 2] / 1e6,
      measured[measured.length * 9 / 10] / 1e6
    };
  }
}
