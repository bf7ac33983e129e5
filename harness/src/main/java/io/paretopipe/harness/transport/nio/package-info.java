/**
 * The {@code nio} transport, the lean backend: the binary framing of {@code docs/PROTOCOL.md}
 * ({@link io.paretopipe.harness.transport.nio.FrameCodec}, {@link
 * io.paretopipe.harness.transport.nio.FrameReader}, {@link
 * io.paretopipe.harness.transport.nio.FrameWriter}) with its authentication frames and handshake
 * binding, the head's side ({@link io.paretopipe.harness.transport.nio.NioTransport}, {@link
 * io.paretopipe.harness.transport.nio.NioStageChannel}) and the socket glue of the stage server
 * ({@link io.paretopipe.harness.transport.nio.NioStageServer}: accept thread; {@link
 * io.paretopipe.harness.transport.nio.NioConnection}: reader thread; {@link
 * io.paretopipe.harness.transport.nio.NioWriter}: writer thread), built on the core in {@code
 * io.paretopipe.harness.server}. Blocking {@code SocketChannel}s, {@code TCP_NODELAY}, direct
 * native-order buffers, gathering writes from the tensor's own memory.
 */
package io.paretopipe.harness.transport.nio;
