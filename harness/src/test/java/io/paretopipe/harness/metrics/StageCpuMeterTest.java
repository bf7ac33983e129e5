package io.paretopipe.harness.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StageCpuMeter} over a /proc tree written here, so every tick is known. */
class StageCpuMeterTest {

  private static final long PID = 4242;

  @TempDir Path proc;

  @Test
  void aThreadThatExitsInTheWindowCountsToTheHeadAndTheStagesAddUpToTheProcess()
      throws IOException {
    thread(PID, "java", 100, 10);
    thread(4243, "C2 CompilerThre", 50, 0);
    thread(4244, "stage-compute-m", 200, 20);
    process(350, 30);
    StageCpuMeter meter =
        new StageCpuMeter(
            new ProcCpu(proc),
            List.of(
                new CpuSubject("head", PID, CpuSubject.Scope.OTHER_THREADS, null, null),
                new CpuSubject("stage1", PID, CpuSubject.Scope.STAGE_THREADS, null, null)));
    StageCpuMeter.Window window = meter.start();
    thread(PID, "java", 130, 10);
    Files.walk(proc.resolve(PID + "/task/4243"))
        .sorted(java.util.Comparator.reverseOrder())
        .forEach(p -> p.toFile().delete());
    thread(4244, "stage-compute-m", 260, 25);
    // the compiler thread used 40 ticks more before it exited: only the process's line has them
    process(350 + 30 + 40 + 60, 30 + 5);
    CpuReport report = window.stop(8);
    assertEquals(ProcCpu.millis(30 + 40), report.stages().get(0).totalMillis(), 1e-9, "head");
    assertEquals(ProcCpu.millis(65), report.stages().get(1).totalMillis(), 1e-9, "stage1");
    assertEquals(ProcCpu.millis(135), report.processTotalMillis(), 1e-9, "process");
  }

  private void thread(long tid, String name, long user, long system) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(PID + "/task/" + tid));
    Files.writeString(dir.resolve("stat"), stat(tid, name, user, system));
  }

  private void process(long user, long system) throws IOException {
    Files.writeString(proc.resolve(PID + "/stat"), stat(PID, "java", user, system));
  }

  private static String stat(long id, String name, long user, long system) {
    return id + " (" + name + ") S 1 1 1 0 -1 0 0 0 0 0 " + user + " " + system + " 0 0 20 0 9 0 1";
  }
}
