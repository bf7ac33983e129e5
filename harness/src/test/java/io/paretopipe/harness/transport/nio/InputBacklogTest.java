package io.paretopipe.harness.transport.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

/** {@link InputBacklog} over a real loopback connection: it sees bytes the kernel holds. */
class InputBacklogTest {
  @Test
  void seesUnreadBytesAndNothingOnceTheyAreRead() throws Exception {
    try (ServerSocketChannel server =
            ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel client = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept()) {
      InputBacklog backlog = new InputBacklog(accepted);
      assertFalse(backlog.waiting());
      client.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7}));
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!backlog.waiting() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertTrue(backlog.waiting(), "7 bytes sent on loopback were not seen within 5 s");
      ByteBuffer dst = ByteBuffer.allocate(7);
      while (dst.hasRemaining()) {
        accepted.read(dst);
      }
      assertEquals(7, dst.get(6));
      assertFalse(backlog.waiting());
    }
  }
}
