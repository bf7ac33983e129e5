package io.paretopipe.harness.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.paretopipe.models.Engines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The allocator environment a spawned stage server really runs with, read from /proc. */
class StageServerEnvironmentTest {

  @Test
  void aSpawnedServerRunsWithTheTunedAllocatorAndOneMallocArena() throws Exception {
    try (StageServerProcess server = StageServerProcess.builder().optKeepLog(false).start()) {
      Path environ = Path.of("/proc", Long.toString(server.pid()), "environ");
      assumeTrue(Files.isReadable(environ), "no " + environ + " (Linux only)");
      Map<String, String> env = new HashMap<>();
      for (String entry :
          new String(Files.readAllBytes(environ), StandardCharsets.UTF_8).split("\0")) {
        int eq = entry.indexOf('=');
        if (eq > 0) {
          env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
      }
      assertEquals("1", env.get("MALLOC_ARENA_MAX"));
      assertEquals(
          StageServerProcess.ARENA_ENV.get("MALLOC_ARENA_MAX"), env.get("MALLOC_ARENA_MAX"));
      for (Map.Entry<String, String> e : Engines.RECOMMENDED_ALLOCATOR_ENV.entrySet()) {
        assertEquals(e.getValue(), env.get(e.getKey()), e.getKey());
      }
    }
  }
}
