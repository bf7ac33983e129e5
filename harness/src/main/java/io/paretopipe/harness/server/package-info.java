/**
 * The stage-server core, shared by the {@code nio} and {@code grpc} servers: the {@link
 * io.paretopipe.harness.server.StageServer} contract and its {@link
 * io.paretopipe.harness.server.StageServerOptions} (one name per option), {@link
 * io.paretopipe.harness.server.Admission} (slots for heads, in-flight requests per connection, the
 * stage-wide request memory and its buffer pool), dispatch (a {@link
 * io.paretopipe.harness.server.RequestFlow} per connection gives every request exactly one answer
 * through {@link io.paretopipe.harness.server.Outcomes}; the {@link
 * io.paretopipe.harness.server.DispatchStrategy} is the seam for a second path), session opening
 * ({@link io.paretopipe.harness.server.Sessions}) and lifecycle ({@link
 * io.paretopipe.harness.server.ServerLifecycle}: closed once, deadlines on one timer).
 *
 * <p>Each limit is written once, here; the transports ({@code transport.nio}, {@code
 * transport.grpc}) only read bytes or messages, decide what is a connection, and write answers.
 */
package io.paretopipe.harness.server;
