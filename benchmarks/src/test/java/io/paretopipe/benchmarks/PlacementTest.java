package io.paretopipe.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.paretopipe.harness.placement.CpuAffinity;
import io.paretopipe.harness.placement.CpuSet;
import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.server.GrpcTuning;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The trial fixture puts the tail on other CPUs than the head and leaves no stage process behind.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PlacementTest {

  private String originalCpus;

  @BeforeEach
  void rememberAffinity() {
    originalCpus = CpuAffinity.allowedCpus(ProcessHandle.current().pid());
  }

  @AfterEach
  void restoreAffinity() throws Exception {
    if (!originalCpus.isEmpty() && CpuAffinity.tasksetAvailable()) {
      CpuAffinity.pin(ProcessHandle.current().pid(), originalCpus);
    }
  }

  @Test
  void spawnedTailRunsOnOtherCpusAndDiesWithTheFixture() throws Exception {
    assumeTrue(
        CpuSet.cpus(originalCpus).size() >= 2,
        "needs at least 2 CPUs allowed to this JVM (has "
            + originalCpus
            + ") to separate head and tail");
    assumeTrue(
        CpuAffinity.tasksetAvailable(), "needs taskset on the PATH (apt-get install util-linux)");
    List<StageServerProcess> servers;
    try (PartitionFixture fixture =
        PartitionFixture.open(PartitionConfig.defaults("mobilenetv2", "17", "nio"), 1)) {
      servers = fixture.servers();
      assertEquals(1, servers.size());
      long tailPid = servers.get(0).pid();
      String head = readCpusAllowedList(ProcessHandle.current().pid());
      String tail = readCpusAllowedList(tailPid);
      assertEquals(CpuSet.autoHead().list(), head);
      assertEquals(CpuSet.autoTail().cpus(), CpuSet.cpus(tail));
      assertNotEquals(head, tail);
      Set<Integer> overlap =
          CpuSet.cpus(head).stream()
              .filter(CpuSet.cpus(tail)::contains)
              .collect(Collectors.toSet());
      assertTrue(
          overlap.isEmpty(), "head " + head + " and tail " + tail + " share CPUs " + overlap);

      fixture.driver().runOne();
      assertEquals(1, fixture.recorder().count());
      assertEquals(250_880, fixture.bytesPerRequest()); // 160x7x7 floats x batch 8 at cut 17
    }
    for (StageServerProcess s : servers) {
      assertFalse(s.isAlive(), s + " survived the fixture");
      assertTrue(
          ProcessHandle.of(s.pid()).map(p -> !p.isAlive()).orElse(true),
          "pid " + s.pid() + " alive");
    }
  }

  @Test
  void grpcTuningReachesTheHeadsChannelAndTheSpawnedStageOfGrpcOnly() throws Exception {
    try (PartitionFixture fixture =
        PartitionFixture.open(
            PartitionConfig.defaults("mobilenetv2", "17", "grpc").withGrpcTuning("tuned"), 1)) {
      assertEquals(GrpcTuning.TUNED, fixture.pipeline().serveSettings().grpcTuning());
      List<String> args = arguments(fixture.servers().get(0));
      int at = args.indexOf("--grpc-tuning");
      assertTrue(at >= 0 && "tuned".equals(args.get(at + 1)), args.toString());
      fixture.driver().runOne();
      assertEquals(1, fixture.recorder().count());
    }
    try (PartitionFixture fixture =
        PartitionFixture.open(
            PartitionConfig.defaults("mobilenetv2", "17", "nio").withGrpcTuning("tuned"), 1)) {
      assertEquals(GrpcTuning.DEFAULT, fixture.pipeline().serveSettings().grpcTuning());
      List<String> args = arguments(fixture.servers().get(0));
      assertFalse(args.contains("--grpc-tuning"), args.toString());
    }
  }

  /** The command line of a running stage server ({@code /proc/PID/cmdline}). */
  private static List<String> arguments(StageServerProcess server) throws java.io.IOException {
    byte[] cmdline =
        java.nio.file.Files.readAllBytes(
            java.nio.file.Path.of("/proc/" + server.pid() + "/cmdline"));
    return List.of(new String(cmdline, java.nio.charset.StandardCharsets.UTF_8).split("\0"));
  }

  @Test
  void badSplitFailsBeforeAnyProcessStarts() {
    long before = ProcessHandle.current().children().count();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PartitionFixture.open(PartitionConfig.defaults("mobilenetv2", "20", "nio"), 1));
    assertEquals(
        "split 20 is out of range for mobilenetv2: valid splits are 0..19", e.getMessage());
    assertEquals(before, ProcessHandle.current().children().count());
  }

  /** {@code Cpus_allowed_list} straight from {@code /proc/PID/status}. */
  static String readCpusAllowedList(long pid) throws Exception {
    for (String line :
        java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("Cpus_allowed_list:")) {
        return line.substring("Cpus_allowed_list:".length()).trim();
      }
    }
    throw new AssertionError("no Cpus_allowed_list in /proc/" + pid + "/status");
  }
}
