package io.paretopipe.harness.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.format.NetworkCondition;
import io.paretopipe.harness.placement.StageServerProcess;
import io.paretopipe.harness.server.StageServerOptions;
import io.paretopipe.harness.stage.ModelStageService;
import io.paretopipe.harness.transport.nio.NioStageServer;
import io.paretopipe.harness.transport.nio.NioTransport;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults end a run quickly, say which stage and what happened, and never count a failed request: a
 * tail killed with SIGKILL, a link that stops forwarding, and a stage server restarted between
 * trials. mobilenetv2 split 18 at batch 1 keeps the tail's work small.
 */
class FaultsTest {

  private static final String SPLIT = "18";

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aKilledTailFailsTheRunQuicklyNamingTheStageAndNothingFailedIsCounted() throws Exception {
    PipelineSpec spec =
        PipelineSpec.defaults("mobilenetv2", SPLIT)
            .withBatch(1)
            .withTimeout(Duration.ofSeconds(10));
    PhaseRecorder recorder = new PhaseRecorder();
    Pipeline opened;
    StageServerProcess killed;
    try (Pipeline pipeline = Pipeline.open(spec);
        PipelineDriver driver = new PipelineDriver(pipeline, 2, recorder)) {
      opened = pipeline;
      for (int i = 0; i < 3; i++) {
        driver.submit();
      }
      driver.awaitIdle();
      assertEquals(3, recorder.count());
      StageServerProcess tail = pipeline.servers().get(0);
      killed = tail;
      ProcessHandle process = ProcessHandle.of(tail.pid()).orElseThrow();
      process.destroyForcibly();
      process.onExit().get(10, TimeUnit.SECONDS);

      long start = System.nanoTime();
      PipelineFailedException e =
          assertThrows(
              PipelineFailedException.class,
              () -> {
                for (int i = 0; i < 100; i++) {
                  driver.submit();
                }
                driver.awaitIdle();
              });
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("killed tail detected after %.2f s: %s%n", seconds, e.getMessage());
      assertTrue(seconds < 10, "took " + seconds + " s to notice the dead stage");
      assertTrue(
          e.getMessage()
              .contains("stage 1 (nio stage server pid " + tail.pid() + " at " + tail.address()),
          e.getMessage());
      assertEquals(3, recorder.count(), "a failed request was recorded");
      assertEquals(3, driver.completed());
    }
    // the killed tail wrote nothing: its log is gone and the note says so instead of naming it
    assertFalse(Files.exists(killed.log()), killed.log() + " is left behind, empty");
    assertEquals("; stage server pid " + killed.pid() + " (log empty)", opened.stageLogsNote());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aStalledLinkGivesATimeoutErrorAfterTheConfiguredTime() throws Exception {
    PipelineSpec spec =
        PipelineSpec.defaults("mobilenetv2", SPLIT)
            .withBatch(1)
            .withLink(NetworkCondition.parse("delay:1ms"))
            .withTimeout(Duration.ofSeconds(3));
    PhaseRecorder recorder = new PhaseRecorder();
    try (Pipeline pipeline = Pipeline.open(spec);
        PipelineDriver driver = new PipelineDriver(pipeline, 1, recorder)) {
      driver.runOne();
      driver.runOne();
      pipeline.link().stall();
      long start = System.nanoTime();
      PipelineFailedException e = assertThrows(PipelineFailedException.class, driver::runOne);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("stalled link detected after %.2f s: %s%n", seconds, e.getMessage());
      assertTrue(
          seconds >= 2.5 && seconds < 10, "timed out after " + seconds + " s, configured 3 s");
      assertTrue(e.getMessage().contains("within 3000 ms"), e.getMessage());
      assertTrue(e.getMessage().contains("stage 1 ("), e.getMessage());
      assertEquals(2, recorder.count(), "the stalled request was recorded");
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void theNextTrialReconnectsToARestartedStageServer() throws Exception {
    int port;
    String address;
    try (ModelStageService service = new ModelStageService(new NioTransport(), 1);
        NioStageServer server = NioStageServer.start(service)) {
      port = server.port();
      address = server.address();
      try (Pipeline pipeline = Pipeline.open(remote(address));
          PipelineDriver driver = new PipelineDriver(pipeline, 1, new PhaseRecorder())) {
        driver.runOne();
        server.close();
        PipelineFailedException e =
            assertThrows(
                PipelineFailedException.class,
                () -> {
                  for (int i = 0; i < 10; i++) {
                    driver.runOne();
                  }
                });
        assertTrue(e.getMessage().contains(address), e.getMessage());
      }
    }
    try (ModelStageService service = new ModelStageService(new NioTransport(), 1);
        NioStageServer restarted =
            NioStageServer.start(
                service, StageServerOptions.builder().optListen("127.0.0.1:" + port).build())) {
      assertEquals(port, restarted.port());
      PhaseRecorder recorder = new PhaseRecorder();
      try (Pipeline pipeline = Pipeline.open(remote(address));
          PipelineDriver driver = new PipelineDriver(pipeline, 1, recorder)) {
        driver.runOne();
        driver.runOne();
      }
      assertEquals(2, recorder.count());
    }
  }

  private static PipelineSpec remote(String address) {
    return PipelineSpec.defaults("mobilenetv2", SPLIT)
        .withBatch(1)
        .withTails(List.of(address))
        .withTimeout(Duration.ofSeconds(10));
  }
}
