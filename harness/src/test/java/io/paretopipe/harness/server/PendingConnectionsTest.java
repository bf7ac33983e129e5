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

/** The pending-connection rule counted exactly: quota with the oldest displaced, per-source cap. */
class PendingConnectionsTest {

  private static InetAddress source(int last) throws Exception {
    return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
  }

  @Test
  void overTheQuotaTheOldestPendingGivesWayAndAProvedOneNever() throws Exception {
    PendingConnections pending = new PendingConnections(3, 4);
    List<Integer> displaced = new ArrayList<>();
    List<PendingConnections.Entry> entries = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      entries.add(pending.enter(source(i + 2), () -> displaced.add(n)));
    }
    assertTrue(entries.get(0).prove(), "the oldest proves itself");
    assertEquals(2, pending.size());
    for (int i = 3; i < 10; i++) {
      int n = i;
      entries.add(pending.enter(source(i + 2), () -> displaced.add(n)));
    }
    assertEquals(3, pending.size());
    assertEquals(List.of(1, 2, 3, 4, 5, 6), displaced, "oldest first, never the proved one");
    assertEquals(6, pending.displaced());
    assertFalse(entries.get(1).prove(), "a displaced connection cannot prove itself");
    assertFalse(entries.get(1).leave(), "its place passed on");
    assertTrue(entries.get(0).leave(), "a proved connection leaves with its place");
    assertTrue(entries.get(9).leave());
    assertEquals(2, pending.size());
  }

  @Test
  void aFifthPendingConnectionFromOneSourceIsRefusedAndDisplacesNothing() throws Exception {
    PendingConnections pending = new PendingConnections(16, 4);
    List<PendingConnections.Entry> local = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      local.add(pending.enter(source(1), () -> {}));
    }
    StageException refused =
        assertThrows(StageException.class, () -> pending.enter(source(1), () -> {}));
    assertEquals(ErrorCode.BUSY, refused.code());
    assertTrue(
        refused.getMessage().contains("(maxPendingPerSource 4, serve --max-pending-per-source)"),
        refused.getMessage());
    assertEquals(1, pending.refusedPerSource());
    assertEquals(4, pending.from(source(1)));
    pending.enter(source(2), () -> {});
    assertEquals(5, pending.size());
    assertEquals(0, pending.displaced());
    local.get(0).leave();
    pending.enter(source(1), () -> {});
    assertEquals(4, pending.from(source(1)), "a closed one frees its source's place");
  }
}
