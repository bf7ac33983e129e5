package io.paretopipe.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link GrpcChunkBenchmark}'s raw grpc echo for real, without JMH: every op echoes the tensor byte
 * for byte whatever the chunk size, and bad params fail at setup with the valid values.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GrpcChunkBenchmarkTest {
  private static final int BYTES = 1 << 20;

  @ParameterizedTest
  @ValueSource(strings = {"whole", "chunk-256k", "chunk-64k"})
  void everyRoundTripEchoesTheTensorByteForByte(String variant) throws Exception {
    GrpcChunkBenchmark b = benchmark(variant, BYTES);
    b.setUp();
    try {
      ByteBuffer received = b.received();
      for (int op = 0; op < 3; op++) {
        for (int i = 0; i < BYTES; i++) {
          received.put(i, (byte) 0); // what the previous op left cannot pass for this op's echo
        }
        Object back = b.roundTrip();
        assertSame(received, back, "the op returns the buffer the echo was copied to");
        b.checkEcho();
        assertEquals(BYTES, received.capacity());
      }
    } finally {
      b.tearDown();
    }
  }

  @Test
  void anEchoThatDiffersFailsTheCheckNamingTheVariantAndTheOffset() throws Exception {
    GrpcChunkBenchmark b = benchmark("chunk-64k", BYTES);
    b.setUp();
    try {
      b.checkEcho();
      int at = 3 * (64 << 10) + 5;
      ByteBuffer received = b.received();
      received.put(at, (byte) (received.get(at) + 1));
      IllegalStateException e = assertThrows(IllegalStateException.class, b::checkEcho);
      assertTrue(e.getMessage().contains("chunk-64k"), e.getMessage());
      assertTrue(e.getMessage().contains("offset " + at), e.getMessage());
    } finally {
      b.tearDown();
    }
  }

  @Test
  void anUnknownVariantIsRefusedWithTheValidValues() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> benchmark("chunk-2m", BYTES).setUp());
    assertTrue(
        e.getMessage()
            .contains(
                "valid values are nio, grpc-tuned, whole, chunk-4m, chunk-1m, chunk-256k,"
                    + " chunk-64k"),
        e.getMessage());
  }

  @Test
  void bytesNotAMultipleOfTheChunkSizeAreRefusedWithBothSizes() {
    int bytes = BYTES + 4096;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> benchmark("chunk-64k", bytes).setUp());
    assertTrue(e.getMessage().contains("bytes " + bytes), e.getMessage());
    assertTrue(e.getMessage().contains("chunk size of 65536 bytes"), e.getMessage());
  }

  private static GrpcChunkBenchmark benchmark(String variant, int bytes) {
    GrpcChunkBenchmark b = new GrpcChunkBenchmark();
    b.variant = variant;
    b.bytes = bytes;
    return b;
  }
}
