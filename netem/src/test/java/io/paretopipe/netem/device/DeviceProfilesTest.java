package io.paretopipe.netem.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceProfilesTest {

  @Test
  void builtInProfilesHaveTheDocumentedValues() {
    DeviceProfiles profiles = DeviceProfiles.builtIn();
    assertEquals(
        List.of("edge", "edge-tail", "host0", "host1", "pi4", "pi4-tail", "server"),
        profiles.names());
    assertEquals(new DeviceProfile("pi4", "0", 1, 25), profiles.get("pi4"));
    assertEquals(new DeviceProfile("pi4-tail", "1", 1, 25), profiles.get("pi4-tail"));
    assertEquals(new DeviceProfile("server", "0-1", 2, null), profiles.get("server"));
    assertNull(profiles.get("host1").cpuQuotaPercent());
    assertEquals(List.of("taskset", "-c", "0-1"), profiles.get("server").tasksetPrefix());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> profiles.get("pi5"))
            .getMessage()
            .contains(
                "unknown device profile 'pi5' in classpath:/device-profiles.properties: valid profiles are edge,"));
  }

  @Test
  void standardAddsAFileToTheBuiltInsAndItsProfilesWin(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
    java.nio.file.Path file = dir.resolve("lab.properties");
    java.nio.file.Files.writeString(
        file, "pi4.cpus=1\npi4.threads=1\npi4.cpuQuotaPercent=30\nlab.cpus=0\nlab.threads=2\n");
    DeviceProfiles profiles = DeviceProfiles.standard(file);
    assertEquals(new DeviceProfile("pi4", "1", 1, 30), profiles.get("pi4"));
    assertEquals(new DeviceProfile("lab", "0", 2, null), profiles.get("lab"));
    assertEquals(new DeviceProfile("server", "0-1", 2, null), profiles.get("server"));
    String message =
        assertThrows(IllegalArgumentException.class, () -> profiles.get("nope")).getMessage();
    assertTrue(message.contains("and " + file), message);
    assertThrows(
        java.io.UncheckedIOException.class, () -> DeviceProfiles.standard(dir.resolve("missing")));
  }

  @Test
  void parsesTheFormatWithCommentsAndCpuLists() {
    DeviceProfiles profiles =
        DeviceProfiles.parse(
            """
                # a comment
                phone.cpus = 0,2-3   # trailing comment
                phone.threads=3

                phone.cpuQuotaPercent=150
                """,
            "test");
    DeviceProfile phone = profiles.get("phone");
    assertEquals(List.of(0, 2, 3), phone.cpus());
    assertEquals(3, phone.cpuCount());
    assertEquals(3, phone.highestCpu());
    assertEquals(150, phone.cpuQuotaPercent());
  }

  @Test
  void badFilesNameTheLineAndWhatIsValid() {
    assertMessage(
        "a.cpus=0\na.threads=1\na.color=red\n",
        "f:3: unknown field 'color' of profile 'a'; valid fields are cpus, threads, cpuQuotaPercent");
    assertMessage(
        "a.cpus=0\n", "f:1: profile 'a' lacks 'a.threads' (required fields: cpus, threads)");
    assertMessage("a.cpus=0\na.cpus=1\na.threads=1\n", "f:2: profile 'a' sets 'cpus' twice");
    assertMessage("a.cpus=3-1\na.threads=1\n", "cpus range '3-1' runs backwards");
    assertMessage("a.cpus=x\na.threads=1\n", "cpus 'x' has a bad part 'x'");
    assertMessage("a.cpus=0\na.threads=0\n", "threads 0 (expected: >= 1)");
    assertMessage("a.cpus=0\na.threads=two\n", "threads 'two' is not a whole number");
    assertMessage(
        "a.cpus=0\na.threads=1\na.cpuQuotaPercent=150\n",
        "cpuQuotaPercent 150 (expected: 1..100, percent of one CPU");
    assertMessage("Big.cpus=0\nBig.threads=1\n", "device profile name: 'Big'");
    assertMessage("nonsense\n", "f:1: 'nonsense' is not NAME.FIELD=VALUE");
  }

  private static void assertMessage(String text, String fragment) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DeviceProfiles.parse(text, "f"));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }
}
