package io.paretopipe.harness.energy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * RAPL energy counters through the powercap interface: {@code <root>/intel-rapl:N} (a package, or
 * {@code psys}: the platform) and {@code <root>/intel-rapl:N:M} (its core, uncore and dram
 * domains); AMD Zen exposes its package counters the same way.
 *
 * <p>Each zone has {@code name}, {@code energy_uj} (a counter in microjoules) and {@code
 * max_energy_range_uj} (where the counter wraps to 0). A window's energy per zone is {@code end -
 * start}, or {@code end + max - start} when the counter wrapped (end below start); a counter can
 * wrap at most once per window if windows stay under its range (262 J at 0 to 262143999999 uJ is
 * 65.5 s at 4 kW; a 15 W package takes about 4.9 h).
 *
 * <p>The total is the sum of the package zones ({@code intel-rapl:N} not named {@code psys}), or
 * {@code psys} alone when that is all there is: sub-domains are parts of their package and {@code
 * psys} contains the packages, so adding them would count twice. Every zone is listed in {@link
 * EnergyReading#parts()} by its {@code name} ({@code package-0}, {@code package-0/dram}, ...). The
 * figure is the whole host's energy in the window, not one process's.
 *
 * <p>{@code energy_uj} is readable by root only since Linux 5.10 (CVE-2020-8694, Platypus); an
 * unreadable counter makes the tier unavailable with that reason. Most virtual machines expose no
 * powercap at all. Thread-safe; every call reads the files.
 */
public final class RaplEnergyMeter implements EnergyMeter {

  /** The real powercap directory. */
  public static final Path POWERCAP = Path.of("/sys/class/powercap");

  private static final Pattern ZONE = Pattern.compile("intel-rapl:\\d+(:\\d+)?");

  private final Path root;

  public RaplEnergyMeter(Path root) {
    this.root = root;
  }

  /** The host's powercap. */
  public static RaplEnergyMeter system() {
    return new RaplEnergyMeter(POWERCAP);
  }

  @Override
  public String tier() {
    return "rapl";
  }

  /** One zone: its directory, a display name ({@code package-0/dram}) and its counter range. */
  record Zone(Path directory, String name, boolean topLevel, long maxMicrojoules) {}

  @Override
  public Optional<String> unavailableReason() {
    if (!Files.isDirectory(root)) {
      return Optional.of(
          "no "
              + root
              + ": this kernel exposes no powercap (RAPL) here; virtual machines usually have none");
    }
    List<Zone> zones;
    try {
      zones = zones();
    } catch (UncheckedIOException e) {
      return Optional.of(e.getMessage());
    }
    if (zones.isEmpty()) {
      return Optional.of("no intel-rapl:* zone under " + root + " (no RAPL driver loaded)");
    }
    try {
      read(zones);
    } catch (UncheckedIOException e) {
      return Optional.of(e.getMessage());
    }
    return Optional.empty();
  }

  /** The zones, packages first, each followed by its sub-zones. */
  List<Zone> zones() {
    List<Path> dirs = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(root)) {
      for (Path p : s) {
        if (ZONE.matcher(p.getFileName().toString()).matches()) {
          dirs.add(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root + ": " + e, e);
    }
    dirs.sort(java.util.Comparator.comparing(p -> p.getFileName().toString()));
    Map<String, String> parentNames = new LinkedHashMap<>();
    List<Zone> zones = new ArrayList<>();
    for (Path d : dirs) {
      String id = d.getFileName().toString();
      String[] idx = id.substring("intel-rapl:".length()).split(":");
      boolean top = idx.length == 1;
      String name = readText(d.resolve("name"));
      if (top) {
        parentNames.put(idx[0], name);
      } else {
        name = parentNames.getOrDefault(idx[0], "intel-rapl:" + idx[0]) + "/" + name;
      }
      long max = Long.parseLong(readText(d.resolve("max_energy_range_uj")));
      if (max <= 0) {
        throw new UncheckedIOException(
            new IOException(d + "/max_energy_range_uj: " + max + " (expected: > 0)"));
      }
      zones.add(new Zone(d, name, top, max));
    }
    return zones;
  }

  long[] read(List<Zone> zones) {
    long[] out = new long[zones.size()];
    for (int i = 0; i < zones.size(); i++) {
      out[i] = Long.parseLong(readText(zones.get(i).directory().resolve("energy_uj")));
    }
    return out;
  }

  /**
   * Microjoules between two readings of a counter that wraps at {@code max}: {@code end - start},
   * or {@code end + max - start} after a wrap.
   */
  static long delta(long start, long end, long max) {
    return end >= start ? end - start : end + max - start;
  }

  @Override
  public Window start() {
    Optional<String> reason = unavailableReason();
    if (reason.isPresent()) {
      throw new IllegalStateException("rapl: " + reason.get());
    }
    List<Zone> zones = zones();
    long[] start = read(zones);
    return cpu -> stop(zones, start);
  }

  private EnergyReading stop(List<Zone> zones, long[] start) {
    long[] end;
    try {
      end = read(zones);
    } catch (UncheckedIOException e) {
      return EnergyReading.unavailable(tier(), e.getMessage());
    }
    Map<String, Double> parts = new LinkedHashMap<>();
    double packages = 0;
    double psys = 0;
    boolean anyPackage = false;
    for (int i = 0; i < zones.size(); i++) {
      Zone z = zones.get(i);
      double joules = delta(start[i], end[i], z.maxMicrojoules()) / 1e6;
      parts.put(z.name(), joules);
      if (z.topLevel()) {
        if (z.name().equals("psys")) {
          psys += joules;
        } else {
          packages += joules;
          anyPackage = true;
        }
      }
    }
    return new EnergyReading(
        EnergyLabel.MEASURED,
        tier(),
        anyPackage ? packages : psys,
        parts,
        "RAPL powercap "
            + root
            + " ("
            + (anyPackage ? "sum of package zones" : "psys zone")
            + "; whole host)",
        null);
  }

  private static String readText(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (AccessDeniedException e) {
      throw new UncheckedIOException(
          file
              + " is not readable by this user: RAPL counters are root-only since Linux 5.10"
              + " (run as root, or 'sudo chmod a+r "
              + file.getParent().getParent()
              + "/intel-rapl:*/energy_uj')",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e, e);
    }
  }
}
