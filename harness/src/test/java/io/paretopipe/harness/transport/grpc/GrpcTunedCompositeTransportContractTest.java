package io.paretopipe.harness.transport.grpc;

import io.paretopipe.harness.server.GrpcTuning;

/**
 * The transport contract over {@code grpc} with {@link GrpcTuning#TUNED_COMPOSITE}: {@code tuned}
 * plus the stage server's composite cumulator, which changes how received bytes are gathered, never
 * what arrives.
 */
class GrpcTunedCompositeTransportContractTest extends GrpcTransportContractTest {
  @Override
  protected GrpcTuning tuning() {
    return GrpcTuning.TUNED_COMPOSITE;
  }
}
