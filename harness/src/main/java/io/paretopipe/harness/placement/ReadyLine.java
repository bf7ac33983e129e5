package io.paretopipe.harness.placement;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a child process's "listening" line on its standard output: the line that starts with a
 * given prefix and carries the address (the first word after the prefix). Every other line, before
 * and after it, is appended to the child's log, and a daemon thread keeps draining the output after
 * the ready line so that the child never blocks on a full pipe. Stateless.
 */
public final class ReadyLine {

  private ReadyLine() {}

  /**
   * Reads {@code process}'s standard output until a line starts with {@code prefix}.
   *
   * @param what the child's name in error messages and in the drain thread's name, e.g. {@code
   *     stage server}
   * @param log where the other lines go (appended); its last 20 lines are quoted in errors
   * @param timeoutMillis how long to wait for the line
   * @return the first word after {@code prefix} (e.g. {@code 127.0.0.1:40123})
   * @throws IOException if the line does not come within {@code timeoutMillis}, or the output ends
   *     before it (the child exited; its exit code is given), or reading fails; the caller still
   *     owns {@code process} and destroys it
   */
  public static String await(
      Process process, String prefix, Path log, long timeoutMillis, String what)
      throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  if (line.startsWith(prefix)) {
                    String address = line.substring(prefix.length()).trim().split("\\s+")[0];
                    Thread drain =
                        new Thread(
                            () -> drain(out, log),
                            what.replace(' ', '-') + "-stdout-" + process.pid());
                    drain.setDaemon(true);
                    drain.start();
                    return address;
                  }
                  append(log, line);
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    String address;
    try {
      address = ready.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IOException(
          what
              + " did not start listening within "
              + timeoutMillis
              + " ms; log "
              + log
              + ":\n"
              + tail(log));
    } catch (ExecutionException e) {
      throw new IOException(what + " failed to start: " + e.getCause() + "; log " + log, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting a " + what, e);
    }
    if (address == null) {
      String exit = process.isAlive() ? "" : " (exit code " + process.exitValue() + ")";
      throw new IOException(
          what + " exited before listening" + exit + "; log " + log + ":\n" + tail(log));
    }
    return address;
  }

  /** The last 20 lines of {@code log}, or a note that it cannot be read. */
  public static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private static void drain(BufferedReader out, Path log) {
    try {
      String line;
      while ((line = out.readLine()) != null) {
        append(log, line);
      }
    } catch (IOException ignored) {
      // the process is gone
    }
  }

  private static void append(Path log, String line) throws IOException {
    Files.writeString(log, line + System.lineSeparator(), StandardOpenOption.APPEND);
  }
}
