package io.paretopipe.harness.placement;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A spawned stage server's log ({@code /tmp/paretopipe-stage-*.log}) is gone after a clean close,
 * and kept (and named) after a failure or when asked to keep it.
 */
class StageServerLogTest {

  @Test
  void theLogIsDeletedWhenTheServerEndsCleanly() throws IOException {
    StageServerProcess server = StageServerProcess.builder().optKeepLog(false).start();
    Path log = server.log();
    assertTrue(Files.isRegularFile(log), log.toString());
    server.close();
    assertFalse(server.keepsLog());
    assertFalse(Files.exists(log), log + " is left behind");
  }

  @Test
  void theLogIsKeptWhenTheServerDiedOnItsOwn() throws Exception {
    Path log;
    try (StageServerProcess server = StageServerProcess.builder().optKeepLog(false).start()) {
      log = server.log();
      ProcessHandle.of(server.pid()).orElseThrow().destroyForcibly();
      ProcessHandle.of(server.pid())
          .ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
    }
    try {
      assertTrue(Files.isRegularFile(log), log + " was deleted after a crash");
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void theLogIsKeptWhenTheOwnerSawAFailureOrAskedToKeepIt() throws IOException {
    Path failed;
    try (StageServerProcess server = StageServerProcess.builder().optKeepLog(false).start()) {
      failed = server.keepLog();
      assertTrue(failed.toString().contains("paretopipe-stage-"), failed.toString());
    }
    Path kept;
    try (StageServerProcess server = StageServerProcess.builder().optKeepLog(true).start()) {
      kept = server.log();
    }
    try {
      assertTrue(Files.isRegularFile(failed), failed.toString());
      assertTrue(Files.isRegularFile(kept), kept.toString());
    } finally {
      Files.deleteIfExists(failed);
      Files.deleteIfExists(kept);
    }
  }

  @Test
  void aServerThatFailsToStartKeepsItsLogAndTheErrorNamesIt() throws IOException {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                StageServerProcess.builder()
                    .optKeepLog(false)
                    .optServeOptions(List.of("--max-connections", "0"))
                    .start());
    String message = e.getMessage();
    int at = message.indexOf("log /tmp/");
    assertTrue(at >= 0, message);
    Path log = Path.of(message.substring(at + 4).lines().findFirst().orElseThrow().split(":")[0]);
    try {
      assertTrue(Files.isRegularFile(log), log.toString());
      assertTrue(Files.readString(log).contains("--max-connections 0"), Files.readString(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
