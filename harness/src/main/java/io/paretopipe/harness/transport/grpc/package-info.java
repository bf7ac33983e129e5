/**
 * The {@code grpc} transport: the stage protocol carried by grpc-java over Netty, the high-level
 * RPC backend measured against the lean {@code nio} one. {@link
 * io.paretopipe.harness.transport.grpc.GrpcStageServer} serves any {@link
 * io.paretopipe.harness.transport.StageService} (the same stage code as {@code nio}, on the same
 * core: {@code io.paretopipe.harness.server}); {@link
 * io.paretopipe.harness.transport.grpc.GrpcTransport} and {@link
 * io.paretopipe.harness.transport.grpc.GrpcStageChannel} are the head's side of the {@link
 * io.paretopipe.harness.transport.StageChannel} contract.
 *
 * <p>The service is {@code src/main/proto/paretopipe_stage.proto}: a unary {@code Handshake} that
 * opens a session, then one bidirectional {@code Infer} stream per session that carries requests
 * one way and results or request-level errors the other, in completion order. Its messages and
 * stubs are generated at build time into {@code io.paretopipe.harness.transport.grpc.proto}. Tensor
 * payloads are sent from the tensor's own memory ({@code UnsafeByteOperations.unsafeWrap}) and
 * received into one pooled direct buffer per message that the tensor then aliases; {@code
 * docs/TRANSPORT.md} counts the copies that remain.
 *
 * <p>Request memory: the stage server shares one {@link io.paretopipe.harness.memory.MemoryBudget}
 * among all its sessions ({@link
 * io.paretopipe.harness.server.StageServerOptions#maxRequestBytes()}). The core decides what is
 * admitted and when a reservation ends; this package owns where a request's bytes are reserved
 * (before its message is copied out of grpc's buffers), how a request that does not fit is refused
 * without being copied (read for its id and tensor header only, then answered with a request-level
 * {@code BUSY}), and when its reservation is released (its answer written, its refusal, or its
 * stream's end).
 *
 * <p>Security, both optional and independent. A shared secret (an {@link
 * io.paretopipe.harness.auth.Authenticator} given to {@link
 * io.paretopipe.harness.server.StageServerOptions#authenticator()} and to the three-argument {@link
 * io.paretopipe.harness.transport.grpc.GrpcTransport} constructor) makes every call prove it, both
 * ways, with {@link io.paretopipe.harness.transport.grpc.GrpcAuth}'s interceptors. TLS ({@link
 * io.paretopipe.harness.transport.grpc.GrpcServerTls} on the stage, {@link
 * io.paretopipe.harness.transport.grpc.GrpcClientTls} on the head, PEM files checked when named)
 * encrypts the connection and lets the head check the stage's certificate. This package owns how
 * both are wired into grpc and how their failures reach the caller: a {@code StageException} with
 * {@code ErrorCode.UNAUTHENTICATED} for authentication, an {@code IOException} at connect naming
 * the stage and what is wrong with TLS.
 */
package io.paretopipe.harness.transport.grpc;
