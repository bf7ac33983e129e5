package io.paretopipe.models.torchscript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs models/export/export_units.py with Debian's /usr/bin/python3, with a timeout. */
final class ExportScript {

  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final String MISSING =
      "/usr/bin/python3 with torch and torchvision is not available:"
          + " apt-get install python3-torch python3-torchvision";
  private static final Duration TIMEOUT = Duration.ofMinutes(4);
  private static Boolean available;

  private ExportScript() {}

  /** The module directory (Maven sets basedir; the working directory otherwise). */
  static Path moduleDir() {
    return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
  }

  static Path script() {
    return moduleDir().resolve("export/export_units.py");
  }

  /** Whether /usr/bin/python3 can import torch and torchvision (checked once). */
  static synchronized boolean torchAvailable() {
    if (available == null) {
      available =
          Files.isExecutable(PYTHON)
              && run(
                          List.of(PYTHON.toString(), "-c", "import torch, torchvision"),
                          Duration.ofMinutes(2))
                      .exitCode()
                  == 0;
    }
    return available;
  }

  record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  /** {@code /usr/bin/python3 export_units.py ARGS...}. */
  static Result export(String... args) {
    List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script().toString()));
    command.addAll(List.of(args));
    return run(command, TIMEOUT);
  }

  /** Like {@link #export} but fails the test unless the script succeeds. */
  static void exportOrFail(String... args) {
    Result r = export(args);
    assertEquals(
        0, r.exitCode(), () -> "export_units.py " + String.join(" ", args) + " failed: " + r);
  }

  static Result run(List<String> command, Duration timeout) {
    Path out = null;
    Path err = null;
    Process process = null;
    try {
      out = Files.createTempFile("export-out", ".txt");
      err = Files.createTempFile("export-err", ".txt");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(moduleDir().toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      // one thread: two spin-waiting OpenMP threads are far slower on a shared, oversubscribed
      // machine
      builder.environment().put("OMP_NUM_THREADS", "1");
      // importing tiny_net.py must not leave __pycache__ in the source tree
      builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
      process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        fail(
            String.join(" ", command)
                + " did not finish within "
                + timeout
                + ": "
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Result(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, "", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
      }
      for (Path p : new Path[] {out, err}) {
        if (p != null) {
          try {
            Files.deleteIfExists(p);
          } catch (IOException ignored) {
            // a temp file left behind is harmless
          }
        }
      }
    }
  }
}
