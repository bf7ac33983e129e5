package io.paretopipe.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionConfigTest {

    @Test
    void splitOutOfRangeNamesTheValidRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PartitionConfig.defaults("mobilenetv2", "25", "nio").validate());
        assertEquals("split 25 is out of range for mobilenetv2: valid splits are 0..19", e.getMessage());
    }

    @Test
    void everySplitOfTheDefaultModelIsValidAndMatchesTheDefaultParamList() throws Exception {
        String[] defaults = PartitionBenchmark.class.getField("split")
                .getAnnotation(org.openjdk.jmh.annotations.Param.class).value();
        assertEquals(PartitionConfig.unitCount("mobilenetv2") + 1, defaults.length);
        for (int k = 0; k < defaults.length; k++) {
            assertEquals(Integer.toString(k), defaults[k]);
            PartitionConfig.defaults("mobilenetv2", defaults[k], "nio").validate();
        }
    }

    @Test
    void rejectsUnknownTransportAndLinkOnLocal() {
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
                () -> PartitionConfig.defaults("mobilenetv2", "3", "carrier-pigeon").validate());
        assertEquals("transport 'carrier-pigeon' is not supported: valid transports are nio, local, grpc", t.getMessage());
        IllegalArgumentException l = assertThrows(IllegalArgumentException.class,
                () -> PartitionConfig.defaults("mobilenetv2", "3", "local").withLink("delay:20ms").validate());
        assertTrue(l.getMessage().startsWith("link 'delay:20ms' needs a network transport"), l.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> PartitionConfig.defaults("mobilenetv2", "3", "nio").withLink("warp-speed").validate());
        assertTrue(bad.getMessage().startsWith("link 'warp-speed': "), bad.getMessage());
    }

    @Test
    void tailListMustMatchTheRemoteStages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PartitionConfig.defaults("mobilenetv2", "3:9", "nio").withTail("127.0.0.1:4000").validate());
        assertTrue(e.getMessage().contains("has 2 remote stage(s)"), e.getMessage());
        assertEquals(List.of("127.0.0.1:4000", "127.0.0.1:4001"),
                PartitionConfig.defaults("mobilenetv2", "3:9", "nio").withTail("127.0.0.1:4000/127.0.0.1:4001").tails());
    }

    @Test
    void cpuListsParseAndResolve() {
        assertEquals(List.of(0, 1, 2, 5), PartitionConfig.parseCpuList("0-2,5"));
        assertEquals(List.of(), PartitionConfig.parseCpuList("bogus"));
        assertArrayEquals(new String[] {"", ""}, PartitionConfig.resolveCpus("none", "none"));
        assertArrayEquals(new String[] {"3", "1-2"}, PartitionConfig.resolveCpus("3", "1-2"));
    }
}
