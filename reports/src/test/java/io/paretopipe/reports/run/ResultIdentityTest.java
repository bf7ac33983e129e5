package io.paretopipe.reports.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which params identify a measurement. */
class ResultIdentityTest {

  @Test
  void grpcTuningIdentifiesATunedGrpcPointOnly() {
    assertEquals(
        Map.of("transport", "grpc", "split", "3", "grpcTuning", "tuned"),
        ResultIdentity.params(
            Map.of("transport", "grpc", "split", "3", "grpcTuning", "tuned", "tail", "shared")));
    assertEquals(
        Map.of("transport", "grpc", "split", "3"),
        ResultIdentity.params(Map.of("transport", "grpc", "split", "3", "grpcTuning", "default")),
        "at the default a grpc point is the one measured before the param existed");
    assertEquals(
        Map.of("transport", "nio", "split", "3"),
        ResultIdentity.params(Map.of("transport", "nio", "split", "3", "grpcTuning", "tuned")),
        "nio ignores the param");
  }

  @Test
  void hlogsOfATunedGrpcPointMatchItsResultsAndNoDefaultOnes() {
    Map<String, String> tuned = Map.of("transport", "grpc", "split", "3", "grpcTuning", "tuned");
    Map<String, String> before = Map.of("transport", "grpc", "split", "3");
    assertEquals(
        ResultIdentity.hlogKey("PartitionBenchmark.latency", before),
        ResultIdentity.hlogKey(
            "PartitionBenchmark.latency",
            Map.of("transport", "grpc", "split", "3", "grpcTuning", "default")));
    assertEquals(
        "PartitionBenchmark.latency {grpcTuning=tuned, split=3, transport=grpc}",
        ResultIdentity.hlogKey("PartitionBenchmark.latency", tuned));
  }
}
