/**
 * Who may use a stage: the shared secret ({@link io.paretopipe.harness.auth.SharedSecret}, from
 * {@code --secret-file}, {@code PARETOPIPE_SECRET_FILE} or {@code PARETOPIPE_SECRET}), the
 * HMAC-SHA256 challenge-response built on it ({@link io.paretopipe.harness.auth.Authenticator},
 * {@link io.paretopipe.harness.auth.ClientProof}) with its contexts ({@link
 * io.paretopipe.harness.auth.Binding}), the same exchange as grpc interceptors and a challenge
 * service ({@link io.paretopipe.harness.auth.GrpcAuth}), and the rule that a stage without a
 * secret listens on loopback only unless told {@code --insecure} ({@link
 * io.paretopipe.harness.auth.BindPolicy}).
 *
 * <p>A library: nothing here opens a socket or reads a frame. The frame protocol's transport
 * carries the challenge and the proofs in its own frames; {@code docs/SECURITY.md} describes the
 * threat model and the intended wiring.
 */
package io.paretopipe.harness.auth;
