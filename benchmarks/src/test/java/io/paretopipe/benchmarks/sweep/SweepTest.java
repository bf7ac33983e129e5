package io.paretopipe.benchmarks.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SweepTest {

    private static Sweep parse(String... args) {
        Sweep sweep = new Sweep();
        new CommandLine(sweep).parseArgs(args);
        return sweep;
    }

    @Test
    void quickDefaultIsEverySplitOfMobilenetOverNioGrpcAndLocal() {
        List<Sweep.Point> points = parse().plan();
        assertEquals(60, points.size());
        assertEquals(new Sweep.Point("mobilenetv2", "nio", "none", "0"), points.get(0));
        assertEquals(new Sweep.Point("mobilenetv2", "grpc", "none", "0"), points.get(20));
        assertEquals(new Sweep.Point("mobilenetv2", "local", "none", "19"), points.get(59));
    }

    @Test
    void localRunsOnlyWithoutALink() {
        List<Sweep.Point> points =
                parse("--transports", "nio,local", "--links", "none,delay:5ms", "--splits", "3,5:9").plan();
        assertEquals(List.of(
                new Sweep.Point("mobilenetv2", "nio", "none", "3"),
                new Sweep.Point("mobilenetv2", "nio", "none", "5:9"),
                new Sweep.Point("mobilenetv2", "nio", "delay:5ms", "3"),
                new Sweep.Point("mobilenetv2", "nio", "delay:5ms", "5:9"),
                new Sweep.Point("mobilenetv2", "local", "none", "3"),
                new Sweep.Point("mobilenetv2", "local", "none", "5:9")), points);
        assertEquals("mobilenetv2__nio__delay%3A5ms__split=5%3A9", points.get(3).fileStem());
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException split = assertThrows(IllegalArgumentException.class,
                () -> parse("--models", "resnet18", "--splits", "9").plan());
        assertEquals("split 9 is out of range for resnet18: valid splits are 0..8", split.getMessage());
        IllegalArgumentException transport = assertThrows(IllegalArgumentException.class,
                () -> parse("--transports", "smoke-signals").plan());
        assertTrue(transport.getMessage().startsWith("transport 'smoke-signals' is not supported"));
        IllegalArgumentException setting = assertThrows(IllegalArgumentException.class,
                () -> SweepSetting.parse("medium"));
        assertEquals("setting 'medium' is unknown: valid settings are quick, full", setting.getMessage());
    }
}
