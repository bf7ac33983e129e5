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

  /** Attempts of {@link #pin} when a thread of the process ended while taskset walked them. */
  static final int PIN_ATTEMPTS = 10;

  /**
   * Pins every thread of process {@code pid} to {@code cpus} (taskset list syntax, e.g. {@code 0}
   * or {@code 1-3}); threads created later inherit it. {@code taskset -a} lists the threads, then
   * sets each: a thread that ends in between makes it fail with "No such process" although the
   * process lives; that is retried (at most {@value #PIN_ATTEMPTS} attempts).
   *
   * @throws IOException if taskset is missing or refuses (naming the CPU list)
   */
  public static void pin(long pid, String cpus) throws IOException {
    if (!tasksetAvailable()) {
      throw new IOException(
          "cannot pin to CPUs " + cpus + ": taskset is missing (apt-get install util-linux)");
    }
    for (int attempt = 1; ; attempt++) {
      String failure = taskset(pid, cpus);
      if (failure == null) {
        return;
      }
      boolean threadEnded =
          failure.contains("No such process") && ProcessHandle.of(pid).isPresent();
      if (!threadEnded || attempt >= PIN_ATTEMPTS) {
        throw new IOException(
            "cannot pin pid "
                + pid
                + " to CPUs "
                + cpus
                + ": "
                + failure
                + " (this machine has CPUs 0-"
                + (Runtime.getRuntime().availableProcessors() - 1)
                + ")");
      }
    }
  }

  /** Runs taskset; null when it succeeded, else its output. */
  private static String taskset(long pid, String cpus) throws IOException {
    Process p =
        new ProcessBuilder(List.of("taskset", "-a", "-p", "-c", cpus, Long.toString(pid)))
            .redirectErrorStream(true)
            .start();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("taskset did not finish pinning pid " + pid);
      }
      String out = new String(p.getInputStream().readAllBytes()).trim();
      return p.exitValue() == 0 ? null : out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while pinning", e);
    }
  }
}
