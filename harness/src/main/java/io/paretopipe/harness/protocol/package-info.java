/**
 * The ParetoPipe stage protocol's messages, transport-neutral: what a head exchanges with a stage
 * ({@link io.paretopipe.harness.protocol.Handshake}, {@link
 * io.paretopipe.harness.protocol.HandshakeReply}, {@link
 * io.paretopipe.harness.protocol.InferenceRequest}, {@link
 * io.paretopipe.harness.protocol.InferenceResult}, {@link
 * io.paretopipe.harness.protocol.ErrorReport}), the tensor they carry, the typed errors, and the
 * {@link io.paretopipe.harness.protocol.Limits} every length read from the wire is checked against
 * before anything is allocated.
 *
 * <p>How the messages are encoded is each transport's: the binary frames of {@code transport.nio}
 * (specified in {@code docs/PROTOCOL.md}), the protobuf messages of {@code transport.grpc}. There
 * is no Java serialization and no generic object decoding anywhere.
 */
package io.paretopipe.harness.protocol;
