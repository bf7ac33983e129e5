package io.paretopipe.harness.server;

import static io.paretopipe.harness.transport.TestStages.handshake;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.transport.TestStages;
import org.junit.jupiter.api.Test;

/**
 * The open sessions {@link Sessions} counts to know when the server is idle (and trims): each
 * counted once from open to its first close, never below zero, a refused open never counted.
 */
class SessionsTest {

  @Test
  void aSessionCountsAsOpenFromItsOpenToItsFirstCloseOnly() throws Exception {
    int before = Sessions.openSessions();
    TestStages.EchoService service = new TestStages.EchoService(1);
    Sessions.Opened a = Sessions.open(service, handshake("resnet18"));
    Sessions.Opened b = Sessions.open(service, handshake("resnet18"));
    assertEquals(before + 2, Sessions.openSessions());
    Sessions.closeQuietly(a.session());
    Sessions.closeQuietly(a.session()); // a second close of the same session changes nothing
    assertEquals(before + 1, Sessions.openSessions());
    Sessions.closeQuietly(b.session());
    assertEquals(before, Sessions.openSessions());
    assertEquals(
        2, service.sessions.get(0).closeCount.get(), "each close reaches the (idempotent) session");
  }

  @Test
  void aRefusedOpenIsNeverCounted() {
    int before = Sessions.openSessions();
    StageException e =
        assertThrows(
            StageException.class,
            () ->
                Sessions.open(
                    h -> {
                      throw new StageException(ErrorCode.BAD_HANDSHAKE, "no such stage");
                    },
                    handshake("resnet18")));
    assertEquals(ErrorCode.BAD_HANDSHAKE, e.code());
    assertEquals(before, Sessions.openSessions());
  }
}
