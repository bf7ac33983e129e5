package io.paretopipe.harness.energy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * perf's RAPL events: {@code perf stat -a -x ; -e power/energy-pkg/} runs for the window and is
 * stopped with SIGINT, at which it prints {@code <joules>;Joules;power/energy-pkg/;...} on stderr.
 *
 * <p>Available when the kernel has the event ({@code
 * /sys/bus/event_source/devices/power/events/energy-pkg}), {@code perf} is on the {@code PATH}, and
 * system-wide events are allowed: {@code /proc/sys/kernel/perf_event_paranoid} at most 0, or root
 * (CAP_PERFMON also works; this check does not see capabilities and then says so). The figure is
 * the whole host's package energy, as with {@link RaplEnergyMeter}.
 */
public final class PerfEnergyMeter implements EnergyMeter {

  static final String EVENT = "power/energy-pkg/";
  static final Path EVENT_FILE = Path.of("/sys/bus/event_source/devices/power/events/energy-pkg");
  static final Path PARANOID = Path.of("/proc/sys/kernel/perf_event_paranoid");

  @Override
  public String tier() {
    return "perf";
  }

  @Override
  public Optional<String> unavailableReason() {
    if (!Files.exists(EVENT_FILE)) {
      return Optional.of(
          "no "
              + EVENT_FILE
              + ": the kernel offers no RAPL perf event here (no 'power' PMU; VMs usually have"
              + " none)");
    }
    if (!onPath("perf")) {
      return Optional.of("perf is not on the PATH (install linux-tools / perf)");
    }
    try {
      int paranoid = Integer.parseInt(Files.readString(PARANOID).trim());
      boolean root = "root".equals(System.getProperty("user.name"));
      if (paranoid > 0 && !root) {
        return Optional.of(
            PARANOID
                + " is "
                + paranoid
                + " and this is not root: system-wide events need <= 0 ('sudo sysctl"
                + " kernel.perf_event_paranoid=0') or CAP_PERFMON");
      }
    } catch (IOException | NumberFormatException e) {
      return Optional.of("cannot read " + PARANOID + ": " + e);
    }
    return Optional.empty();
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Window start() throws IOException {
    Optional<String> reason = unavailableReason();
    if (reason.isPresent()) {
      throw new IllegalStateException("perf: " + reason.get());
    }
    Path err = Files.createTempFile("paretopipe-perf-", ".txt");
    Process perf =
        new ProcessBuilder("perf", "stat", "-a", "-x", ";", "-e", EVENT)
            .redirectError(err.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    return cpu -> {
      try {
        new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start().waitFor();
        if (!perf.waitFor(10, TimeUnit.SECONDS)) {
          perf.destroyForcibly();
          return EnergyReading.unavailable(tier(), "perf stat did not stop within 10 s of SIGINT");
        }
        return parse(Files.readString(err, StandardCharsets.UTF_8));
      } catch (IOException e) {
        return EnergyReading.unavailable(tier(), "perf stat: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        perf.destroyForcibly();
        return EnergyReading.unavailable(tier(), "interrupted while stopping perf stat");
      } finally {
        try {
          Files.deleteIfExists(err);
        } catch (IOException ignored) {
          // a temp file left behind is harmless
        }
      }
    };
  }

  /** Reads perf's {@code -x ;} output: the line whose third field is the event. */
  static EnergyReading parse(String output) {
    for (String line : List.of(output.split("\n"))) {
      String[] f = line.split(";");
      if (f.length >= 3 && f[2].equals(EVENT)) {
        try {
          double joules = Double.parseDouble(f[0]);
          return new EnergyReading(
              EnergyLabel.MEASURED,
              "perf",
              joules,
              Map.of("package", joules),
              "perf stat -a -e " + EVENT + " (whole host)",
              null);
        } catch (NumberFormatException e) {
          return EnergyReading.unavailable(
              "perf", "perf stat reported '" + f[0] + "' for " + EVENT + " (not counted?)");
        }
      }
    }
    return EnergyReading.unavailable(
        "perf", "perf stat printed no " + EVENT + " line: " + output.strip());
  }
}
