package io.paretopipe.benchmarks.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

  /** The {@code sweep} object of the metadata, recorded while the servers of {@code args} run. */
  private static JsonNode recordedSweep(String... args) throws Exception {
    Sweep sweep = new Sweep();
    List<String> unpinned = new ArrayList<>(List.of(args));
    unpinned.addAll(List.of("--tail-cpus", "none"));
    new CommandLine(sweep).parseArgs(unpinned.toArray(String[]::new));
    ObjectNode metadata = JSON.createObjectNode();
    try (SharedStageServers servers = sweep.sharedStageServers(null)) {
      servers.start(sweep.o.transports);
      RunMetadata.recordSweep(
          metadata, sweep.o, sweep.o.setting(), sweep.plan(), servers, new String[] {"", ""}, null);
    }
    return metadata.path("sweep");
  }
}
