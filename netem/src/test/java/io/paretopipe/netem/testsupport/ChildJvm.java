package io.paretopipe.netem.testsupport;

import io.paretopipe.format.NetworkCondition;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts test mains in child JVMs (main and test classes of this module and the {@code format}
 * module: netem depends on nothing else).
 */
public final class ChildJvm {

  private ChildJvm() {}

  /** {@code java -cp CLASSES MAIN ARGS} with small, fast-starting JVM options. */
  public static List<String> javaCommand(Class<?> main, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.addAll(
        List.of(
            "-Xmx64m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xshare:auto",
            "-cp",
            String.join(
                File.pathSeparator,
                location(io.paretopipe.netem.tc.TcShaper.class),
                location(NetworkCondition.class),
                location(main)),
            main.getName()));
    argv.addAll(List.of(args));
    return argv;
  }

  private static String location(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads lines of the child's stdout until one starts with {@code prefix}; returns it.
   *
   * @throws IOException when the child ends first or nothing comes within {@code timeoutMillis}
   */
  public static String awaitLine(
      Process process, BufferedReader stdout, String prefix, long timeoutMillis)
      throws IOException {
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                for (String l = stdout.readLine(); l != null; l = stdout.readLine()) {
                  if (l.startsWith(prefix)) {
                    return l;
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    try {
      String result = line.get(timeoutMillis, TimeUnit.MILLISECONDS);
      if (result == null) {
        throw new IOException("child ended before printing '" + prefix + "': " + stderr(process));
      }
      return result;
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IOException(
          "child printed no '" + prefix + "' within " + timeoutMillis + " ms: " + stderr(process),
          e);
    }
  }

  /** A reader of the child's stdout. */
  public static BufferedReader stdout(Process process) {
    return new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  private static String stderr(Process process) {
    try {
      if (process.waitFor(2, TimeUnit.SECONDS)) {
        return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException | InterruptedException e) {
      return "(stderr unavailable: " + e + ")";
    }
    return "(child still running)";
  }

  /** Kills the child with SIGKILL and waits up to 10 s for it to end. */
  public static void kill(Process process) throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("child " + process.pid() + " survived SIGKILL for 10 s");
    }
  }
}
