package io.paretopipe.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.placement.CpuSet;
import io.paretopipe.harness.placement.Placement;
import io.paretopipe.harness.server.GrpcTuning;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionConfigTest {

  @Test
  void splitOutOfRangeNamesTheValidRange() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PartitionConfig.defaults("mobilenetv2", "25", "nio").validate());
    assertEquals(
        "split 25 is out of range for mobilenetv2: valid splits are 0..19", e.getMessage());
  }

  @Test
  void everySplitOfTheDefaultModelIsValidAndMatchesTheDefaultParamList() throws Exception {
    String[] defaults =
        PartitionBenchmark.class
            .getField("split")
            .getAnnotation(org.openjdk.jmh.annotations.Param.class)
            .value();
    assertEquals(PartitionConfig.unitCount("mobilenetv2") + 1, defaults.length);
    for (int k = 0; k < defaults.length; k++) {
      assertEquals(Integer.toString(k), defaults[k]);
      PartitionConfig.defaults("mobilenetv2", defaults[k], "nio").validate();
    }
  }

  @Test
  void builderDefaultsAreTheBenchmarksParamDefaultsComponentByComponent() throws Exception {
    PartitionConfig built = PartitionConfig.builder("mobilenetv2", "3", "nio").build();
    int compared = 0;
    for (java.lang.reflect.RecordComponent c : PartitionConfig.class.getRecordComponents()) {
      String[] values =
          PartitionBenchmark.class
              .getField(c.getName())
              .getAnnotation(org.openjdk.jmh.annotations.Param.class)
              .value();
      if (values.length == 1) {
        assertEquals(values[0], String.valueOf(c.getAccessor().invoke(built)), c.getName());
        compared++;
      }
    }
    assertEquals(12, compared);
  }

  @Test
  void toBuilderKeepsEveryComponentAndEachWitherChangesOnlyItsOwn() {
    PartitionConfig c =
        PartitionConfig.builder("resnet18", "2:4", "grpc")
            .link("delay:20ms")
            .batch(2)
            .depth(3)
            .tail("127.0.0.1:4000/127.0.0.1:4001")
            .threads(2, 3)
            .cpus("0", "1")
            .devices("host0", "host1")
            .grpcTuning("tuned")
            .build();
    assertEquals(
        new PartitionConfig(
            "resnet18",
            "2:4",
            "grpc",
            "delay:20ms",
            2,
            3,
            "127.0.0.1:4000/127.0.0.1:4001",
            2,
            3,
            "0",
            "1",
            "host0",
            "host1",
            "tuned"),
        c);
    assertEquals(c, c.toBuilder().build());
    assertEquals(PartitionConfig.SHARED, c.withTail(PartitionConfig.SHARED).tail());
    assertEquals(c, c.withTail(PartitionConfig.SHARED).withTail(c.tail()));
    assertEquals("none", c.withLink("none").link());
    assertEquals(c, c.withLink("none").withLink(c.link()));
    assertEquals("auto", c.withCpus("auto", "auto").tailCpus());
    assertEquals(c, c.withCpus("auto", "auto").withCpus(c.headCpus(), c.tailCpus()));
    assertEquals("none", c.withDevices("none", "none").headDevice());
    assertEquals(c, c.withDevices("none", "none").withDevices(c.headDevice(), c.tailDevice()));
    assertEquals("default", c.withGrpcTuning(null).grpcTuning());
    assertEquals(c, c.withGrpcTuning(null).withGrpcTuning(c.grpcTuning()));
  }

  @Test
  void grpcTuningDefaultsToGrpcJavasAndAnUnknownOneNamesTheValidOnes() {
    assertEquals(
        GrpcTuning.DEFAULT,
        PartitionConfig.defaults("mobilenetv2", "3", "grpc").validate().grpcTuning());
    assertEquals(
        GrpcTuning.DEFAULT,
        PartitionConfig.defaults("mobilenetv2", "3", "grpc")
            .withGrpcTuning(" ")
            .validate()
            .grpcTuning());
    assertEquals(
        GrpcTuning.TUNED,
        PartitionConfig.defaults("mobilenetv2", "3", "grpc")
            .withGrpcTuning("tuned")
            .validate()
            .grpcTuning());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PartitionConfig.defaults("mobilenetv2", "3", "grpc")
                    .withGrpcTuning("turbo")
                    .validate());
    assertEquals(
        "grpcTuning: grpc tuning \"turbo\" is unknown: valid names are " + GrpcTuning.names(),
        e.getMessage());
  }

  @Test
  void rejectsUnknownTransportAndLinkOnLocal() {
    IllegalArgumentException t =
        assertThrows(
            IllegalArgumentException.class,
            () -> PartitionConfig.defaults("mobilenetv2", "3", "carrier-pigeon").validate());
    assertEquals(
        "unknown transport 'carrier-pigeon': known transports are nio, local, grpc",
        t.getMessage());
    IllegalArgumentException l =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PartitionConfig.defaults("mobilenetv2", "3", "local")
                    .withLink("delay:20ms")
                    .validate());
    assertTrue(
        l.getMessage().startsWith("link 'delay:20ms' needs a network transport"), l.getMessage());
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PartitionConfig.defaults("mobilenetv2", "3", "nio")
                    .withLink("warp-speed")
                    .validate());
    assertTrue(bad.getMessage().startsWith("link 'warp-speed': "), bad.getMessage());
  }

  @Test
  void tailListMustMatchTheRemoteStages() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PartitionConfig.defaults("mobilenetv2", "3:9", "nio")
                    .withTail("127.0.0.1:4000")
                    .validate());
    assertTrue(e.getMessage().contains("has 2 remote stage(s)"), e.getMessage());
    IllegalArgumentException g =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PartitionConfig.defaults("mobilenetv2", "3:9", "grpc")
                    .withTail("127.0.0.1:4000")
                    .validate());
    assertEquals(
        "tail '127.0.0.1:4000' names 1 stage server(s) but split 3:9 has 2 remote stage(s): give 'spawn'"
            + " or one HOST:PORT per remote stage, separated by '/'",
        g.getMessage());
    assertEquals(
        List.of("127.0.0.1:4000", "127.0.0.1:4001"),
        PartitionConfig.defaults("mobilenetv2", "3:9", "nio")
            .withTail("127.0.0.1:4000/127.0.0.1:4001")
            .tails());
  }

  @Test
  void cpuListsParseAndResolve() {
    assertEquals(List.of(0, 1, 2, 5), CpuSet.cpus("0-2,5"));
    assertEquals(List.of(), CpuSet.cpus("bogus"));
    PartitionConfig.Validated none =
        PartitionConfig.defaults("mobilenetv2", "3", "nio").withCpus("none", "none").validate();
    assertEquals(CpuSet.UNPINNED, none.head().cpus());
    assertEquals(CpuSet.UNPINNED, none.tail().cpus());
    PartitionConfig.Validated lists =
        PartitionConfig.defaults("mobilenetv2", "3", "nio").withCpus("3", "1-2").validate();
    assertEquals(new CpuSet("3"), lists.head().cpus());
    assertEquals(List.of(1, 2), lists.tail().cpus().cpus());
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PartitionConfig.defaults("mobilenetv2", "3", "nio")
                    .withCpus("0", "one")
                    .validate());
    assertTrue(bad.getMessage().startsWith("tailCpus: CPU list 'one'"), bad.getMessage());
  }

  @Test
  void deviceProfilesResolveAndRefuseWhatCannotWork() {
    PartitionConfig.Validated none = PartitionConfig.defaults("mobilenetv2", "3", "nio").validate();
    assertEquals(Placement.of(CpuSet.autoHead(), 1), none.head());
    assertEquals(Placement.of(CpuSet.autoTail(), 1), none.tail());
    PartitionConfig.Validated hosts =
        PartitionConfig.defaults("mobilenetv2", "3", "nio")
            .withDevices("host0", "host1")
            .validate();
    assertEquals(new Placement(new CpuSet("0"), 1, null), hosts.head());
    assertEquals(new Placement(new CpuSet("1"), 1, null), hosts.tail());

    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PartitionConfig.defaults("mobilenetv2", "3", "nio")
                    .withDevices("none", "pi9")
                    .validate());
    assertTrue(
        unknown.getMessage().startsWith("tailDevice: unknown device profile 'pi9'"),
        unknown.getMessage());
    assertTrue(
        unknown.getMessage().contains("valid profiles are edge, edge-tail, host0"),
        unknown.getMessage());

    IllegalArgumentException both =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PartitionConfig.defaults("mobilenetv2", "3", "nio")
                    .withCpus("0", "auto")
                    .withDevices("host0", "none")
                    .validate());
    assertEquals(
        "headDevice 'host0' sets CPUs and threads itself: leave headCpus at auto and headThreads at 1"
            + " (got 0, 1)",
        both.getMessage());

    org.junit.jupiter.api.Assumptions.assumeTrue(
        io.paretopipe.netem.device.CpuQuota.unavailableReason().isEmpty(),
        "cgroup CPU quotas need root and a cpu controller here");
    IllegalArgumentException local =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PartitionConfig.defaults("mobilenetv2", "3", "local")
                    .withDevices("none", "pi4-tail")
                    .validate());
    assertTrue(
        local
            .getMessage()
            .startsWith(
                "tailDevice 'pi4-tail' has a CPU quota, which applies to stage servers"
                    + " started on this machine only"),
        local.getMessage());
    assertEquals(
        25,
        PartitionConfig.defaults("mobilenetv2", "3", "nio")
            .withDevices("pi4", "pi4-tail")
            .validate()
            .tail()
            .cpuQuotaPercent());
    IllegalArgumentException remote =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PartitionConfig.defaults("mobilenetv2", "3", "nio")
                    .withTail("10.0.0.2:7000")
                    .withDevices("none", "pi4-tail")
                    .validate());
    assertTrue(remote.getMessage().contains("use tail=spawn (or a sweep's tail=shared)"));
  }

  @Test
  void sharedTailIsTheSweepsServerOfTheTransportFromSystemProperties() {
    PartitionConfig shared =
        PartitionConfig.defaults("mobilenetv2", "3:9", "grpc").withTail(PartitionConfig.SHARED);
    IllegalArgumentException outside =
        assertThrows(IllegalArgumentException.class, shared::validate);
    assertTrue(
        outside
            .getMessage()
            .startsWith(
                "tail 'shared' means the stage server a sweep shares among its grpc points, whose"
                    + " address the sweep passes as -Dparetopipe.tail.shared.grpc=HOST:PORT"),
        outside.getMessage());
    try {
      SharedTail.properties("grpc", "127.0.0.1:41643", 4242, 50).forEach(System::setProperty);
      shared.validate();
      assertTrue(shared.sharedTail());
      assertEquals(List.of("shared"), shared.tails());
      assertEquals(List.of("127.0.0.1:41643", "127.0.0.1:41643"), shared.tailAddresses());
      assertEquals(java.util.Optional.of(4242L), SharedTail.pid("grpc"));
      assertEquals(java.util.Optional.of(50), SharedTail.cpuQuotaPercent("grpc"));
      assertEquals(java.util.Optional.empty(), SharedTail.pid("nio"));
      IllegalArgumentException local =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  PartitionConfig.defaults("mobilenetv2", "3", "local")
                      .withTail(PartitionConfig.SHARED)
                      .validate());
      assertEquals(
          "tail 'shared' needs a network transport (nio or grpc): 'local' has no stage server",
          local.getMessage());
      System.setProperty("paretopipe.tail.shared.grpc", "no-port");
      assertThrows(IllegalArgumentException.class, shared::validate);
    } finally {
      SharedTail.clear("grpc");
    }
  }
}
