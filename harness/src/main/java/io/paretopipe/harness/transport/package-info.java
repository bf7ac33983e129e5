/**
 * How protocol messages travel between a head and its stages, as interfaces: the client side
 * ({@link io.paretopipe.harness.transport.Transport}, {@link
 * io.paretopipe.harness.transport.StageChannel}), the side a stage implements ({@link
 * io.paretopipe.harness.transport.StageService}, {@link
 * io.paretopipe.harness.transport.StageSession}), the kinds ({@link
 * io.paretopipe.harness.transport.TransportKind}) and what the channels share ({@link
 * io.paretopipe.harness.transport.ChannelLifecycle}, {@link
 * io.paretopipe.harness.transport.HostPort}). The implementations are the subpackages {@code nio}
 * (framed TCP with direct buffers and gathering writes, with its authentication frames), {@code
 * grpc} (grpc-java over Netty, with its authentication interceptors and TLS) and {@code local} (one
 * process, the floor); the stage servers of {@code nio} and {@code grpc} are built on the core in
 * {@code io.paretopipe.harness.server}.
 *
 * <p>This package knows nothing of models or engines; see {@code docs/TRANSPORT.md} for the design
 * and measured costs.
 */
package io.paretopipe.harness.transport;
