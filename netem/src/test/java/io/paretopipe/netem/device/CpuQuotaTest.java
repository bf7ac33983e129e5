package io.paretopipe.netem.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.netem.internal.OwnerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CpuQuotaTest {

  /** Clock ticks per second of /proc/PID/stat utime and stime (USER_HZ; 100 on Linux). */
  private static final double TICKS_PER_SECOND = 100.0;

  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  @Test
  void aQuarterQuotaLetsABusyProcessUseAQuarterOfACore() throws Exception {
    CpuQuota.unavailableReason()
        .ifPresent(reason -> Assumptions.assumeTrue(false, "skipping: " + reason));
    Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
    Path directory;
    try (CpuQuota quota = CpuQuota.create(25)) {
      directory = quota.directory();
      assertTrue(
          directory
              .getFileName()
              .toString()
              .startsWith("paretopipe-" + ProcessHandle.current().pid() + "-"));
      quota.addProcess(busy.pid());
      assertEquals(List.of(busy.pid()), quota.processes());
      long ticksBefore = cpuTicks(busy.pid());
      long wallBefore = System.nanoTime();
      assertFalse(busy.waitFor(2, TimeUnit.SECONDS), "the busy loop must still run");
      double cpuSeconds = (cpuTicks(busy.pid()) - ticksBefore) / TICKS_PER_SECOND;
      double wallSeconds = (System.nanoTime() - wallBefore) / 1e9;
      double share = cpuSeconds / wallSeconds;
      System.out.printf(
          "cpu quota 25%% (%s): busy loop used %.3f of one core over %.2f s%n",
          quota.version(), share, wallSeconds);
      assertTrue(
          share >= 0.15 && share <= 0.40,
          "a 25% quota gave " + share + " of a core, expected 0.15..0.40");
    } finally {
      busy.destroyForcibly();
      busy.waitFor(5, TimeUnit.SECONDS);
    }
    assertFalse(Files.exists(directory), "close() must remove " + directory);
  }

  @Test
  void leftoversOfDeadOrRecycledOwnersAreRemovedAtCreateAndOwnOnesKept() throws Exception {
    CpuQuota.unavailableReason()
        .ifPresent(reason -> Assumptions.assumeTrue(false, "skipping: " + reason));
    Process gone = new ProcessBuilder("true").start();
    assertTrue(gone.waitFor(5, TimeUnit.SECONDS));
    OwnerProcess me = OwnerProcess.current();
    assertTrue(me.startTicks() > 0, "start time of this JVM: " + me);
    Path hierarchy;
    try (CpuQuota probe = CpuQuota.create(50)) {
      hierarchy = probe.directory().getParent();
      assertTrue(
          probe.directory().getFileName().toString().startsWith("paretopipe-" + me.nameTag() + "-"),
          probe.directory().toString());
    }
    Path deadOwner = hierarchy.resolve("paretopipe-" + gone.pid() + "-t1-0");
    Path deadOwnerOldFormat = hierarchy.resolve("paretopipe-" + gone.pid() + "-1");
    Path recycledPid =
        hierarchy.resolve("paretopipe-" + me.pid() + "-t" + (me.startTicks() + 1) + "-90001");
    Path own = hierarchy.resolve("paretopipe-" + me.nameTag() + "-90002");
    List<Path> all = List.of(deadOwner, deadOwnerOldFormat, recycledPid, own);
    try {
      for (Path dir : all) {
        Files.createDirectory(dir);
      }
      try (CpuQuota quota = CpuQuota.create(50)) {
        assertFalse(Files.exists(deadOwner), "owner pid gone: " + deadOwner);
        assertFalse(Files.exists(deadOwnerOldFormat), "owner pid gone: " + deadOwnerOldFormat);
        assertFalse(Files.exists(recycledPid), "pid of another start time: " + recycledPid);
        assertTrue(Files.isDirectory(own), "this live owner's group stays: " + own);
        assertTrue(Files.isDirectory(quota.directory()));
      }
      Files.createDirectory(recycledPid);
      assertEquals(List.of(recycledPid.toString()), CpuQuota.clearLeftovers());
      assertTrue(Files.isDirectory(own));
    } finally {
      for (Path dir : all) {
        Files.deleteIfExists(dir);
      }
    }
  }

  @Test
  void closeMovesProcessesOutAndIsIdempotent() throws Exception {
    CpuQuota.unavailableReason()
        .ifPresent(reason -> Assumptions.assumeTrue(false, "skipping: " + reason));
    Process idle = new ProcessBuilder("sleep", "30").start();
    try {
      CpuQuota quota = CpuQuota.create(50);
      quota.addProcess(idle.pid());
      quota.close();
      quota.close();
      assertFalse(Files.exists(quota.directory()));
      assertTrue(idle.isAlive(), "closing the quota must not kill its processes");
      assertThrows(IllegalStateException.class, () -> quota.addProcess(idle.pid()));
    } finally {
      idle.destroyForcibly();
      idle.waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void badQuotasAreRejected() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> CpuQuota.create(0))
            .getMessage()
            .contains("cpuQuotaPercent: 0 (expected: 1..100000, percent of one CPU)"));
  }
}
