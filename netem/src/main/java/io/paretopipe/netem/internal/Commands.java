package io.paretopipe.netem.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs short external commands ({@code ip}, {@code tc}) with a timeout and captures their output.
 * Thread-safe: every call starts its own process.
 */
public final class Commands {

  /** How long one {@code ip} or {@code tc} command may take before it is killed. */
  public static final long DEFAULT_TIMEOUT_MILLIS = 15_000;

  private Commands() {}

  /**
   * Runs {@code argv} with {@link #DEFAULT_TIMEOUT_MILLIS}; a non-zero exit is returned, not
   * thrown.
   */
  public static CommandResult run(List<String> argv) {
    return run(argv, DEFAULT_TIMEOUT_MILLIS);
  }

  /** Runs {@code argv} and throws {@link CommandFailedException} on a non-zero exit. */
  public static CommandResult check(List<String> argv) {
    return run(argv).orThrow();
  }

  /**
   * Runs {@code argv} with standard input closed.
   *
   * @throws UncheckedIOException when the program cannot be started (e.g. not installed) or did not
   *     finish within {@code timeoutMillis} (it is then killed)
   */
  public static CommandResult run(List<String> argv, long timeoutMillis) {
    Process process;
    try {
      process =
          new ProcessBuilder(argv)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot run '"
              + String.join(" ", argv)
              + "': "
              + e.getMessage()
              + " (is "
              + argv.get(0)
              + " installed? On Debian/Ubuntu: apt-get install iproute2)",
          e);
    }
    CompletableFuture<String> out = drainAsync(process.getInputStream(), argv.get(0) + "-stdout");
    CompletableFuture<String> err = drainAsync(process.getErrorStream(), argv.get(0) + "-stderr");
    try {
      if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new UncheckedIOException(
            new IOException(
                "'"
                    + String.join(" ", argv)
                    + "' did not finish within "
                    + timeoutMillis
                    + " ms and was killed"));
      }
      return new CommandResult(
          List.copyOf(argv),
          process.exitValue(),
          out.get(timeoutMillis, TimeUnit.MILLISECONDS),
          err.get(timeoutMillis, TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(
          new IOException("interrupted while running '" + String.join(" ", argv) + "'", e));
    } catch (ExecutionException | TimeoutException e) {
      throw new UncheckedIOException(
          new IOException("cannot read the output of '" + String.join(" ", argv) + "'", e));
    }
  }

  private static CompletableFuture<String> drainAsync(InputStream in, String name) {
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread thread = new Thread(() -> result.complete(drain(in)), "paretopipe-netem-" + name);
    thread.setDaemon(true);
    thread.start();
    return result;
  }

  private static String drain(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** True when {@code program} can be started (it is on the PATH). */
  public static boolean available(String program) {
    try {
      return run(List.of(program, "-V"), 5_000).exitCode() >= 0;
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  /** True when this process runs as root (uid 0), read from {@code /proc/self/status}. */
  public static boolean isRoot() {
    try {
      for (String line :
          java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0");
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }
}
