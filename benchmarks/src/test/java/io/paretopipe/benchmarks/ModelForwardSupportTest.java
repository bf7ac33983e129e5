package io.paretopipe.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ModelForwardSupportTest {

  @Test
  void medianIntervalOfFifteenIsTheFourthToTwelfthOrderStatistic() {
    double[] values = new double[15];
    for (int i = 0; i < values.length; i++) {
      values[i] = 15 - i;
    }
    // 1 - 2 P(Bin(15, 1/2) <= 3) = 0.965; with j = 4 it would be 0.882
    assertArrayEquals(new double[] {4, 12}, ModelForwardSupport.medianInterval(values));
    assertEquals(8, ModelForwardSupport.quantile(values, 0.5));
  }

  @Test
  void faultsByThreadNameTheThreadThatTouchedNewPages() throws Exception {
    assumeTrue(
        Files.isDirectory(Paths.get("/proc/self/task")),
        "needs Linux procfs (/proc/self/task) to count faults per thread");
    CountDownLatch touched = new CountDownLatch(1);
    CountDownLatch measured = new CountDownLatch(1);
    Map<String, Long> before = ModelForwardSupport.minorFaultsByThread();
    Thread toucher =
        new Thread(
            () -> {
              ByteBuffer pages = ByteBuffer.allocateDirect(8 << 20);
              for (int i = 0; i < pages.capacity(); i += 4096) {
                pages.put(i, (byte) 1);
              }
              touched.countDown();
              try {
                measured.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "pp-fault-probe");
    toucher.start();
    try {
      touched.await();
      Map<String, Long> after = ModelForwardSupport.minorFaultsByThread();
      String key =
          after.keySet().stream()
              .filter(k -> k.endsWith(" pp-fault-probe"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no thread pp-fault-probe in " + after));
      assertTrue(!before.containsKey(key), "a new thread is a new key: " + key);
      assertTrue(after.get(key) > 0, "the thread touched 8 MiB of new pages: " + after.get(key));
    } finally {
      measured.countDown();
      toucher.join();
    }
  }
}
