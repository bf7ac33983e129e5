package io.paretopipe.benchmarks.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.benchmarks.SharedTail;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The sweep's section of run-metadata.json ({@link RunMetadata#recordSweep}) for shared stage
 * servers the sweep's options started (real processes, unpinned).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RunMetadataTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void byDefaultTheSharedServersRunTheTieredJitAndAutoGivesEachTransportItsOwn() throws Exception {
    JsonNode sweep = recordedSweep("--transports", "nio,grpc,local");
    assertEquals(
        JSON.readTree("{\"nio\": \"none\", \"grpc\": \"none\"}"), sweep.get("stage_jvm_options"));
    assertEquals("run-to-completion", sweep.path("stage_dispatch").asText());
    assertEquals(
        JSON.readTree("{\"nio\": \"-XX:TieredStopAtLevel=1\", \"grpc\": \"none\"}"),
        recordedSweep("--transports", "nio,grpc", "--stage-jvm-options", "auto")
            .get("stage_jvm_options"));
  }

  @Test
  void theGivenJvmOptionsAreRecordedAsTheServersRanWithThem() throws Exception {
    assertEquals(
        JSON.readTree("{\"nio\": \"-Xss2m -XX:+UseSerialGC\"}"),
        recordedSweep(
                "--transports", "nio,local", "--stage-jvm-options", " -Xss2m  -XX:+UseSerialGC")
            .get("stage_jvm_options"));
    assertEquals(
        JSON.readTree("{\"grpc\": \"none\"}"),
        recordedSweep("--transports", "grpc", "--stage-jvm-options", "none")
            .get("stage_jvm_options"));
  }

  @Test
  void eachGrpcTuningHasItsOwnSharedServerAndTheTuningsAreRecorded() throws Exception {
    assertEquals("default", recordedSweep("--transports", "nio").path("grpc_tuning").asText());
    Sweep sweep = new Sweep();
    new CommandLine(sweep)
        .parseArgs(
            "--transports", "nio,grpc", "--grpc-tuning", "default,TUNED", "--tail-cpus", "none");
    ObjectNode metadata = JSON.createObjectNode();
    try (SharedStageServers servers = sweep.sharedStageServers(null)) {
      servers.start(sweep.plan().transports());
      RunMetadata.recordSweep(
          metadata, sweep.o, sweep.o.setting(), sweep.plan(), servers, new String[] {"", ""}, null);
      List<String> tuned = arguments(servers, "grpc@tuned");
      int at = tuned.indexOf("--grpc-tuning");
      assertTrue(at >= 0 && tuned.get(at + 1).equals("tuned"), tuned.toString());
      for (String plain : List.of("nio", "grpc")) {
        List<String> args = arguments(servers, plain);
        assertFalse(args.contains("--grpc-tuning"), plain + ": " + args);
      }
      assertEquals(
          List.of("nio", "grpc", "grpc@tuned"),
          List.copyOf(
              JSON.convertValue(
                      metadata.path("sweep").path("stage_jvm_options"), java.util.Map.class)
                  .keySet()));
    }
    assertEquals("default,tuned", metadata.path("sweep").path("grpc_tuning").asText());
  }

  /** The command line of the running shared server of {@code transport}. */
  private static List<String> arguments(SharedStageServers servers, String transport)
      throws java.io.IOException {
    String pid = servers.properties(transport).get(SharedTail.PROPERTY_PREFIX + transport + ".pid");
    byte[] cmdline =
        java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/" + pid + "/cmdline"));
    return List.of(new String(cmdline, java.nio.charset.StandardCharsets.UTF_8).split("\0"));
  }

  /** The {@code sweep} object of the metadata, recorded while the servers of {@code args} run. */
  private static JsonNode recordedSweep(String... args) throws Exception {
    Sweep sweep = new Sweep();
    List<String> unpinned = new ArrayList<>(List.of(args));
    unpinned.addAll(List.of("--tail-cpus", "none"));
    new CommandLine(sweep).parseArgs(unpinned.toArray(String[]::new));
    ObjectNode metadata = JSON.createObjectNode();
    try (SharedStageServers servers = sweep.sharedStageServers(null)) {
      servers.start(sweep.plan().transports());
      RunMetadata.recordSweep(
          metadata, sweep.o, sweep.o.setting(), sweep.plan(), servers, new String[] {"", ""}, null);
    }
    return metadata.path("sweep");
  }
}
