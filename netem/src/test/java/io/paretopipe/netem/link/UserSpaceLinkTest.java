package io.paretopipe.netem.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.format.NetworkCondition;
import io.paretopipe.netem.testsupport.SinkClient;
import io.paretopipe.netem.testsupport.SinkServer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UserSpaceLinkTest {

  private SinkServer server;
  private InetSocketAddress serverAddress;

  @BeforeEach
  void startServer() throws IOException {
    server = SinkServer.start(InetAddress.getLoopbackAddress());
    serverAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
  }

  @AfterEach
  void stopServer() throws IOException {
    server.close();
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] bytes = new byte[n];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  @Test
  void fourMebibytesAt50MbitTakeTwoThirdsOfASecond() throws IOException {
    try (UserSpaceLink link =
            UserSpaceLink.start(serverAddress, NetworkCondition.parse("rate:50mbit"));
        SinkClient client = new SinkClient(link.listenAddress())) {
      client.timedExchangeNanos(new byte[1]);
      long nanos = client.timedExchangeNanos(randomBytes(4 << 20, 1));
      double seconds = nanos / 1e9;
      double expected = 4.0 * 1048576 * 8 / 50e6;
      System.out.printf(
          "user-space link: 4 MiB at 50 Mbit/s took %.3f s (expected %.3f s)%n", seconds, expected);
      assertTrue(
          seconds > expected * 0.9 && seconds < expected * 1.1,
          "4 MiB at 50 Mbit/s took " + seconds + " s, expected " + expected + " s +-10%");
      assertEquals((4 << 20) + 1 + 16, link.bytesToTarget());
    }
  }

  @Test
  void fiftyMillisecondsOfDelayAddAHundredToARoundTrip() throws IOException {
    long direct = medianRoundTripNanos(serverAddress, 7);
    try (UserSpaceLink link =
        UserSpaceLink.start(serverAddress, NetworkCondition.ofDelayMillis(50))) {
      long delayed = medianRoundTripNanos(link.listenAddress(), 7);
      double addedMillis = (delayed - direct) / 1e6;
      System.out.printf(
          "user-space link: delay:50ms added %.2f ms to the round trip (direct %.3f ms)%n",
          addedMillis, direct / 1e6);
      assertTrue(
          addedMillis >= 90 && addedMillis <= 110,
          "50 ms each way added " + addedMillis + " ms to a round trip, expected 100 ms +-10%");
    }
  }

  private static long medianRoundTripNanos(InetSocketAddress address, int count)
      throws IOException {
    try (SinkClient client = new SinkClient(address)) {
      client.timedExchangeNanos(new byte[1]);
      long[] samples = new long[count];
      for (int i = 0; i < count; i++) {
        samples[i] = client.timedExchangeNanos(new byte[] {(byte) i});
      }
      Arrays.sort(samples);
      return samples[count / 2];
    }
  }

  @Test
  void jitterVariesTheDelayWithinItsBoundsWithoutReordering() throws IOException {
    NetworkCondition condition = NetworkCondition.parse("delay:20ms+jitter:10ms");
    try (UserSpaceLink link = UserSpaceLink.builder(serverAddress, condition).optSeed(7).start();
        SinkClient client = new SinkClient(link.listenAddress())) {
      long min = Long.MAX_VALUE;
      long max = 0;
      for (int i = 0; i < 12; i++) {
        long rtt = client.timedExchangeNanos(randomBytes(1000, i));
        min = Math.min(min, rtt);
        max = Math.max(max, rtt);
      }
      assertTrue(min >= 19_000_000L, "round trip " + min + " ns is below 2 x (20 - 10) ms");
      assertTrue(
          max <= 65_000_000L, "round trip " + max + " ns is above 2 x (20 + 10) ms + 5 ms slack");
      assertTrue(
          max - min >= 3_000_000L,
          "jitter of 10 ms should spread round trips, got " + min + ".." + max);
    }
  }

  @Test
  void concurrentConnectionsAreIndependentAndIntact() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (UserSpaceLink link =
        UserSpaceLink.start(serverAddress, NetworkCondition.parse("delay:5ms+rate:200mbit"))) {
      List<Future<Integer>> results = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        int seed = c;
        results.add(
            pool.submit(
                () -> {
                  try (SinkClient client = new SinkClient(link.listenAddress())) {
                    for (int i = 0; i < 5; i++) {
                      client.timedExchangeNanos(
                          randomBytes(100_000 + seed * 1000 + i, seed * 100L + i));
                    }
                  }
                  return seed;
                }));
      }
      for (Future<Integer> result : results) {
        result.get(20, TimeUnit.SECONDS);
      }
      assertEquals(4, link.acceptedConnections());
      assertEquals(0, link.failedConnections());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void stallHoldsDataUntilResume() throws IOException {
    try (UserSpaceLink link = UserSpaceLink.start(serverAddress, NetworkCondition.NONE);
        Socket socket = new Socket()) {
      socket.connect(link.listenAddress(), 5_000);
      socket.setSoTimeout(300);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      link.stall();
      assertTrue(link.isStalled());
      out.writeLong(3);
      out.write(new byte[] {1, 2, 3});
      out.flush();
      assertThrows(SocketTimeoutException.class, in::readLong, "a stalled link must not deliver");
      link.resume();
      socket.setSoTimeout(5_000);
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(new byte[] {1, 2, 3});
      assertEquals(crc.getValue(), in.readLong());
    }
  }

  @Test
  void closeEndsConnectionsAndTheThreadAndIsIdempotent() throws IOException {
    UserSpaceLink link = UserSpaceLink.start(serverAddress, NetworkCondition.ofDelayMillis(1));
    try (Socket socket = new Socket()) {
      socket.connect(link.listenAddress(), 5_000);
      socket.setSoTimeout(5_000);
      new DataOutputStream(socket.getOutputStream()).writeLong(0);
      InputStream in = socket.getInputStream();
      assertEquals(8, in.readNBytes(8).length);
      assertEquals(1, link.openConnections());
      link.close();
      link.close();
      assertFalse(link.isRunning());
      assertTrue(readsEndOfStreamOrReset(in), "the client should see the connection end");
      assertThrows(IOException.class, () -> new Socket().connect(link.listenAddress(), 1_000));
    }
    assertTrue(
        Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().startsWith("paretopipe-link-") && t.isAlive()),
        "no link thread may outlive close()");
  }

  private static boolean readsEndOfStreamOrReset(InputStream in) {
    try {
      return in.read() < 0;
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  void anUnreachableTargetClosesTheClient() throws IOException {
    int freePort;
    try (java.net.ServerSocket probe =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      freePort = probe.getLocalPort();
    }
    try (UserSpaceLink link =
            UserSpaceLink.start(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort),
                NetworkCondition.NONE);
        Socket socket = new Socket()) {
      socket.connect(link.listenAddress(), 5_000);
      socket.setSoTimeout(5_000);
      assertTrue(readsEndOfStreamOrReset(socket.getInputStream()));
      assertEquals(1, link.failedConnections());
    }
  }

  @Test
  void lossIsRejectedWithAClearMessage() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> UserSpaceLink.start(serverAddress, NetworkCondition.parse("delay:10ms+loss:1%")));
    assertTrue(
        e.getMessage()
            .contains("'delay:10ms+loss:1%': loss cannot be emulated by the user-space link"),
        e.getMessage());
    assertTrue(e.getMessage().contains("tc netem"), e.getMessage());
  }
}
