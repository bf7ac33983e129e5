package io.paretopipe.harness.transport.nio;

import static io.paretopipe.harness.transport.TestStages.handshake;
import static io.paretopipe.harness.transport.TestStages.randomTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.Limits;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.server.StageServer;
import io.paretopipe.harness.server.StageServerContractTest;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.transport.Transport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.Arrays;

/**
 * The stage-server contract over {@code nio}: raw frames on real sockets where a head would not.
 */
class NioStageServerContractTest extends StageServerContractTest {

  @Override
  protected StageServer.Factory factory() {
    return NioStageServer::start;
  }

  @Override
  protected Transport head(Authenticator authenticator) {
    return new NioTransport(authenticator);
  }

  @Override
  protected StageServerOptions.Builder withPendingQuota(
      StageServerOptions.Builder options, int pending, int heads) {
    return options.optMaxConnections(pending + heads);
  }

  @Override
  protected int pendingConnections(StageServer server) {
    return server.admission().pendingConnections();
  }

  @Override
  protected int displacedConnections(StageServer server) {
    return server.admission().displaced();
  }

  @Override
  protected int refusedPerSource(StageServer server) {
    return server.admission().refusedPerSource();
  }

  /** One {@code BUSY} ERROR frame naming the limit, and nothing after it. */
  @Override
  protected void assertRefused(byte[] received, Refusal refusal) throws Exception {
    FrameReader reader =
        new FrameReader(Channels.newChannel(new ByteArrayInputStream(received)), Limits.DEFAULT);
    Message m = reader.read();
    assertTrue(m instanceof ErrorReport, "expected an ERROR frame, got " + m);
    StageException e = ((ErrorReport) m).toException();
    assertEquals(ErrorCode.BUSY, e.code(), e.getMessage());
    String names =
        refusal == Refusal.DISPLACED
            ? "connection slots (serve --max-connections) was taken and this connection, the"
                + " oldest without a complete handshake and authentication, gave its slot to a"
                + " newer one"
            : "connections without a complete handshake (maxPendingPerSource 2, serve"
                + " --max-pending-per-source)";
    assertTrue(e.getMessage().contains(names), e.getMessage());
    assertNull(reader.read(), "nothing after the ERROR frame");
  }

  private static Socket rawClient(StageServer server) throws IOException {
    Socket s = new Socket(server.localAddress().getAddress(), server.port());
    s.setSoTimeout((int) TIMEOUT.toMillis());
    s.setTcpNoDelay(true);
    return s;
  }

  private static byte[] frame(Message m) throws StageException {
    ByteBuffer b = FrameCodec.encode(m, Limits.DEFAULT);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  @Override
  protected AutoCloseable stallBeforeReady(StageServer server) throws Exception {
    Socket s = rawClient(server);
    s.getOutputStream().write(Arrays.copyOf(frame(handshake("resnet18")), 7));
    return s;
  }

  /** The ERROR frame the server answers with, after which it must close the connection. */
  private static StageException errorThenClose(Socket s) throws Exception {
    FrameReader reader = new FrameReader(Channels.newChannel(s.getInputStream()), Limits.DEFAULT);
    Message m = reader.read();
    assertTrue(m instanceof ErrorReport, "expected an ERROR frame, got " + m);
    try {
      assertNull(reader.read(), "the server must close the connection after the error");
    } catch (SocketException reset) {
      // a reset is a close too
    }
    return ((ErrorReport) m).toException();
  }

  @Override
  protected StageException sendMalformedRequest(StageServer server) throws Exception {
    try (Socket s = rawClient(server)) {
      s.getOutputStream().write(frame(handshake("resnet18")));
      FrameReader reader = new FrameReader(Channels.newChannel(s.getInputStream()), Limits.DEFAULT);
      assertTrue(reader.read() instanceof HandshakeReply);
      byte[] good = frame(new InferenceRequest(1, randomTensor(DType.FLOAT32, new long[] {10}, 1)));
      // the same REQUEST with a payload one byte longer than its shape: 10 x float32 is 40 bytes
      byte[] bad = Arrays.copyOf(good, good.length + 1);
      ByteBuffer.wrap(bad).putLong(12, 41);
      s.getOutputStream().write(bad);
      return errorThenClose(s);
    }
  }

  @Override
  protected StalledHead stopReading(StageServer server, int requests, int floats) throws Exception {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096); // before connecting, so that the window stays small
    s.setSoTimeout((int) TIMEOUT.toMillis());
    s.connect(server.localAddress());
    s.getOutputStream().write(frame(handshake("resnet18")));
    FrameReader reader = new FrameReader(Channels.newChannel(s.getInputStream()), Limits.DEFAULT);
    assertTrue(reader.read() instanceof HandshakeReply);
    // the stage stops reading too once its writes block, so the requests go from another thread
    Thread sender =
        new Thread(
            () -> {
              try {
                for (int id = 1; id <= requests; id++) {
                  s.getOutputStream()
                      .write(
                          frame(
                              new InferenceRequest(
                                  id, randomTensor(DType.FLOAT32, new long[] {floats}, id))));
                }
              } catch (IOException | StageException e) {
                // the stage closed the connection
              }
            },
            "stalled-head-sender");
    sender.setDaemon(true);
    sender.start();
    return new StalledHead() {
      @Override
      public void awaitEnded() throws Exception {
        // what the stage wrote before it gave up, then the end (a close or a reset)
        byte[] sink = new byte[64 << 10];
        try {
          while (s.getInputStream().read(sink) >= 0) {
            // discard
          }
        } catch (SocketException reset) {
          // a reset is an end too
        }
      }

      @Override
      public void close() throws IOException {
        s.close();
        try {
          sender.join(TIMEOUT.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  @Override
  protected StageException sendRequestBeforeHandshake(StageServer server) throws Exception {
    try (Socket s = rawClient(server)) {
      s.getOutputStream()
          .write(frame(new InferenceRequest(4, randomTensor(DType.FLOAT32, new long[] {4}, 4))));
      return errorThenClose(s);
    }
  }
}
