package io.paretopipe.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The names of a sweep's shared servers. */
class SharedTailTest {

  @Test
  void aGrpcTuningOtherThanTheDefaultNamesItsOwnServer() {
    assertEquals("grpc", SharedTail.key("grpc", "default"));
    assertEquals("grpc@tuned", SharedTail.key("grpc", "tuned"));
    assertEquals("nio", SharedTail.key("nio", "tuned"), "nio ignores the grpc tuning");
    assertEquals("grpc", SharedTail.transportOf("grpc@tuned"));
    assertEquals("tuned", SharedTail.grpcTuningOf("grpc@tuned"));
    assertEquals("nio", SharedTail.transportOf("nio"));
    assertEquals("default", SharedTail.grpcTuningOf("grpc"));
    assertEquals(
        "grpc@tuned",
        PartitionConfig.defaults("mobilenetv2", "3", "grpc").withGrpcTuning("tuned").sharedKey());
  }
}
