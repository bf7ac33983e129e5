package io.paretopipe.harness.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.StageException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Slots, pending and ready, counted exactly; the oldest pending one is displaced, never a ready
 * one.
 */
class AdmissionTest {
  private static final InetAddress LOCAL = InetAddress.getLoopbackAddress();

  @Test
  void aFullServerDisplacesTheOldestPendingConnectionAndNeverAReadyHead() throws Exception {
    Admission admission = new Admission(StageServerOptions.builder().optMaxConnections(2).build());
    List<String> displaced = new ArrayList<>();
    Admission.Slot a = admission.admitPending(LOCAL, () -> displaced.add("a"));
    Admission.Slot b = admission.admitPending(LOCAL, () -> displaced.add("b"));
    assertEquals(2, admission.heads());

    Admission.Slot c = admission.admitPending(LOCAL, () -> displaced.add("c"));
    assertEquals(List.of("a"), displaced, "the oldest pending connection gives way");
    assertEquals(2, admission.heads(), "its place passed to the newcomer");
    assertFalse(a.ready(), "a displaced connection cannot become ready");
    a.release();
    assertEquals(2, admission.heads(), "releasing a displaced slot frees nothing twice");

    assertTrue(b.ready());
    assertTrue(c.ready());
    StageException busy =
        assertThrows(
            StageException.class, () -> admission.admitPending(LOCAL, () -> displaced.add("d")));
    assertEquals(ErrorCode.BUSY, busy.code());
    assertTrue(
        busy.getMessage().startsWith("stage server already serves 2 heads"), busy.getMessage());
    assertEquals(List.of("a"), displaced, "ready heads are never displaced");

    b.release();
    b.release();
    assertEquals(1, admission.heads());
    Admission.Slot e = admission.admitPending(LOCAL, () -> displaced.add("e"));
    e.release();
    assertEquals(1, admission.heads(), "a pending slot released by its own connection frees it");
    c.release();
    assertEquals(0, admission.heads());
    assertEquals(1, admission.displaced());
    assertEquals(4, admission.headsAdmitted());
  }

  @Test
  void aSlotForAHeadAlreadyProvenIsReadyAtOnce() throws Exception {
    Admission admission = new Admission(StageServerOptions.builder().optMaxConnections(1).build());
    Admission.Slot grpc = admission.admit();
    assertTrue(grpc.ready());
    assertThrows(StageException.class, () -> admission.admitPending(LOCAL, () -> {}));
    grpc.release();
    assertEquals(0, admission.heads());
  }

  @Test
  void oneSourceHoldsAtMostItsPendingSlotsAndOthersStillGetIn() throws Exception {
    Admission admission =
        new Admission(
            StageServerOptions.builder().optMaxConnections(10).optMaxPendingPerSource(2).build());
    InetAddress other = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
    List<String> displaced = new ArrayList<>();
    Admission.Slot a = admission.admitPending(LOCAL, () -> displaced.add("a"));
    admission.admitPending(LOCAL, () -> displaced.add("b"));
    StageException busy =
        assertThrows(
            StageException.class, () -> admission.admitPending(LOCAL, () -> displaced.add("c")));
    assertEquals(ErrorCode.BUSY, busy.code());
    assertTrue(
        busy.getMessage()
            .startsWith(
                "127.0.0.1 already has 2 connections without a complete handshake"
                    + " (maxPendingPerSource 2"),
        busy.getMessage());
    assertEquals(2, admission.heads(), "the refused connection holds no slot");
    admission.admitPending(other, () -> displaced.add("d"));
    assertEquals(3, admission.heads(), "another source is not limited by the first one's");
    assertTrue(a.ready());
    admission.admitPending(LOCAL, () -> displaced.add("e"));
    assertEquals(4, admission.heads(), "a ready head no longer counts as pending for its source");
    assertEquals(List.of(), displaced, "nothing is displaced while slots are free");
  }
}
