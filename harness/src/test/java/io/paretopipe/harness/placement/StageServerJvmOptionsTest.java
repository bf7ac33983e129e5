package io.paretopipe.harness.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.transport.TransportKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JVM options a spawned stage server runs with: read back from the running JVM with {@code jcmd
 * PID VM.flags}, which lists the flags it took from its command line.
 */
class StageServerJvmOptionsTest {

  @Test
  void aNioServerRunsC1OnlyAndAGrpcServerWithTheDefaultJit() throws Exception {
    try (StageServerProcess nio = StageServerProcess.builder().optKeepLog(false).start()) {
      assertEquals(List.of(StageServerProcess.C1_ONLY), nio.jvmOptions());
      assertEquals("-XX:TieredStopAtLevel=1", nio.jvmOptionsSetting());
      assertTrue(flags(nio.pid()).contains("-XX:TieredStopAtLevel=1"), flags(nio.pid()));
    }
    try (StageServerProcess grpc =
        StageServerProcess.builder().optTransport(TransportKind.GRPC).optKeepLog(false).start()) {
      assertEquals(List.of(), grpc.jvmOptions());
      assertEquals("none", grpc.jvmOptionsSetting());
      assertFalse(flags(grpc.pid()).contains("TieredStopAtLevel"), flags(grpc.pid()));
    }
  }

  @Test
  void thePropertyReplacesTheDefaultAndTheBuilderReplacesTheProperty() throws Exception {
    System.setProperty(StageServerProcess.JVM_OPTIONS_PROPERTY, "none");
    try (StageServerProcess none = StageServerProcess.builder().optKeepLog(false).start()) {
      assertEquals(List.of(), none.jvmOptions());
      assertFalse(flags(none.pid()).contains("TieredStopAtLevel"), flags(none.pid()));
    } finally {
      System.clearProperty(StageServerProcess.JVM_OPTIONS_PROPERTY);
    }
    try (StageServerProcess own =
        StageServerProcess.builder()
            .optJvmOptions(List.of("-XX:TieredStopAtLevel=2", "-XX:+UseSerialGC"))
            .optKeepLog(false)
            .start()) {
      assertEquals("-XX:TieredStopAtLevel=2 -XX:+UseSerialGC", own.jvmOptionsSetting());
      String flags = flags(own.pid());
      assertTrue(flags.contains("-XX:TieredStopAtLevel=2"), flags);
      assertTrue(flags.contains("-XX:+UseSerialGC"), flags);
    }
  }

  @Test
  void settingsAreReadAsAutoNoneOrOptions() {
    assertEquals(
        List.of("-XX:TieredStopAtLevel=1"),
        StageServerProcess.parseJvmOptions("auto", TransportKind.NIO));
    assertEquals(List.of(), StageServerProcess.parseJvmOptions("auto", TransportKind.GRPC));
    assertEquals(
        List.of("-XX:TieredStopAtLevel=1"),
        StageServerProcess.parseJvmOptions(null, TransportKind.NIO));
    assertEquals(List.of(), StageServerProcess.parseJvmOptions(" none ", TransportKind.NIO));
    assertEquals(List.of(), StageServerProcess.parseJvmOptions("", TransportKind.NIO));
    assertEquals(
        List.of("-Xlog:gc", "-XX:TieredStopAtLevel=1"),
        StageServerProcess.parseJvmOptions(
            " -Xlog:gc   -XX:TieredStopAtLevel=1 ", TransportKind.GRPC));
  }

  @Test
  void somethingThatIsNotAJvmOptionIsNamed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StageServerProcess.parseJvmOptions("-Xlog:gc C1", TransportKind.NIO));
    assertEquals(
        "stage JVM options: 'C1' is not a JVM option (expected 'auto', 'none' or options"
            + " starting with '-', e.g. -XX:TieredStopAtLevel=1)",
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StageServerProcess.parseJvmOptions("-cp /tmp", TransportKind.NIO));
    assertTrue(e.getMessage().startsWith("stage JVM options: '-cp' is set by"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> StageServerProcess.builder().optJvmOptions(List.of("-Xss2m", "oops")));
    for (List<String> notOptions :
        List.of(List.of("auto"), List.of("none"), List.of("-Xss2m -Xlog:gc"))) {
      e =
          assertThrows(
              IllegalArgumentException.class,
              () -> StageServerProcess.builder().optJvmOptions(notOptions));
      assertTrue(
          e.getMessage().startsWith("stage JVM options: " + notOptions + " (expected: one JVM"),
          e.getMessage());
    }
    System.setProperty(StageServerProcess.JVM_OPTIONS_PROPERTY, "-Xss2m C1");
    try {
      e =
          assertThrows(
              IllegalArgumentException.class,
              () -> StageServerProcess.builder().optKeepLog(false).start());
      assertTrue(
          e.getMessage().startsWith("-Dparetopipe.stageJvmOptions: stage JVM options: 'C1' is not"),
          e.getMessage());
    } finally {
      System.clearProperty(StageServerProcess.JVM_OPTIONS_PROPERTY);
    }
  }

  /** {@code jcmd PID VM.flags}: the flags the running JVM took from its command line. */
  private static String flags(long pid) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.flags")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "jcmd did not end");
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
