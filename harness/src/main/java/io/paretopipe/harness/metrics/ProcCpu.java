package io.paretopipe.harness.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads CPU times from a {@code /proc} tree: {@code <root>/<pid>/stat} for a process and {@code
 * <root>/<pid>/task/<tid>/stat} for its threads.
 *
 * <p>Fields 14 ({@code utime}) and 15 ({@code stime}) of a {@code stat} line are clock ticks of
 * {@link #ticksPerSecond()} (USER_HZ, 100 on every Linux this project runs on: one tick is 10 ms).
 * The process line counts every thread the process ever had, exited ones included; the task lines
 * count only threads alive at the moment of reading. The command name (field 2) may contain spaces
 * and parentheses, so fields are counted from the last {@code ')'}.
 *
 * <p>Immutable and thread-safe; every read goes to the file system.
 */
public final class ProcCpu {

  /** The real {@code /proc}. */
  public static final Path PROC = Path.of("/proc");

  private static volatile Long ticksPerSecond;

  private final Path root;

  /** A reader of the {@code /proc} tree at {@code root} (a temp directory in tests). */
  public ProcCpu(Path root) {
    this.root = root;
  }

  /** A reader of the real {@code /proc}. */
  public static ProcCpu system() {
    return new ProcCpu(PROC);
  }

  /** CPU time of one process or thread, in clock ticks. */
  public record Ticks(long user, long system) {
    public long total() {
      return user + system;
    }

    public Ticks minus(Ticks earlier) {
      return new Ticks(user - earlier.user, system - earlier.system);
    }

    public Ticks plus(Ticks other) {
      return new Ticks(user + other.user, system + other.system);
    }
  }

  /** One thread's name (Linux {@code comm}, at most 15 characters) and CPU time. */
  public record ThreadTicks(long tid, String name, Ticks ticks) {}

  /**
   * The process's CPU time, all threads ever, native ones included.
   *
   * @throws IllegalStateException naming the pid when the process is gone or the line is malformed
   */
  public Ticks process(long pid) {
    Path file = root.resolve(Long.toString(pid)).resolve("stat");
    return parseStat(read(file, pid), file).ticks();
  }

  /**
   * The threads alive now, each with its name and CPU time; empty when the process is gone. A
   * thread that exits while the directory is listed is left out.
   */
  public List<ThreadTicks> threads(long pid) {
    Path tasks = root.resolve(Long.toString(pid)).resolve("task");
    List<ThreadTicks> out = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
      for (Path task : dir) {
        Path file = task.resolve("stat");
        String line;
        try {
          line = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException gone) {
          continue;
        }
        Parsed p = parseStat(line, file);
        out.add(
            new ThreadTicks(Long.parseLong(task.getFileName().toString()), p.name(), p.ticks()));
      }
    } catch (NoSuchFileException gone) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + tasks + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** True when {@code <root>/<pid>/stat} exists (the process runs, or is a zombie). */
  public boolean exists(long pid) {
    return Files.isRegularFile(root.resolve(Long.toString(pid)).resolve("stat"));
  }

  record Parsed(String name, Ticks ticks) {}

  private static String read(Path file, long pid) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IllegalStateException(
          "process " + pid + " is gone: " + file + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses one {@code stat} line; package-private for tests. */
  static Parsed parseStat(String line, Path file) {
    int open = line.indexOf('(');
    int close = line.lastIndexOf(')');
    if (open < 0 || close < open) {
      throw new IllegalStateException(
          file + ": not a stat line (expected 'pid (comm) state ...'): " + abbreviate(line));
    }
    String[] rest = line.substring(close + 1).trim().split("\\s+");
    // rest[0] is field 3 (state); utime is field 14, stime field 15
    if (rest.length < 13) {
      throw new IllegalStateException(
          file + ": " + (rest.length + 2) + " fields (expected: at least 15): " + abbreviate(line));
    }
    try {
      return new Parsed(
          line.substring(open + 1, close),
          new Ticks(Long.parseLong(rest[11]), Long.parseLong(rest[12])));
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          file + ": utime/stime are not numbers: " + abbreviate(line), e);
    }
  }

  private static String abbreviate(String s) {
    String t = s.strip();
    return t.length() <= 120 ? t : t.substring(0, 120) + "...";
  }

  /**
   * USER_HZ from {@code getconf CLK_TCK}, read once; 100 (the Linux value on x86 and arm64) if
   * {@code getconf} cannot be run.
   */
  public static long ticksPerSecond() {
    Long cached = ticksPerSecond;
    if (cached != null) {
      return cached;
    }
    long hz = 100;
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      try (InputStream in = p.getInputStream()) {
        String out = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && out.matches("\\d+")) {
          hz = Long.parseLong(out);
        }
      }
    } catch (IOException e) {
      // keep 100
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ticksPerSecond = hz;
    return hz;
  }

  /** Ticks in milliseconds at {@link #ticksPerSecond()}. */
  public static double millis(long ticks) {
    return ticks * 1000.0 / ticksPerSecond();
  }
}
