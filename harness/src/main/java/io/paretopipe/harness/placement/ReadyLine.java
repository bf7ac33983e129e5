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
 *
 * <p>A log the child left empty is deleted once nothing can write to it any more (the child has
 * exited and its standard output has ended), and error messages say {@value #LOG_EMPTY} instead of
 * naming it ({@link #deleteIfEmpty}).
 */
public final class ReadyLine {

  /** What an error message says instead of naming a log that was empty and has been deleted. */
  public static final String LOG_EMPTY = "(log empty)";

  /** How long a failed start waits for the ended child to exit and its output to end, in ms. */
  private static final long END_WAIT_MILLIS = 10_000;

  private ReadyLine() {}

  /**
   * A child that printed its ready line: its address, and the end of its output (whose lines the
   * drain thread appends to the log until then).
   */
  public static final class Listening {
    private final Process process;
    private final String address;
    private final CompletableFuture<Void> outputEnded;

    private Listening(Process process, String address, CompletableFuture<Void> outputEnded) {
      this.process = process;
      this.address = address;
      this.outputEnded = outputEnded;
    }

    /** The first word after the prefix (e.g. {@code 127.0.0.1:40123}). */
    public String address() {
      return address;
    }

    /**
     * Waits until the child has exited and its standard output has ended, so that neither it nor
     * the drain thread writes to the log any more (only a process it left behind holding its output
     * could). Does not end the child. An interrupt does not cut the wait short; it is re-asserted
     * on return.
     *
     * @param timeoutMillis the longest wait, in milliseconds
     * @return whether both happened within {@code timeoutMillis}
     */
    public boolean awaitEnd(long timeoutMillis) {
      return ReadyLine.awaitEnd(process, outputEnded, timeoutMillis);
    }
  }

  /**
   * Reads {@code process}'s standard output until a line starts with {@code prefix}.
   *
   * @param what the child's name in error messages and in the drain thread's name, e.g. {@code
   *     stage server}
   * @param log where the other lines go (appended); its last 20 lines are quoted in errors. A child
   *     whose standard error goes there too must append to it ({@link
   *     ProcessBuilder.Redirect#appendTo}), or its writes overwrite the lines copied here
   * @param timeoutMillis how long to wait for the line
   * @return the first word after {@code prefix} (e.g. {@code 127.0.0.1:40123})
   * @throws IOException if the line does not come within {@code timeoutMillis}, or the output ends
   *     before it (the child exited; its exit code is given), or reading fails. The child has then
   *     been ended (destroyed forcibly unless it exited on its own; the caller still owns {@code
   *     process}); the message names {@code log} and quotes its tail, or, if the child left it
   *     empty, says {@value #LOG_EMPTY} and {@code log} has been deleted
   */
  public static String await(
      Process process, String prefix, Path log, long timeoutMillis, String what)
      throws IOException {
    return listen(process, prefix, log, timeoutMillis, what).address();
  }

  /**
   * As {@link #await}, but returns a {@link Listening}: the address, and {@link Listening#awaitEnd}
   * to tell when nothing writes to the log any more.
   */
  public static Listening listen(
      Process process, String prefix, Path log, long timeoutMillis, String what)
      throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready = new CompletableFuture<>();
    CompletableFuture<Void> outputEnded = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                copy(out, prefix, log, ready);
              } finally {
                ready.complete(null);
                outputEnded.complete(null);
              }
            },
            what.replace(' ', '-') + "-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    String address;
    try {
      address = ready.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw failed(
          process,
          outputEnded,
          log,
          what + " did not start listening within " + timeoutMillis + " ms",
          false);
    } catch (ExecutionException e) {
      throw failed(process, outputEnded, log, what + " failed to start: " + e.getCause(), false);
    } catch (InterruptedException e) {
      IOException failure =
          failed(process, outputEnded, log, "interrupted while starting a " + what, false);
      failure.initCause(e);
      Thread.currentThread().interrupt();
      throw failure;
    }
    if (address == null) {
      throw failed(process, outputEnded, log, what + " exited before listening", true);
    }
    return new Listening(process, address, outputEnded);
  }

  /**
   * Deletes {@code log} if it is empty. Call it only once nothing writes to it any more (e.g. after
   * {@link Listening#awaitEnd} returned true).
   *
   * @return whether it was empty and is gone
   */
  public static boolean deleteIfEmpty(Path log) {
    try {
      if (Files.size(log) != 0) {
        return false;
      }
      Files.delete(log);
      return true;
    } catch (IOException e) {
      return false;
    }
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

  /**
   * Ends a child that did not start: waits for it to exit if its output ended ({@code exiting}),
   * else (or if it lingers) destroys it forcibly; then the error, naming its log or deleting it if
   * empty.
   */
  private static IOException failed(
      Process process,
      CompletableFuture<Void> outputEnded,
      Path log,
      String message,
      boolean exiting) {
    boolean ended = exiting && awaitEnd(process, outputEnded, END_WAIT_MILLIS);
    String exit = ended ? " (exit code " + process.exitValue() + ")" : "";
    if (!ended) {
      process.destroyForcibly();
      ended = awaitEnd(process, outputEnded, END_WAIT_MILLIS);
    }
    if (ended && deleteIfEmpty(log)) {
      return new IOException(message + exit + " " + LOG_EMPTY);
    }
    return new IOException(message + exit + "; log " + log + ":\n" + tail(log));
  }

  private static boolean awaitEnd(
      Process process, CompletableFuture<Void> outputEnded, long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    boolean interrupted = Thread.interrupted();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        try {
          if (!process.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
            return false;
          }
          outputEnded.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          return true;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (TimeoutException | ExecutionException e) {
          return false;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Copies {@code out} to {@code log} line by line until it ends, completing {@code ready} with the
   * address of the first line that starts with {@code prefix} (not copied). Stops writing, but
   * keeps reading, if the log cannot be written (e.g. it was deleted).
   */
  private static void copy(
      BufferedReader out, String prefix, Path log, CompletableFuture<String> ready) {
    boolean writable = true;
    try {
      String line;
      while ((line = out.readLine()) != null) {
        if (!ready.isDone() && line.startsWith(prefix)) {
          ready.complete(line.substring(prefix.length()).trim().split("\\s+")[0]);
        } else if (writable) {
          try {
            Files.writeString(log, line + System.lineSeparator(), StandardOpenOption.APPEND);
          } catch (IOException e) {
            writable = false;
          }
        }
      }
    } catch (IOException ignored) {
      // the process is gone
    }
  }
}
