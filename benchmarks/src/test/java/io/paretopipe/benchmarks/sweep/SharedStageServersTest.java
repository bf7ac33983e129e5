package io.paretopipe.benchmarks.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.netem.device.CpuQuota;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The A/B mechanism of the sweep ({@code --tail-cpu-quota}): the shared stage server runs in a
 * cgroup capped at the quota, a restarted server joins the same cgroup, and {@code close()} ends
 * the servers and removes the cgroup. Real processes, real cgroups (skipped where cgroups cannot be
 * written).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SharedStageServersTest {

  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

  @Test
  void theTailQuotaCapsTheSharedServerAlsoAfterARestartAndIsRemovedOnClose() throws Exception {
    CpuQuota.unavailableReason()
        .ifPresent(reason -> Assumptions.assumeTrue(false, "skipping: " + reason));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
    Path group;
    long first;
    long second;
    try (SharedStageServers servers =
        new SharedStageServers(
            new SharedStageServers.Placement(
                io.paretopipe.harness.placement.CpuSet.UNPINNED, 1, 50, List.of()),
            null,
            console)) {
      servers.start(List.of("nio", "local"));
      assertTrue(servers.has("nio"));
      assertFalse(servers.has("local"), "local has no stage server");
      Map<String, String> props = servers.properties("nio");
      first = Long.parseLong(props.get("paretopipe.tail.shared.nio.pid"));
      assertEquals("50", props.get("paretopipe.tail.shared.nio.cpuQuotaPercent"), props.toString());
      group = cpuCgroup(first);
      assertTrue(
          group.getFileName().toString().startsWith("paretopipe-" + ProcessHandle.current().pid()),
          group.toString());
      assertEquals(50_000L, quotaMicros(group));

      ProcessHandle.of(first).orElseThrow().destroyForcibly();
      ProcessHandle.of(first).ifPresent(p -> p.onExit().join());
      assertTrue(servers.restartIfDead("nio"));
      second = Long.parseLong(servers.properties("nio").get("paretopipe.tail.shared.nio.pid"));
      assertNotEquals(first, second);
      assertEquals(group, cpuCgroup(second), "a restarted server joins the same cgroup");
      assertFalse(servers.restartIfDead("nio"), "a live server is not restarted");
    }
    assertFalse(Files.exists(group), "close() must remove " + group);
    assertFalse(ProcessHandle.of(second).map(ProcessHandle::isAlive).orElse(false));
    String log = out.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("CPU quota 50%"), log);
    assertTrue(log.contains("had died (log empty); restarted"), log);
  }

  @Test
  void theStageDispatchReachesTheSharedServersCommandLine() throws Exception {
    Started nio =
        startNio(
            new SharedStageServers.Placement(
                io.paretopipe.harness.placement.CpuSet.UNPINNED, 1, null, List.of(), "pipelined"));
    int at = nio.commandLine().indexOf("--dispatch");
    assertTrue(
        at >= 0 && nio.commandLine().get(at + 1).equals("pipelined"), nio.commandLine().toString());
    assertTrue(nio.console().contains(", dispatch pipelined"), nio.console());
    assertFalse(
        nio.console().contains("JVM options"),
        "the default JVM options are not named: " + nio.console());
  }

  @Test
  void theStageJvmOptionsReachTheSharedServersCommandLineInsteadOfTheDefault() throws Exception {
    Started nio =
        startNio(
            new SharedStageServers.Placement(
                io.paretopipe.harness.placement.CpuSet.UNPINNED,
                1,
                null,
                List.of(),
                "run-to-completion",
                "-Xss2m -XX:+UseSerialGC"));
    int at = nio.commandLine().indexOf("-Xss2m");
    assertTrue(
        at >= 0 && nio.commandLine().get(at + 1).equals("-XX:+UseSerialGC"),
        nio.commandLine().toString());
    assertFalse(
        nio.commandLine().contains("-XX:TieredStopAtLevel=1"), nio.commandLine().toString());
    assertTrue(nio.console().contains(", JVM options -Xss2m -XX:+UseSerialGC"), nio.console());
    assertFalse(nio.console().contains("dispatch"), nio.console());
  }

  /** What a shared nio server was started with, and what the console said about it. */
  private record Started(List<String> commandLine, String console) {}

  /** Starts the shared nio server of {@code placement}, reads its command line and ends it. */
  private static Started startNio(SharedStageServers.Placement placement) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
    List<String> commandLine;
    try (SharedStageServers servers = new SharedStageServers(placement, null, console)) {
      servers.start(List.of("nio"));
      String pid = servers.properties("nio").get("paretopipe.tail.shared.nio.pid");
      commandLine = List.of(Files.readString(Path.of("/proc", pid, "cmdline")).split("\u0000"));
    }
    return new Started(commandLine, out.toString(StandardCharsets.UTF_8));
  }

  /** The cpu cgroup directory of {@code pid} (cgroup v1 {@code cpu} line, else the v2 line). */
  private static Path cpuCgroup(long pid) throws IOException {
    String v2 = null;
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
      String[] f = line.split(":", 3);
      if (List.of(f[1].split(",")).contains("cpu")) {
        Path hierarchy = CGROUP_ROOT.resolve("cpu");
        if (!Files.isDirectory(hierarchy)) {
          hierarchy = CGROUP_ROOT.resolve("cpu,cpuacct");
        }
        return hierarchy.resolve(f[2].substring(1));
      }
      if (f[0].equals("0") && f[1].isEmpty()) {
        v2 = f[2];
      }
    }
    return CGROUP_ROOT.resolve(v2.substring(1));
  }

  private static long quotaMicros(Path group) throws IOException {
    Path v1 = group.resolve("cpu.cfs_quota_us");
    if (Files.exists(v1)) {
      return Long.parseLong(Files.readString(v1).trim());
    }
    return Long.parseLong(Files.readString(group.resolve("cpu.max")).trim().split(" ")[0]);
  }
}
