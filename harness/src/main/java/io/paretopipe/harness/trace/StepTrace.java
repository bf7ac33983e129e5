package io.paretopipe.harness.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Per-step timestamps for finding where a split's overhead goes, off unless the environment
 * variable {@value #ENV} names a directory. Then every {@link #mark} call records its step name and
 * {@link System#nanoTime()}, and at JVM exit the process writes {@code steps-<pid>.tsv} there (the
 * directory is created if missing; a temporary file renamed into place): one line per mark, {@code
 * <nanos>\t<step>}, in the order recorded. Stage servers spawned by this JVM inherit the variable,
 * so one run traces every process; {@code benchmarks/scripts/step-trace.py DIR} merges the files
 * into per-step durations.
 *
 * <p>{@code nanoTime} values of different processes are comparable only on one machine (Linux's
 * {@code CLOCK_MONOTONIC}): merge traces of stages on one machine only, never across devices.
 *
 * <p>At most {@value #CAPACITY} marks per process are kept; later ones are counted and the count is
 * written as a last line {@code #dropped\t<n>}. Disabled, a mark costs one field read.
 */
public final class StepTrace {

  /** The environment variable naming the directory traces are written to. */
  public static final String ENV = "PARETOPIPE_STEP_TRACE";

  /** Marks kept per process. */
  public static final int CAPACITY = 1 << 16;

  private static final StepTrace PROCESS = fromEnvironment();

  private final String[] steps;
  private final long[] nanos;
  private int size;
  private long dropped;

  StepTrace(int capacity) {
    this.steps = new String[capacity];
    this.nanos = new long[capacity];
  }

  private static StepTrace fromEnvironment() {
    String dir = System.getenv(ENV);
    if (dir == null || dir.isBlank()) {
      return null;
    }
    StepTrace trace = new StepTrace(CAPACITY);
    Path file =
        Path.of(dir).toAbsolutePath().resolve("steps-" + ProcessHandle.current().pid() + ".tsv");
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    trace.writeTo(file);
                  } catch (IOException | UncheckedIOException e) {
                    System.err.println(
                        "warning: cannot write step trace " + file + ": " + e.getMessage());
                  }
                },
                "paretopipe-step-trace"));
    return trace;
  }

  /** Records that this process reached {@code step} now; a no-op unless tracing is on. */
  public static void mark(String step) {
    StepTrace trace = PROCESS;
    if (trace != null) {
      trace.record(step, System.nanoTime());
    }
  }

  /** Whether this process traces ({@value #ENV} set). */
  public static boolean enabled() {
    return PROCESS != null;
  }

  synchronized void record(String step, long nanoTime) {
    if (size == steps.length) {
      dropped++;
      return;
    }
    steps[size] = step;
    nanos[size++] = nanoTime;
  }

  /**
   * Writes the marks to {@code file}, replacing it, through a temporary file beside it; creates its
   * folder.
   */
  synchronized void writeTo(Path file) throws IOException {
    StringBuilder text = new StringBuilder(size * 24);
    for (int i = 0; i < size; i++) {
      text.append(nanos[i]).append('\t').append(steps[i]).append('\n');
    }
    if (dropped > 0) {
      text.append("#dropped\t").append(dropped).append('\n');
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
