/**
 * Who may use a stage: the shared secret ({@link io.paretopipe.harness.auth.SharedSecret}, from
 * {@code --secret-file}, {@code PARETOPIPE_SECRET_FILE} or {@code PARETOPIPE_SECRET}), the
 * HMAC-SHA256 challenge-response built on it ({@link io.paretopipe.harness.auth.Authenticator},
 * {@link io.paretopipe.harness.auth.ClientProof}) with its contexts ({@link
 * io.paretopipe.harness.transport.nio.HandshakeBinding}), the same exchange as grpc interceptors
 * and a challenge service ({@link io.paretopipe.harness.transport.grpc.GrpcAuth}), and the rule
 * that a stage without a secret listens on loopback only unless told {@code --insecure} ({@link
 * io.paretopipe.harness.auth.BindPolicy}).
 *
 * <p>Nothing here opens a socket or reads a frame: the {@code nio} transport carries the challenge
 * and the proofs in its AUTH_* frames ({@code NioStageServer}, {@code NioStageChannel}), the {@code
 * grpc} transport installs the interceptors ({@code GrpcStageServer}, {@code GrpcStageChannel}),
 * and {@code driver.Credentials} is the head's side. {@code docs/SECURITY.md} describes the threat
 * model and the wiring.
 */
package io.paretopipe.harness.auth;
