package io.paretopipe.harness.transport.grpc;

import io.paretopipe.harness.server.GrpcTuning;

/**
 * The transport contract over {@code grpc} with {@link GrpcTuning#TUNED} on both sides (fixed 16
 * MiB flow-control window, pooled direct allocator, 8 MiB write-buffer high water mark): tuning
 * changes speed, never what arrives.
 */
class GrpcTunedTransportContractTest extends GrpcTransportContractTest {
  @Override
  protected GrpcTuning tuning() {
    return GrpcTuning.TUNED;
  }
}
