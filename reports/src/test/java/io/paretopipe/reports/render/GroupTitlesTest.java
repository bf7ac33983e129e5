package io.paretopipe.reports.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paretopipe.reports.model.GroupKey;
import org.junit.jupiter.api.Test;

/** What a reader sees of a group's params. */
class GroupTitlesTest {

  @Test
  void aGrpcTuningFollowsTheTransportAndLeavesTheStagesAlone() {
    GroupKey tuned =
        new GroupKey("mobilenetv2", "grpc", "none", 8, "grpcTuning=tuned;headThreads=1");
    assertEquals(
        "mobilenetv2 over grpc (tuned), loopback, batch 8 - head: 1 thread",
        GroupTitles.title(tuned));
    assertEquals(
        "mobilenetv2 over grpc (tuned), batch 8 - head: 1 thread", GroupTitles.section(tuned));
    assertEquals(
        "mobilenetv2 over grpc, loopback, batch 8 - head: 1 thread",
        GroupTitles.title(new GroupKey("mobilenetv2", "grpc", "none", 8, "headThreads=1")));
  }
}
