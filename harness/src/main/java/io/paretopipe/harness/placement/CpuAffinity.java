package io.paretopipe.harness.placement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Reads and sets CPU affinity through {@code /proc} and {@code taskset} (util-linux). */
public final class CpuAffinity {

  private CpuAffinity() {}

  /** {@code Cpus_allowed_list} of a process, e.g. {@code 0-1}; "" where unavailable. */
  public static String allowedCpus(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("Cpus_allowed_list:")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      return "";
    }
    return "";
  }

  /** Whether {@code taskset} is on the PATH. */
  public static boolean tasksetAvailable() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, "taskset"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Pins every thread of process {@code pid} to {@code cpus} (taskset list syntax, e.g. {@code 0}
   * or {@code 1-3}); threads created later inherit it.
   *
   * @throws IOException if taskset is missing or refuses (naming the CPU list)
   */
  public static void pin(long pid, String cpus) throws IOException {
    if (!tasksetAvailable()) {
      throw new IOException(
          "cannot pin to CPUs " + cpus + ": taskset is missing (apt-get install util-linux)");
    }
    Process p =
        new ProcessBuilder(List.of("taskset", "-a", "-p", "-c", cpus, Long.toString(pid)))
            .redirectErrorStream(true)
            .start();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("taskset did not finish pinning pid " + pid);
      }
      String out = new String(p.getInputStream().readAllBytes());
      if (p.exitValue() != 0) {
        throw new IOException(
            "cannot pin pid "
                + pid
                + " to CPUs "
                + cpus
                + ": "
                + out.trim()
                + " (this machine has CPUs 0-"
                + (Runtime.getRuntime().availableProcessors() - 1)
                + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while pinning", e);
    }
  }
}
