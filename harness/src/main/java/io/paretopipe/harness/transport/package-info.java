/**
 * How protocol messages travel between a head and its stages: the client side ({@link
 * io.paretopipe.harness.transport.Transport}, {@link
 * io.paretopipe.harness.transport.StageChannel}), the server side a stage implements ({@link
 * io.paretopipe.harness.transport.StageService}, {@link
 * io.paretopipe.harness.transport.StageSession}), and the implementations: {@code nio} ({@link
 * io.paretopipe.harness.transport.nio.NioTransport}, {@link
 * io.paretopipe.harness.transport.nio.NioStageServer}) over TCP with direct buffers and gathering
 * writes, {@code local} ({@link io.paretopipe.harness.transport.local.LocalTransport}) within one
 * process, the floor, and {@code grpc} in the subpackage {@code
 * io.paretopipe.harness.transport.grpc}.
 *
 * <p>This package knows nothing of models or engines; see {@code docs/TRANSPORT.md} for the design
 * and measured costs.
 */
package io.paretopipe.harness.transport;
