package io.paretopipe.harness.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spawned stage server's log ({@code /tmp/paretopipe-stage-*.log}) is gone after a clean close,
 * and kept (and named) after a failure or when asked to keep it, unless it is empty: an empty log
 * is deleted whatever the end, and errors say "(log empty)".
 */
class StageServerLogTest {

  /** Runs the server under {@code sh}, which writes a line to the log first. */
  private static final List<String> NOISY =
      List.of("sh", "-c", "echo 'stage server starting' >&2; exec \"$@\"", "sh");

  @Test
  void theLogIsDeletedWhenTheServerEndsCleanly() throws IOException {
    StageServerProcess server =
        StageServerProcess.builder().optKeepLog(false).optCommandPrefix(NOISY, "127.0.0.1").start();
    Path log = server.log();
    assertTrue(Files.size(log) > 0, log.toString());
    server.close();
    assertFalse(server.keepsLog());
    assertFalse(server.logWasEmpty());
    assertFalse(Files.exists(log), log + " is left behind");
  }

  @Test
  void theLogIsKeptWhenTheServerDiedOnItsOwn() throws Exception {
    Path log;
    try (StageServerProcess server =
        StageServerProcess.builder()
            .optKeepLog(false)
            .optCommandPrefix(NOISY, "127.0.0.1")
            .start()) {
      log = server.log();
      kill(server);
    }
    try {
      assertTrue(Files.isRegularFile(log), log + " was deleted after a crash");
      assertTrue(Files.readString(log).contains("stage server starting"), Files.readString(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void anEmptyLogIsDeletedWhenTheServerWasKilled() throws Exception {
    StageServerProcess server = StageServerProcess.builder().optKeepLog(true).start();
    Path log = server.log();
    try {
      kill(server);
      server.close();
      assertTrue(server.keepsLog());
      assertTrue(server.logWasEmpty());
      assertEquals("(log empty)", server.logName());
      assertFalse(Files.exists(log), log + " is left behind, empty");
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void theLogIsKeptWhenTheOwnerSawAFailureOrAskedToKeepItUnlessItIsEmpty() throws IOException {
    Path failed;
    try (StageServerProcess server =
        StageServerProcess.builder()
            .optKeepLog(false)
            .optCommandPrefix(NOISY, "127.0.0.1")
            .start()) {
      failed = server.keepLog();
      assertTrue(failed.toString().contains("paretopipe-stage-"), failed.toString());
    }
    Path kept;
    try (StageServerProcess server =
        StageServerProcess.builder()
            .optKeepLog(true)
            .optCommandPrefix(NOISY, "127.0.0.1")
            .start()) {
      kept = server.log();
    }
    Path empty;
    try (StageServerProcess server = StageServerProcess.builder().optKeepLog(true).start()) {
      empty = server.keepLog();
    }
    try {
      assertTrue(Files.isRegularFile(failed), failed.toString());
      assertTrue(Files.isRegularFile(kept), kept.toString());
      assertFalse(Files.exists(empty), empty + " is kept, empty");
    } finally {
      Files.deleteIfExists(failed);
      Files.deleteIfExists(kept);
      Files.deleteIfExists(empty);
    }
  }

  @Test
  void aServerThatFailsToStartKeepsItsLogAndTheErrorNamesIt() throws IOException {
    IOException e =
        failedStart(
            StageServerProcess.builder()
                .optKeepLog(false)
                .optServeOptions(List.of("--max-connections", "0")));
    Path log = namedLog(e.getMessage());
    try {
      assertTrue(Files.isRegularFile(log), log.toString());
      assertTrue(Files.readString(log).contains("--max-connections 0"), Files.readString(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void aChildThatWritesToStderrAndDiesKeepsItsLogAndTheErrorNamesIt() throws IOException {
    IOException e =
        failedStart(
            StageServerProcess.builder()
                .optKeepLog(false)
                .optCommandPrefix(
                    List.of("sh", "-c", "echo 'no such model' >&2; exit 3"), "127.0.0.1"));
    Path log = namedLog(e.getMessage());
    try {
      assertTrue(e.getMessage().contains("(exit code 3)"), e.getMessage());
      assertFalse(e.getMessage().contains(ReadyLine.LOG_EMPTY), e.getMessage());
      assertTrue(e.getMessage().endsWith(":\nno such model"), e.getMessage());
      assertEquals("no such model\n", Files.readString(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void aChildThatExitsWithoutOutputLeavesNoLogAndTheErrorSaysSo(@TempDir Path dir)
      throws IOException {
    // the child records where its standard error goes (the log), then fails without writing to it
    Path where = dir.resolve("stderr-path");
    IOException e =
        failedStart(
            StageServerProcess.builder()
                .optKeepLog(true)
                .optCommandPrefix(
                    List.of("sh", "-c", "readlink /proc/$$/fd/2 > '" + where + "'; exit 137"),
                    "127.0.0.1"));
    Path log = Path.of(Files.readString(where).strip());
    try {
      assertTrue(log.getFileName().toString().startsWith("paretopipe-stage-"), log.toString());
      assertFalse(Files.exists(log), log + " is left behind, empty");
      assertEquals(
          "stage server exited before listening (exit code 137) (log empty)", e.getMessage());
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void anOwnerEndedByASignalLeavesNoEmptyLog() throws Exception {
    assertAnOwnerEndLeavesNoEmptyLog(false);
  }

  /**
   * No shutdown hook of the owner runs: the server, seeing its input end unannounced, deletes it.
   */
  @Test
  void anOwnerKilledOutrightLeavesNoEmptyLog() throws Exception {
    assertAnOwnerEndLeavesNoEmptyLog(true);
  }

  private static void assertAnOwnerEndLeavesNoEmptyLog(boolean kill9) throws Exception {
    Process owner =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AbandoningOwner.class.getName())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    Path log = null;
    long server = -1;
    try {
      String line =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(
                      owner.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))
              .readLine();
      assertTrue(line != null && line.startsWith("log "), String.valueOf(line));
      String[] words = line.split(" ");
      log = Path.of(words[1]);
      server = Long.parseLong(words[3]);
      assertTrue(Files.isRegularFile(log), log.toString());
      if (kill9) {
        owner.destroyForcibly(); // SIGKILL: nothing of the owner runs
      } else {
        owner.destroy(); // SIGTERM: the owner's shutdown hooks run, as on Ctrl-C
      }
      assertTrue(owner.waitFor(30, TimeUnit.SECONDS), "the owner did not exit");
      ProcessHandle.of(server).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
      assertFalse(Files.exists(log), log + " is left behind, empty");
    } finally {
      owner.destroyForcibly();
      if (server > 0) {
        ProcessHandle.of(server).ifPresent(ProcessHandle::destroyForcibly);
      }
      if (log != null) {
        Files.deleteIfExists(log);
      }
    }
  }

  /**
   * An owner that starts a server (which writes nothing to its log), prints {@code log PATH pid
   * PID} and waits, never closing it, until a signal ends it.
   */
  static final class AbandoningOwner {
    public static void main(String[] args) throws Exception {
      StageServerProcess server = StageServerProcess.builder().optKeepLog(true).start();
      System.out.println("log " + server.log() + " pid " + server.pid());
      System.out.flush();
      Thread.sleep(600_000);
    }
  }

  private static IOException failedStart(StageServerProcess.Builder builder) {
    return assertThrows(IOException.class, builder::start);
  }

  private static void kill(StageServerProcess server) {
    ProcessHandle.of(server.pid()).orElseThrow().destroyForcibly();
    ProcessHandle.of(server.pid())
        .ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
  }

  /** The log an error message names: {@code ...; log /tmp/X.log:\n<tail>}. */
  private static Path namedLog(String message) {
    int at = message.indexOf("log /tmp/");
    assertTrue(at >= 0, message);
    return Path.of(message.substring(at + 4).lines().findFirst().orElseThrow().split(":")[0]);
  }
}
