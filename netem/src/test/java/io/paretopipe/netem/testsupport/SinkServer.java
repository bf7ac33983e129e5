package io.paretopipe.netem.testsupport;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.zip.CRC32;

/**
 * A tiny TCP server for link tests. Protocol per message: the client sends an 8-byte length N and N
 * bytes; the server answers with the CRC32 of those bytes (8 bytes) once it has read them all. With
 * N = 1 this is a round trip probe; with N = 4 MiB a transfer whose end the client sees when the
 * answer arrives.
 *
 * <p>Run in-process with {@link #start(InetAddress)} or as a child process ({@link #main}: prints
 * {@code PORT <n>} on stdout, exits when stdin closes).
 */
public final class SinkServer implements AutoCloseable {

  private final ServerSocket serverSocket;
  private final Thread acceptor;

  private SinkServer(ServerSocket serverSocket) {
    this.serverSocket = serverSocket;
    this.acceptor = new Thread(this::acceptLoop, "sink-server-" + serverSocket.getLocalPort());
    this.acceptor.setDaemon(true);
    this.acceptor.start();
  }

  /** Listens on an ephemeral port of {@code address}. */
  public static SinkServer start(InetAddress address) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.bind(new InetSocketAddress(address, 0));
    return new SinkServer(socket);
  }

  /** The listening port. */
  public int port() {
    return serverSocket.getLocalPort();
  }

  private void acceptLoop() {
    while (!serverSocket.isClosed()) {
      try {
        Socket socket = serverSocket.accept();
        Thread handler = new Thread(() -> serve(socket), "sink-connection");
        handler.setDaemon(true);
        handler.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void serve(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      byte[] buffer = new byte[64 * 1024];
      while (true) {
        long length;
        try {
          length = in.readLong();
        } catch (EOFException e) {
          return;
        }
        CRC32 crc = new CRC32();
        long remaining = length;
        while (remaining > 0) {
          int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
          if (n < 0) {
            return;
          }
          crc.update(buffer, 0, n);
          remaining -= n;
        }
        out.writeLong(crc.getValue());
        out.flush();
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  @Override
  public void close() throws IOException {
    serverSocket.close();
  }

  /** Child-process entry: {@code SinkServer BIND_ADDRESS}. */
  public static void main(String[] args) throws IOException {
    try (SinkServer server = start(InetAddress.getByName(args[0]))) {
      System.out.println("PORT " + server.port());
      System.out.flush();
      InputStream stdin = System.in;
      while (stdin.read() >= 0) {
        // runs until the parent closes stdin or kills us
      }
    }
  }
}
