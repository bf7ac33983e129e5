/**
 * The ParetoPipe stage wire protocol: the messages a head exchanges with a stage ({@link
 * io.paretopipe.harness.protocol.Handshake}, {@link io.paretopipe.harness.protocol.HandshakeReply},
 * {@link io.paretopipe.harness.protocol.InferenceRequest}, {@link
 * io.paretopipe.harness.protocol.InferenceResult}, {@link
 * io.paretopipe.harness.protocol.ErrorReport}), the tensor they carry, the typed errors, the {@link
 * io.paretopipe.harness.protocol.Limits} every length read from the wire is checked against before
 * anything is allocated, and the binary frame codec ({@link
 * io.paretopipe.harness.transport.nio.FrameReader}, {@link
 * io.paretopipe.harness.transport.nio.FrameWriter}, {@link
 * io.paretopipe.harness.transport.nio.FrameCodec}).
 *
 * <p>The format is specified in {@code docs/PROTOCOL.md}. There is no Java serialization and no
 * generic object decoding: every frame type has one fixed layout, decoded field by field.
 *
 * <p>Nothing here opens a socket; the transports in {@code io.paretopipe.harness.transport} do.
 */
package io.paretopipe.harness.protocol;
