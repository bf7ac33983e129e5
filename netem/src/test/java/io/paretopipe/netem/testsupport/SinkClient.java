package io.paretopipe.netem.testsupport;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.zip.CRC32;

/** The client side of {@link SinkServer}: sends messages and times until the server's answer. */
public final class SinkClient implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;

  /** Connects with a 5 s connect timeout and a 10 s read timeout. */
  public SinkClient(InetSocketAddress address) throws IOException {
    socket = new Socket();
    socket.connect(address, 5_000);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
  }

  /**
   * Sends {@code payload} and waits for the answer; returns the nanoseconds from the first byte
   * written to the answer read.
   *
   * @throws IOException when the answer's CRC does not match the payload
   */
  public long timedExchangeNanos(byte[] payload) throws IOException {
    CRC32 crc = new CRC32();
    crc.update(payload);
    long start = System.nanoTime();
    out.writeLong(payload.length);
    out.write(payload);
    out.flush();
    long answer = in.readLong();
    long elapsed = System.nanoTime() - start;
    if (answer != crc.getValue()) {
      throw new IOException(
          "CRC mismatch: sent "
              + Long.toHexString(crc.getValue())
              + ", server saw "
              + Long.toHexString(answer));
    }
    return elapsed;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
