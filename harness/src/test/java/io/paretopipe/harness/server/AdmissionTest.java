package io.paretopipe.harness.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.StageException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Slots, pending and ready, counted exactly; the oldest pending one is displaced, never a ready
 * one.
 */
class AdmissionTest {

  @Test
  void aFullServerDisplacesTheOldestPendingConnectionAndNeverAReadyHead() throws Exception {
    Admission admission = new Admission(StageServerOptions.builder().optMaxConnections(2).build());
    List<String> displaced = new ArrayList<>();
    Admission.Slot a = admission.admitPending(() -> displaced.add("a"));
    Admission.Slot b = admission.admitPending(() -> displaced.add("b"));
    assertEquals(2, admission.heads());

    Admission.Slot c = admission.admitPending(() -> displaced.add("c"));
    assertEquals(List.of("a"), displaced, "the oldest pending connection gives way");
    assertEquals(2, admission.heads(), "its place passed to the newcomer");
    assertFalse(a.ready(), "a displaced connection cannot become ready");
    a.release();
    assertEquals(2, admission.heads(), "releasing a displaced slot frees nothing twice");

    assertTrue(b.ready());
    assertTrue(c.ready());
    StageException busy =
        assertThrows(StageException.class, () -> admission.admitPending(() -> displaced.add("d")));
    assertEquals(ErrorCode.BUSY, busy.code());
    assertTrue(
        busy.getMessage().startsWith("stage server already serves 2 heads"), busy.getMessage());
    assertEquals(List.of("a"), displaced, "ready heads are never displaced");

    b.release();
    b.release();
    assertEquals(1, admission.heads());
    Admission.Slot e = admission.admitPending(() -> displaced.add("e"));
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
    assertThrows(StageException.class, () -> admission.admitPending(() -> {}));
    grpc.release();
    assertEquals(0, admission.heads());
  }
}
