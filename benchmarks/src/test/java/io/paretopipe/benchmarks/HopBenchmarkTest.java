package io.paretopipe.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link HopBenchmark}'s state for real, without JMH: each transport brings up its tail process,
 * one op moves exactly {@code bytes} to it and gets the tail's answer about them, and tear-down
 * ends the tail.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HopBenchmarkTest {

  @ParameterizedTest
  @CsvSource({
    "floor-cold, 65536",
    "floor-fresh, 65536",
    "floor-hot, 4096",
    "nio, 65536",
    "grpc, 401408",
  })
  void oneOpMovesExactlyBytesAndGetsTheTailsAnswer(String transport, int bytes) throws Exception {
    HopBenchmark b = new HopBenchmark();
    b.bytes = bytes;
    b.transport = transport;
    b.grpcTuning = "tuned";
    b.model = "mobilenetv2";
    b.units = 1;
    b.pin = false;
    b.warmupHops = 3;
    long tailPid;
    try {
      b.setUp();
      tailPid = b.tailPid();
      assertTrue(ProcessHandle.of(tailPid).map(ProcessHandle::isAlive).orElse(false));
      assertEquals(3, b.warmedUp(), "warm-up hops in setup");
      HopBenchmark.Answer warm = b.lastAnswer();
      assertEquals(bytes, warm.receivedBytes());
      assertEquals(HopTail.NO_FORWARD, warm.firstLong());
      assertEquals(0, warm.tailForwardNanos(), "a warm-up hop runs no forward");
      for (int op = 0; op < 2; op++) {
        b.roundTrip();
        HopBenchmark.Answer a = b.lastAnswer();
        assertEquals(bytes, a.receivedBytes(), "bytes the tail received");
        if (transport.equals("floor-fresh")) {
          // the head rewrote the payload after its forward: long at b is op + b
          assertEquals(op, a.firstLong());
          assertEquals(op + bytes - Long.BYTES, a.lastLong());
        } else {
          assertEquals(HopBenchmark.firstLong(bytes), a.firstLong());
          assertEquals(HopBenchmark.lastLong(bytes), a.lastLong());
        }
        if (transport.equals("floor-hot")) {
          assertEquals(0, a.tailForwardNanos(), "floor-hot runs no forward");
        } else {
          assertNotEquals(0, a.tailForwardNanos(), "the tail ran and timed its forward");
        }
      }
    } finally {
      b.tearDown();
    }
    assertFalse(
        ProcessHandle.of(tailPid).map(ProcessHandle::isAlive).orElse(false),
        "tear-down ended the tail process " + tailPid);
  }
}
