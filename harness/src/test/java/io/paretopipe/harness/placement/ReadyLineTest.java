package io.paretopipe.harness.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ReadyLine} against real children run by {@code sh}, with their log in a temp folder. */
class ReadyLineTest {

  @TempDir Path dir;

  private Process start(String script, Path log) throws IOException {
    Files.createFile(log);
    return new ProcessBuilder(List.of("sh", "-c", script))
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  @Test
  void theAddressIsTheWordAfterThePrefixAndOtherLinesGoToTheLog() throws Exception {
    Path log = dir.resolve("child.log");
    Process p = start("echo before; echo 'ready at 127.0.0.1:4000 now'; echo after", log);
    ReadyLine.Listening listening = ReadyLine.listen(p, "ready at ", log, 10_000, "child");
    assertEquals("127.0.0.1:4000", listening.address());
    assertTrue(listening.awaitEnd(10_000));
    assertEquals("before\nafter\n", Files.readString(log));
    assertFalse(ReadyLine.deleteIfEmpty(log));
    assertTrue(Files.exists(log));
  }

  @Test
  void aChildThatExitsWithoutOutputLeavesNoLog() throws IOException {
    Path log = dir.resolve("silent.log");
    Process p = start("exit 4", log);
    IOException e =
        assertThrows(
            IOException.class, () -> ReadyLine.await(p, "ready at ", log, 10_000, "child"));
    assertEquals("child exited before listening (exit code 4) (log empty)", e.getMessage());
    assertFalse(Files.exists(log));
  }

  @Test
  void aChildThatWritesBothOutputsAndExitsKeepsBothInItsLogAndTheErrorQuotesIt()
      throws IOException {
    Path log = dir.resolve("noisy.log");
    // err is written once out has reached the log, so a child that does not append overwrites it
    Process p =
        start(
            "echo out; until grep -q out '" + log + "'; do sleep 0.01; done; echo err >&2; exit 5",
            log);
    IOException e =
        assertThrows(
            IOException.class, () -> ReadyLine.await(p, "ready at ", log, 10_000, "child"));
    assertTrue(
        e.getMessage()
            .startsWith("child exited before listening (exit code 5); log " + log + ":\n"),
        e.getMessage());
    assertTrue(Files.readString(log).contains("out"), Files.readString(log));
    assertTrue(Files.readString(log).contains("err"), Files.readString(log));
  }

  @Test
  void aSilentChildThatNeverListensIsKilledAndLeavesNoLog() throws IOException {
    Path log = dir.resolve("stuck.log");
    Process p = start("exec sleep 600", log);
    IOException e =
        assertThrows(IOException.class, () -> ReadyLine.await(p, "ready at ", log, 200, "child"));
    assertEquals("child did not start listening within 200 ms (log empty)", e.getMessage());
    assertFalse(p.isAlive());
    assertFalse(Files.exists(log));
  }
}
